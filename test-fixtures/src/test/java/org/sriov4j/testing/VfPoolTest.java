package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;
import org.sriov4j.PoolExhaustedException;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.VirtualFunction;

/**
 * {@link VfPool} on {@link Preset#TWO_PFS_TWO_NUMA_NODES} with 4 VFs on each PF: {@code 0000:01:00.0} ({@code eth0},
 * NUMA node 0) and {@code 0000:81:00.0} ({@code eth1}, node 1). Membership by PF address, PF netdev, index ranges,
 * id, driver and NUMA node; leasing prefers the requested node, skips taken VFs (also taken by another host object,
 * as another process would), and reports an exhausted pool; a closed lease gives the VF back to the pool.
 */
class VfPoolTest {

    static final PciAddress PF0 = PciAddress.parse("0000:01:00.0");
    static final PciAddress PF1 = PciAddress.parse("0000:81:00.0");

    SimulatedKernel kernel = Preset.TWO_PFS_TWO_NUMA_NODES.newKernel();
    SriovHost host;
    List<PciAddress> vfs0;
    List<PciAddress> vfs1;

    @BeforeEach
    void enableFourVfsOnEachPf() {
        host = kernel.openHost();
        vfs0 = host.enableVfs(PF0, 4).vfs();
        vfs1 = host.enableVfs(PF1, 4).vfs();
        assertEquals(4, vfs0.size());
        assertEquals(4, vfs1.size());
    }

    @AfterEach
    void closeHost() {
        host.close();
    }

    List<PciAddress> members(String... selectors) {
        return host.pool(java.util.Arrays.stream(selectors).map(VfSelector::parse).toArray(VfSelector[]::new))
                .members();
    }

    List<PciAddress> all() {
        List<PciAddress> all = new ArrayList<>(vfs0);
        all.addAll(vfs1);
        return all;
    }

    @Test
    void theSimulatedHostIsWhatTheTestsAssume() {
        Topology t = host.topology();
        assertEquals(Optional.of(PF0), t.functionByNetdev("eth0").map(f -> f.address()));
        assertEquals(Optional.of(PF1), t.functionByNetdev("eth1").map(f -> f.address()));
        for (VirtualFunction vf : t.virtualFunctions()) {
            assertEquals(vf.pf().equals(PF0) ? 0 : 1, vf.function().numaNode().getAsInt(), vf.toString());
            assertEquals(Optional.of("igbvf"), vf.function().driver());
            assertFalse(vf.function().netdevs().isEmpty(), "VFs on igbvf have netdevs: " + vf);
        }
    }

    @Test
    void membersByPfAddressAndByPfNetdev() {
        assertEquals(vfs0, members("0000:01:00.0"));
        assertEquals(vfs1, members("81:00.0"));
        assertEquals(vfs0, members("eth0"));
        assertEquals(vfs1, members("eth1"));
        assertEquals(all(), members("eth1", "eth0"), "a union, in address order");
    }

    @Test
    void aVfsOwnNetdevOrAnUnknownNameOrAVfAddressSelectsNothing() {
        String vfNetdev = host.topology().virtualFunction(vfs0.get(0)).orElseThrow().function().netdevs().get(0);
        assertEquals(List.of(), members(vfNetdev));
        assertEquals(List.of(), members("nosuch0"));
        assertEquals(List.of(), members(vfs0.get(0).toString()), "the address form names the PF");
    }

    @Test
    void membersByIndexRanges() {
        assertEquals(List.of(vfs0.get(1), vfs0.get(2)), members("eth0#1-2"));
        assertEquals(List.of(vfs0.get(0), vfs0.get(1), vfs0.get(3)), members("0000:01:00.0#0-1,3"));
        assertEquals(List.of(vfs0.get(3), vfs1.get(0), vfs1.get(3)), members("eth1#0,3", "eth0#3-100"));
        assertEquals(List.of(), members("eth0#4-7"), "indices beyond the enabled VFs match nothing");
    }

    @Test
    void membersByIdDriverAndNumaNode() {
        PciId vfId = host.topology().physicalFunction(PF0).orElseThrow().vfId();
        assertEquals(all(), host.pool(VfSelector.builder().id(vfId).build()).members());
        assertEquals(List.of(), host.pool(VfSelector.builder().id(PciId.parse("8086:10c9")).build()).members(),
                "the PF's id is not the VFs'");
        assertEquals(vfs1, host.pool(VfSelector.builder().numaNode(1).build()).members());
        assertEquals(List.of(), host.pool(VfSelector.builder().numaNode(2).build()).members());
        assertEquals(vfs1.subList(1, 3), host.pool(VfSelector.parse("eth1#1-2").toBuilder().numaNode(1).build(),
                VfSelector.parse("eth0#2").toBuilder().numaNode(1).build()).members(), "criteria combine with AND");
        VfPool onIgbvf = host.pool(VfSelector.builder().driver("igbvf").build());
        assertEquals(all(), onIgbvf.members());
        try (Lease lease = host.lease(vfs0.get(1), "vm")) {
            assertTrue(lease.managed());
            List<PciAddress> expected = new ArrayList<>(all());
            expected.remove(vfs0.get(1));
            assertEquals(expected, onIgbvf.members(), "a managed lease moves the VF to vfio-pci");
            assertEquals(List.of(vfs0.get(1)), host.pool(VfSelector.builder().driver("vfio-pci").build())
                    .members());
        }
        assertEquals(all(), onIgbvf.members(), "membership is worked out afresh at each call");
    }

    @Test
    void aLeaseTakesTheFirstFreeMemberInAddressOrderAndClosingGivesItBack() {
        VfPool pool = host.pool(VfSelector.any());
        try (Lease a = pool.lease("vm-a")) {
            assertEquals(vfs0.get(0), a.device());
            assertEquals("vm-a", a.guest());
            assertTrue(a.managed());
            assertEquals(Optional.of("vfio-pci"), kernel.driverOf(a.device()));
            try (Lease b = pool.lease("vm-b")) {
                assertEquals(vfs0.get(1), b.device());
            }
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs0.get(1)), "closed: back on its host driver");
            try (Lease c = pool.lease("vm-c")) {
                assertEquals(vfs0.get(1), c.device(), "the released VF is free again");
            }
        }
        for (PciAddress vf : all()) {
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
        }
        assertTrue(host.recover().clean());
    }

    @Test
    void aLeasePrefersTheRequestedNumaNodeAndFallsBackToTheOthers() {
        VfPool pool = host.pool(VfSelector.parse("eth0#0-1"), VfSelector.parse("eth1#0-1"));
        List<Lease> leases = new ArrayList<>();
        try {
            leases.add(pool.lease("vm", 1));
            leases.add(pool.lease("vm", 1));
            assertEquals(vfs1.subList(0, 2), leases.stream().map(Lease::device).toList());
            leases.add(pool.lease("vm", 1));
            assertEquals(vfs0.get(0), leases.get(2).device(), "node 1 is full: the first free VF elsewhere");
            leases.add(pool.tryLease("vm", 0).orElseThrow());
            assertEquals(vfs0.get(1), leases.get(3).device());
            assertEquals(Optional.empty(), pool.tryLease("vm", 1));
            leases.remove(0).close();
            leases.add(pool.lease("vm", 0));
            assertEquals(vfs1.get(0), leases.get(3).device(), "node 0 is full: node 1's free VF");
        } finally {
            leases.forEach(Lease::close);
        }
        assertThrows(IllegalArgumentException.class, () -> pool.lease("vm", -1));
        assertThrows(IllegalArgumentException.class, () -> pool.tryLease("vm", -1));
    }

    @Test
    void anExhaustedPoolSaysSoWithItsSelectorsAndCountsAndTryLeaseIsEmpty() {
        VfPool pool = host.pool(VfSelector.parse("eth0#0-1"));
        try (Lease a = pool.lease("vm-a"); Lease b = pool.lease("vm-b")) {
            assertNotEquals(a.device(), b.device());
            PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.lease("vm-c"));
            assertEquals(Optional.of(Errno.EBUSY), e.errno());
            assertEquals(2, e.matched());
            assertEquals(2, e.busy());
            assertEquals(List.of(VfSelector.parse("eth0#0-1")), e.selectors());
            assertEquals("lease from pool failed: EBUSY (Device or resource busy); all 2 VFs matching [eth0#0-1] "
                    + "are leased or being changed", e.getMessage());
            assertEquals(Optional.empty(), pool.tryLease("vm-c"));
            try (SriovHost other = kernel.openHost()) {
                PoolExhaustedException o = assertThrows(PoolExhaustedException.class,
                        () -> other.pool(VfSelector.parse("0000:01:00.0#0-1")).lease("vm-c"));
                assertEquals(2, o.busy(), "leases are exclusive across host objects (processes)");
                try (Lease c = other.pool(VfSelector.parse("eth0")).lease("vm-c")) {
                    assertEquals(vfs0.get(2), c.device());
                }
            }
        }
    }

    @Test
    void aVfLeasedWithoutThePoolIsSkipped() {
        try (Lease direct = host.lease(vfs0.get(0), "direct");
                Lease pooled = host.pool(VfSelector.parse("eth0")).lease("pooled")) {
            assertEquals(vfs0.get(1), pooled.device());
        }
    }

    @Test
    void aPoolMatchingNothingIsExhaustedWithEnodev() {
        PoolExhaustedException e = assertThrows(PoolExhaustedException.class,
                () -> host.pool(VfSelector.parse("eth7")).lease("vm"));
        assertEquals(Optional.of(Errno.ENODEV), e.errno());
        assertEquals(0, e.matched());
        assertTrue(e.getMessage().contains("no VF matches [eth7]"), e.getMessage());
    }

    @Test
    void aPoolNeedsASelector() {
        assertThrows(IllegalArgumentException.class, () -> host.pool());
        assertThrows(NullPointerException.class, () -> host.pool(VfSelector.any()).lease(null));
        VfPool pool = host.pool(VfSelector.parse("eth0"), VfSelector.any());
        assertEquals(List.of(VfSelector.parse("eth0"), VfSelector.any()), pool.selectors());
        assertEquals("VfPool[eth0, any]", pool.toString());
    }

    /** A host whose lease of some VFs throws what {@code failure} gives; every other call goes to {@link #host}. */
    SriovHost failingLeases(Predicate<PciAddress> which, java.util.function.Function<PciAddress, SriovException>
            failure) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && method.getName().equals("pool")) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (method.getName().equals("lease") && which.test((PciAddress) args[0])) {
                throw failure.apply((PciAddress) args[0]);
            }
            try {
                return method.invoke(host, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (SriovHost) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SriovHost.class}, h);
    }

    @Test
    void aVfThatDisappearsMeanwhileIsSkippedAndCounted() {
        SriovHost vanishing = failingLeases(vfs0.subList(0, 2)::contains,
                vf -> new DeviceNotFoundException("lease", vf, "no such PCI function"));
        VfPool pool = vanishing.pool(VfSelector.parse("eth0"));
        try (Lease lease = pool.lease("vm")) {
            assertEquals(vfs0.get(2), lease.device());
            try (Lease other = pool.lease("vm")) {
                assertEquals(vfs0.get(3), other.device());
                PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.lease("vm"));
                assertEquals(4, e.matched());
                assertEquals(2, e.busy());
                assertTrue(e.getMessage().endsWith("2 of 4 VFs matching [eth0] are leased or being changed, "
                        + "2 disappeared meanwhile"), e.getMessage());
            }
        }
    }

    @Test
    void anyOtherLeaseFailureIsThrownNotSkipped() {
        SriovException failure = new SriovException("lease", "the IOMMU group is not viable");
        SriovHost failing = failingLeases(vfs0.get(0)::equals, vf -> failure);
        SriovException e = assertThrows(SriovException.class, () -> failing.pool(VfSelector.any()).lease("vm"));
        assertSame(failure, e);
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs0.get(1)), "no other VF was touched");
        assertTrue(host.recover().clean());
    }
}
