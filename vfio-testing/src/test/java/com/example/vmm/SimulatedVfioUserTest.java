package com.example.vmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.DeviceNotification;
import org.sriov4j.vfio.DeviceNotifications;
import org.sriov4j.vfio.IommuApi;
import org.sriov4j.vfio.VfioError;
import org.sriov4j.vfio.VfioException;
import org.sriov4j.vfio.VfioSystem;
import org.sriov4j.vfio.testing.SimulatedVfio;

/**
 * A VMM author's unit test of their own VFIO code ({@link GuestMemory}), written as they would write it: only the
 * exported API of {@code org.sriov4j.vfio}, {@code org.sriov4j.testing} and {@code org.sriov4j.vfio.testing}, on the
 * module path (surefire's module path run of this module), with a simulated host whose sysfs, engine and VFIO agree.
 */
class SimulatedVfioUserTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    @Test
    void theFixtureIsANamedModuleThatSeesTheKernelSeamOthersDoNot() {
        Module testing = SimulatedVfio.class.getModule();
        Module vfio = VfioSystem.class.getModule();
        assertEquals("org.sriov4j.vfio.testing", testing.getName());
        assertEquals("org.sriov4j.vfio", vfio.getName());
        assertEquals(java.util.Set.of("org.sriov4j.vfio.testing"), testing.getDescriptor().exports().stream()
                .map(e -> e.source()).collect(java.util.stream.Collectors.toSet()));
        assertFalse(vfio.isExported("org.sriov4j.vfio.kernel"), "the seam is not API");
        assertTrue(vfio.isExported("org.sriov4j.vfio.kernel", testing), "only the fake implements it");
        assertFalse(testing.isExported("org.sriov4j.vfio.testing.internal"));
    }

    @Test
    void aLeasedVfsGuestMemoryIsMappedAndEverythingIsClosedAfterwards() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        SimulatedVfio vfio = SimulatedVfio.joinedTo(kernel);
        try (SriovHost host = kernel.openHost()) {
            PciAddress vf = host.enableVfs(PF, 2).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm1");
                 GuestMemory memory = new GuestMemory(vfio.system(), lease, 0x4000_0000L, 4L << 20)) {
                assertEquals(IommuApi.LEGACY_CONTAINER, memory.domain().api());
                assertEquals(kernel.iommuGroupOf(vf).orElseThrow(), memory.device().iommuGroup());
                assertEquals(0x10ca8086, memory.device().readConfig32(0), "an 82576 VF, as the simulator says");
                assertEquals(4L << 20, vfio.mappedBytes());
            }
            assertEquals(0, vfio.openDescriptors(), "GuestMemory.close closed device, domain and memory");
            assertEquals(0, vfio.mappedBytes());
        }
    }

    @Test
    void aMisalignedGuestBaseIsRefusedAsTheKernelRefusesItAndNothingIsLeftOpen() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        SimulatedVfio vfio = SimulatedVfio.joinedTo(kernel);
        try (SriovHost host = kernel.openHost()) {
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm1")) {
                VfioException e = assertThrows(VfioException.class,
                        () -> new GuestMemory(vfio.system(), lease, 0x4000_0800L, 1L << 20));
                assertEquals(VfioError.UNALIGNED_MAP, e.kind());
                assertEquals(0, vfio.openDescriptors(), "GuestMemory undid what it had opened");
            }
        }
    }

    @Test
    void aVfTheEngineHasNotLeasedDoesNotOpen() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        SimulatedVfio vfio = SimulatedVfio.joinedTo(kernel);
        try (SriovHost host = kernel.openHost()) {
            List<PciAddress> vfs = host.enableVfs(PF, 2).vfs();
            try (Lease lease = host.lease(vfs.get(0), "vm1")) {
                VfioException e = assertThrows(VfioException.class, () -> vfio.system().iommuGroup(vfs.get(1)));
                assertEquals(VfioError.NOT_BOUND_TO_VFIO_PCI, e.kind());
                assertTrue(e.getMessage().contains("igbvf"), e.getMessage());
            }
        }
    }

    @Test
    void theHostAskingForTheDeviceBackReachesTheVmmsWatcher() throws InterruptedException {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        SimulatedVfio vfio = SimulatedVfio.joinedTo(kernel);
        try (SriovHost host = kernel.openHost()) {
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            List<DeviceNotification> seen = new CopyOnWriteArrayList<>();
            try (Lease lease = host.lease(vf, "vm1");
                 GuestMemory memory = new GuestMemory(vfio.system(), lease, 0, 2L << 20);
                 DeviceNotifications watch = memory.device().watch(seen::add)) {
                assertTrue(vfio.requestRelease(vf), "a REQ eventfd was bound");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertEquals(DeviceNotification.Kind.REQUEST, seen.get(0).kind());
                assertEquals(vf, seen.get(0).device());
            }
        }
    }

    @Test
    void aFunctionThatIsNotOpenCannotBeAskedFor() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        SimulatedVfio vfio = SimulatedVfio.joinedTo(kernel);
        assertThrows(IllegalArgumentException.class, () -> vfio.requestRelease(PF));
    }
}
