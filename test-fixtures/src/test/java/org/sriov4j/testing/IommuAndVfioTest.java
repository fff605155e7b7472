package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;
import static org.sriov4j.testing.Expect.vf;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;

class IommuAndVfioTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    private static void toVfio(SimulatedKernel kernel, String bdf) {
        String d = "bus/pci/devices/" + bdf + "/";
        kernel.write(d + "driver_override", "vfio-pci");
        if (kernel.exists(d + "driver")) {
            kernel.write(d + "driver/unbind", bdf);
        }
        kernel.write("bus/pci/drivers_probe", bdf);
    }

    @Test
    void devicesHaveIommuGroupLinksAndGroupsListTheirDevices() {
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), k.list("kernel/iommu_groups"));
        assertEquals(List.of("0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3"),
                k.list("kernel/iommu_groups/4/devices"));
        assertEquals("../../../../devices/pci0000:00/0000:00:1f.2",
                k.readLink("kernel/iommu_groups/4/devices/0000:00:1f.2"));
        assertEquals("../../../kernel/iommu_groups/4", k.readLink("bus/pci/devices/0000:00:1f.3/iommu_group"));
        assertEquals("../../../../kernel/iommu_groups/5", k.readLink(PF + "iommu_group"));
        assertEquals(OptionalInt.of(5), k.iommuGroupOf(Expect.PF_ADDRESS));
        assertEquals("0x8086\n", k.read("kernel/iommu_groups/5/devices/0000:01:00.0/vendor"));
    }

    @Test
    void withoutIommuThereAreNoGroupLinksAndNoGroups() {
        SimulatedKernel none = Preset.NO_IOMMU.newKernel();
        none.write(PF + "sriov_numvfs", "2");
        assertEquals(List.of(), none.list("kernel/iommu_groups"));
        assertFalse(none.exists(PF + "iommu_group"));
        assertFalse(none.exists(dev(0) + "iommu_group"));
        assertEquals(OptionalInt.empty(), none.iommuGroupOf(vf(0)));
        assertFalse(none.hasIommu());
    }

    @Test
    void devVfioVfioExistsWhileVfioPciIsLoaded() {
        assertTrue(k.devices().exists("vfio/vfio"));
        assertEquals(List.of("vfio"), k.devices().list(""));
        k.unloadDriver("vfio-pci");
        assertFalse(k.devices().exists("vfio/vfio"));
        assertFalse(k.devices().exists("vfio"));
        assertEquals(List.of(), k.devices().list("vfio"));
        k.loadDriver("vfio-pci");
        assertTrue(k.devices().exists("vfio/vfio"));
    }

    @Test
    void devVfioGroupExistsExactlyWhileADeviceOfTheGroupIsBoundToVfioPci() {
        k.write(PF + "sriov_numvfs", "2");
        assertFalse(k.devices().exists("vfio/6"));
        toVfio(k, vf(0).toString());
        assertTrue(k.devices().exists("vfio/6"));
        assertEquals(List.of("6", "vfio"), k.devices().list("vfio"));
        assertEquals(List.of("6"), k.list("class/vfio"));
        k.write("bus/pci/drivers/vfio-pci/unbind", vf(0).toString());
        assertFalse(k.devices().exists("vfio/6"));
        toVfio(k, vf(1).toString());
        toVfio(k, vf(0).toString());
        assertEquals(List.of("6", "7", "vfio"), k.devices().list("vfio"));
        k.write(PF + "sriov_numvfs", "0");
        assertEquals(List.of("vfio"), k.devices().list("vfio"), "disabling VFs removes their group nodes");
    }

    @Test
    void aSharedGroupNodeStaysWhileAnyMemberIsOnVfioPci() {
        SimulatedKernel shared = Preset.SHARED_GROUP_WITH_HOST_COMPANION.newKernel();
        assertEquals(List.of("0000:03:00.0", "0000:03:00.1"), shared.list("kernel/iommu_groups/7/devices"));
        toVfio(shared, "0000:03:00.0");
        assertTrue(shared.devices().exists("vfio/7"));
        toVfio(shared, "0000:03:00.1");
        shared.write("bus/pci/drivers/vfio-pci/unbind", "0000:03:00.0");
        assertTrue(shared.devices().exists("vfio/7"), "03:00.1 is still on vfio-pci");
        shared.write("bus/pci/drivers/vfio-pci/unbind", "0000:03:00.1");
        assertFalse(shared.devices().exists("vfio/7"));
    }

    @Test
    void vfioCdevAddsDevIommuAndDeviceNodes() {
        SimulatedKernel cdev = SimulatedKernel.builder().vfioCdev(true).intel82576("0000:01:00.0")
                .loadDrivers("vfio-pci").build();
        cdev.write(PF + "sriov_numvfs", "1");
        toVfio(cdev, vf(0).toString());
        assertTrue(cdev.devices().exists("iommu"));
        assertEquals(List.of("vfio0"), cdev.devices().list("vfio/devices"));
        assertEquals(List.of("vfio0"), cdev.list(dev(0) + "vfio-dev"));
        assertEquals("../../../" + vf(0), cdev.readLink(dev(0) + "vfio-dev/vfio0/device"));
        assertFalse(k.devices().exists("iommu"), "off by default");
    }

    @Test
    void vfioDeviceIndexesAreTheLowestFree() {
        k.write(PF + "sriov_numvfs", "3");
        toVfio(k, vf(0).toString());
        toVfio(k, vf(1).toString());
        k.write("bus/pci/drivers/vfio-pci/unbind", vf(0).toString());
        toVfio(k, vf(2).toString());
        assertEquals(List.of("vfio0", "vfio1"), k.list("class/vfio-dev"));
        assertEquals(List.of("vfio0"), k.list(dev(2) + "vfio-dev"));
    }

    @Test
    void groupsOfOtherFunctionsAreNotTouchedByVfChanges() {
        k.write(PF + "sriov_numvfs", "7");
        k.write(PF + "sriov_numvfs", "0");
        for (PciAddress a : k.functions()) {
            assertTrue(k.iommuGroupOf(a).isPresent());
        }
        errno(Errno.ENOENT, () -> k.list("kernel/iommu_groups/6"));
    }

    @Test
    void everyGroupReservesTheMsiWindowAsOnLinux612WithIntelIommu() {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        assertEquals("0x00000000fee00000 0x00000000feefffff msi\n", k.read("kernel/iommu_groups/5/reserved_regions"));
    }

    @Test
    void aGroupWithAnIsaBridgeAlsoReservesTheLow16MibAsOnLinux612WithIntelIommu() {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        assertEquals("0x0000000000000000 0x0000000000ffffff direct-relaxable\n"
                + "0x00000000fee00000 0x00000000feefffff msi\n", k.read("kernel/iommu_groups/4/reserved_regions"));
    }
}
