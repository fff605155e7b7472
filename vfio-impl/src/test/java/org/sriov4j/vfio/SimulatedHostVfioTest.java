package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/**
 * One simulated host whose sysfs and /dev the engine and VFIO both read: a VF the engine leases (detached to vfio-pci
 * in the simulator) opens through the fake VFIO joined to it (container, group, device, DMA map), found through the
 * simulator's sysfs by {@link VfioSystem}; a VF the engine has not detached is refused from the same sysfs.
 */
class SimulatedHostVfioTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    @Test
    void aLeasedVfOpensThroughTheFakeVfioOfTheSameHostAndMapsDma() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        FakeVfioKernel fake = FakeVfioKernel.joinedTo(kernel);
        VfioSystem vfio = new VfioSystem(fake, "/dev/", kernel, kernel.devices(), null);
        try (SriovHost host = kernel.openHost()) {
            List<PciAddress> vfs = host.enableVfs(PF, 2).vfs();
            try (Lease lease = host.lease(vfs.get(0), "vm")) {
                int group = kernel.iommuGroupOf(vfs.get(0)).orElseThrow();
                assertTrue(kernel.devices().exists("vfio/" + group), "the simulator made /dev/vfio/" + group);
                try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(2L << 20)) {
                    assertEquals(IommuApi.LEGACY_CONTAINER, domain.api());
                    AssignedDevice dev = domain.openDevice(lease);
                    assertEquals(group, dev.iommuGroup());
                    assertEquals(0x10ca8086, dev.readConfig32(0), "the simulator's vendor and device ids");
                    domain.map(0x1000_0000L, ram.address(), ram.length(), DmaAccess.READ_WRITE);
                    assertEquals(2L << 20, fake.mappedBytes());
                    VfioException e = assertThrows(VfioException.class, () -> domain.openDevice(vfs.get(1)));
                    assertEquals(VfioError.NOT_BOUND_TO_VFIO_PCI, e.kind());
                    assertTrue(e.getMessage().contains("bound to igbvf"), e.getMessage());
                    dev.close();
                }
                assertEquals(0, fake.openFds(), "the domain closes before the lease ends");
            }
            assertEquals(VfioError.NOT_BOUND_TO_VFIO_PCI, assertThrows(VfioException.class,
                    () -> vfio.iommuGroup(vfs.get(0))).kind(), "given back to igbvf");
        }
    }

    @Test
    void withoutVfioPciInTheSimulatorNoContainerOpens() {
        SimulatedKernel kernel = SimulatedKernel.builder().qemuQ35().intel82576("0000:01:00.0").loadDrivers("igbvf")
                .build();
        FakeVfioKernel fake = FakeVfioKernel.joinedTo(kernel);
        VfioException e = assertThrows(VfioException.class,
                () -> new VfioSystem(fake, "/dev/", kernel, kernel.devices(), null).newDomain());
        assertEquals(VfioError.SYSTEM_CALL_FAILED, e.kind());
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains("/dev/vfio/vfio"), e.getMessage());
    }
}
