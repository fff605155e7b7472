package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The directories sriov4j reads besides the device directories. */
class RenderingTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    @Test
    void theRootAndTheBusLookLikeSysfs() {
        assertEquals(List.of("bus", "class", "devices", "kernel", "module"), k.list(""));
        assertEquals(List.of("devices", "drivers", "drivers_autoprobe", "drivers_probe", "rescan", "uevent"),
                k.list("bus/pci"));
        assertEquals("1\n", k.read("bus/pci/drivers_autoprobe"));
    }

    @Test
    void busPciDriversListsTheLoadedDrivers() {
        assertEquals(List.of("igb", "igbvf", "pcieport", "vfio-pci", "virtio-pci"), k.list("bus/pci/drivers"));
        k.loadDriver("e1000e");
        k.unloadDriver("virtio-pci");
        assertEquals(List.of("e1000e", "igb", "igbvf", "pcieport", "vfio-pci"), k.list("bus/pci/drivers"));
    }

    @Test
    void aDriverDirectoryHoldsBoundDeviceLinksItsControlFilesAndItsModule() {
        k.write(PF + "sriov_numvfs", "2");
        assertEquals(List.of("0000:01:10.0", "0000:01:10.2", "bind", "module", "new_id", "remove_id", "uevent",
                "unbind"), k.list("bus/pci/drivers/igbvf"));
        assertEquals("../../../../module/igbvf", k.readLink("bus/pci/drivers/igbvf/module"));
        assertEquals("../../../../module/vfio_pci", k.readLink("bus/pci/drivers/vfio-pci/module"));
        assertEquals(List.of("bind", "module", "new_id", "remove_id", "uevent", "unbind"),
                k.list("bus/pci/drivers/vfio-pci"));
        assertEquals("live\n", k.read("module/igbvf/initstate"));
        k.loadDriver("pciback");
        assertTrue(k.list("bus/pci/drivers/pciback").containsAll(List.of("slots", "new_slot", "remove_slot")));
    }

    @Test
    void busPciDevicesLinksIntoTheDeviceHierarchy() {
        assertEquals("../../../devices/pci0000:00/0000:00:02.0", k.readLink("bus/pci/devices/0000:00:02.0"));
        assertEquals(List.of("0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0", "0000:00:1f.0",
                "0000:00:1f.2", "0000:00:1f.3"), k.list("devices/pci0000:00"));
        assertTrue(k.list("devices/pci0000:00/0000:00:01.0").contains("0000:01:00.0"));
        k.write(PF + "sriov_numvfs", "1");
        assertTrue(k.list("devices/pci0000:00/0000:00:01.0").contains("0000:01:10.0"), "VFs are the PF's siblings");
    }

    @Test
    void classNetAndKernelIommuGroupsAreRendered() {
        assertEquals(List.of("eth0", "lo"), k.list("class/net"));
        assertEquals("../../devices/virtual/net/lo", k.readLink("class/net/lo"));
        assertEquals(List.of("devices", "reserved_regions", "type"), k.list("kernel/iommu_groups/5"));
        assertEquals(List.of("0000:01:00.0"), k.list("kernel/iommu_groups/5/devices"));
        assertEquals(List.of(), k.list("class/vfio"));
    }

    @Test
    void deviceAttributesAreFormattedAsTheKernelFormatsThem() {
        assertEquals("0x8086\n", k.read(PF + "vendor"));
        assertEquals("0x10c9\n", k.read(PF + "device"));
        assertEquals("0x020000\n", k.read(PF + "class"));
        assertEquals("0x01\n", k.read(PF + "revision"));
        assertEquals("-1\n", k.read(PF + "numa_node"));
        assertEquals("(null)\n", k.read(PF + "driver_override"));
        assertEquals("pci:v00008086d000010C9sv00001AF4sd00001100bc02sc00i00\n", k.read(PF + "modalias"));
        assertEquals("DRIVER=igb\nPCI_CLASS=20000\nPCI_ID=8086:10C9\nPCI_SUBSYS_ID=1AF4:1100\n"
                + "PCI_SLOT_NAME=0000:01:00.0\nMODALIAS=pci:v00008086d000010C9sv00001AF4sd00001100bc02sc00i00\n",
                k.read(PF + "uevent"));
        assertEquals("../../../../bus/pci", k.readLink(PF + "subsystem"));
    }
}
