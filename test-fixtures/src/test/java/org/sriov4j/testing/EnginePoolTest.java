package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.PoolExhaustedException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;

/**
 * The engine's pool remembers the host's structure between leases: what another process changes meanwhile (VFs
 * enabled, disabled or re-created, a PF given VFs for the first time, a VF leased) must be seen at the next lease,
 * exactly as a pool that scans the host each time sees it. {@link Preset#TWO_PFS_TWO_NUMA_NODES}: {@code 0000:01:00.0}
 * ({@code eth0}) and {@code 0000:81:00.0} ({@code eth1}); "another process" is another host object on the same
 * simulated kernel.
 */
class EnginePoolTest {

    static final PciAddress PF0 = PciAddress.parse("0000:01:00.0");
    static final PciAddress PF1 = PciAddress.parse("0000:81:00.0");

    SimulatedKernel kernel = Preset.TWO_PFS_TWO_NUMA_NODES.newKernel();
    SriovHost host;
    SriovHost other;

    @BeforeEach
    void open() {
        host = kernel.openHost();
        other = kernel.openHost();
    }

    @AfterEach
    void close() {
        host.close();
        other.close();
    }

    @Test
    void vfsEnabledByAnotherProcessAfterThePoolsFirstLeaseAreMembersAtTheNextLease() {
        other.enableVfs(PF0, 1);
        VfPool pool = host.pool(VfSelector.any());
        try (Lease first = pool.lease("vm-a")) {
            assertEquals(kernel.vfsOf(PF0).get(0), first.device());
            other.enableVfs(PF1, 2); // a PF the pool knew with no VF
            try (Lease second = pool.lease("vm-b")) {
                assertEquals(kernel.vfsOf(PF1).get(0), second.device());
            }
        }
        other.disableVfs(PF1);
        assertEquals(kernel.vfsOf(PF0), pool.members());
    }

    @Test
    void moreVfsOnAPfWithLeasedVfsAreTriedInAddressOrder() {
        other.enableVfs(PF0, 1);
        other.enableVfs(PF1, 1);
        VfPool pool = host.pool(VfSelector.any());
        try (Lease a = pool.lease("vm-a")) {
            assertEquals(kernel.vfsOf(PF0).get(0), a.device());
            a.close();
            // another process grows PF0 to 3 VFs (through 0: the VFs are re-created) and leases its VF 0
            other.enableVfs(PF0, 3);
            try (Lease taken = other.lease(kernel.vfsOf(PF0).get(0), "elsewhere");
                    Lease b = pool.lease("vm-b")) {
                assertEquals(kernel.vfsOf(PF0).get(1), b.device(), "PF0's new VF 1 comes before PF1's VF 0");
            }
        }
    }

    @Test
    void vfsDisabledByAnotherProcessAreNoLongerTriedAndAnEmptiedPoolIsExhaustedWithEnodev() {
        other.enableVfs(PF0, 2);
        VfPool pool = host.pool(VfSelector.parse("eth0"));
        try (Lease a = pool.lease("vm-a")) {
            assertEquals(kernel.vfsOf(PF0).get(0), a.device());
        }
        other.disableVfs(PF0);
        PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.lease("vm-b"));
        assertEquals(0, e.matched(), e.getMessage());
        assertEquals(List.of(), pool.members());
        other.enableVfs(PF0, 1);
        try (Lease b = pool.lease("vm-b")) {
            assertEquals(kernel.vfsOf(PF0).get(0), b.device());
        }
    }

    @Test
    void aPoolSharedByThreadsKeepsLeasingWithoutErrorsWhileAnotherProcessResizesThePf() throws Exception {
        other.enableVfs(PF1, 4);
        VfPool pool = host.pool(VfSelector.parse("eth1"));
        List<Lease> leases = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    try {
                        pool.tryLease("vm").ifPresent(l -> {
                            leases.add(l);
                            l.close();
                        });
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }
            });
            threads[t].start();
        }
        for (int i = 0; i < 5; i++) {
            try {
                other.enableVfs(PF1, 2 + i % 3);
            } catch (RuntimeException e) {
                // refused while a VF of PF1 is leased: fine, the point is the concurrency
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertTrue(host.recover().clean());
    }
}
