package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sriov4j.BackendFeature;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfSelector;
import org.sriov4j.testing.SimulatedKernel;

/**
 * Issue 6, "done when": the same VMM-facing code, which uses nothing but the api module ({@link Vmm}), runs
 * unchanged on a kvm-vfio host and on a xen-pciback host; the backend is chosen by {@link java.util.ServiceLoader}
 * (both sriov4j-vfio and sriov4j-xen are on this module's class path) from what each host looks like.
 */
class SameVmmCodeOnBothBackendsTest {

    /** VMM code: only {@code org.sriov4j} types. */
    static final class Vmm {
        final List<String> log = new ArrayList<>();

        void run(SriovHost host, PciAddress pf, String guest) {
            host.enableVfs(pf, 2);
            String before = host.topology().virtualFunctions().get(0).function().driver().orElse("none");
            try (Lease lease = host.pool(VfSelector.any()).lease(guest)) {
                PciFunction f = host.topology().function(lease.device()).orElseThrow();
                log.add("leased " + lease.device() + " on " + f.driver().orElse("none"));
                if (host.backendFeatures().contains(BackendFeature.USER_SPACE_DMA_MAPPING)) {
                    log.add("map guest memory through VFIO"); // kvm-vfio: the VMM opens the device itself
                } else {
                    lease.attachToGuest(guest); // Xen owns the IOMMU: the hypervisor attaches the device
                    log.add("attached to " + lease.attachedTo().orElseThrow());
                }
                if (!host.backendFeatures().contains(BackendFeature.LIVE_MIGRATION_STATE_TRANSFER)) {
                    log.add("migration plan: unplug before, re-plug after");
                }
            }
            assertTrue(host.assignments().isEmpty(), "everything given back");
            assertEquals(before, host.topology().virtualFunctions().get(0).function().driver().orElse("none"));
            assertTrue(host.recover().clean());
        }
    }

    static Stream<Arguments> hosts() {
        Supplier<SimulatedKernel> kvm = SimulatedKernel::intel82576Host;
        Supplier<SimulatedKernel> xen = () -> {
            SimulatedKernel k = SimulatedKernel.xenDom0Host();
            k.fakeXl().createDomain("vm-1", true);
            return k;
        };
        return Stream.of(Arguments.of("kvm-vfio", kvm, "vfio-pci"), Arguments.of("xen-pciback", xen, "pciback"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void theSameVmmCodeRunsOnBothBackends(String backend, Supplier<SimulatedKernel> hostShape, String stub) {
        SimulatedKernel kernel = hostShape.get();
        Vmm vmm = new Vmm();
        try (SriovHost host = kernel.openHost()) {
            vmm.run(host, PciAddress.parse("0000:01:00.0"), "vm-1");
            assertEquals(backend, host.backendId(), "chosen by ServiceLoader from the host's shape");
        }
        assertTrue(vmm.log.get(0).endsWith(" on " + stub), vmm.log.toString());
        assertEquals(backend.equals("xen-pciback"), vmm.log.contains("attached to vm-1"), vmm.log.toString());
        assertFalse(vmm.log.isEmpty());
        assertEquals(Optional.of("igbvf"), kernel.linkName("bus/pci/devices/0000:01:10.0/driver"));
    }

    @Test
    void onKvmVfioWithoutAPlugActuatorAttachingToAGuestIsRefusedNamingWhatIsMissingAndDetachingIsANoOp() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        PciAddress pf = PciAddress.parse("0000:01:00.0");
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(pf, 1);
            PciAddress vf = host.topology().virtualFunctions().get(0).address();
            try (Lease lease = host.lease(vf, "vm-1")) {
                SriovException e = assertThrows(SriovException.class, () -> lease.attachToGuest("vm-1"));
                assertEquals(Optional.of(Errno.EOPNOTSUPP), e.errno());
                assertTrue(e.getMessage().contains("plugActuator"), e.getMessage());
                assertFalse(host.backendFeatures().contains(org.sriov4j.BackendFeature.HOT_PLUG));
                lease.detachFromGuest(); // attached to no guest: nothing to do, as documented
                host.detachFromGuest(vf);
                assertEquals(Optional.empty(), lease.attachedTo());
            }
            assertTrue(host.assignments().isEmpty());
        }
        assertEquals(Optional.of("igbvf"), kernel.linkName("bus/pci/devices/0000:01:10.0/driver"));
    }
}
