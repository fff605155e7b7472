package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.PciAddress;

/** The one viability rule the engine and the VFIO backend share, on a group with one member of each kind. */
class GroupViabilityTest {
    static final PciAddress ASKED = PciAddress.parse("0000:05:00.0");
    static final PciAddress PORT = PciAddress.parse("0000:05:00.1");
    static final PciAddress VARIANT = PciAddress.parse("0000:05:00.2");
    static final PciAddress NONE = PciAddress.parse("0000:05:00.3");
    static final PciAddress BRIDGE = PciAddress.parse("0000:05:00.4");
    static final PciAddress NIC = PciAddress.parse("0000:05:00.5");

    @TempDir
    Path root;
    SysfsAccess sysfs;

    @BeforeEach
    void groupNine() throws IOException {
        member(ASKED, "vfio-pci", "0x020000");
        member(PORT, "pcieport", "0x060400");
        member(VARIANT, "mlx5_vfio_pci", "0x020000");
        member(NONE, null, "0x020000");
        member(BRIDGE, "shpchp", "0x060400");
        member(NIC, "e1000", "0x020000");
        sysfs = new NioSysfsAccess(root);
    }

    void member(PciAddress a, String driver, String cls) throws IOException {
        Path dev = Files.createDirectories(root.resolve("bus/pci/devices/" + a));
        Files.writeString(dev.resolve("class"), cls + "\n");
        Path group = Files.createDirectories(root.resolve("kernel/iommu_groups/9/devices"));
        Files.createSymbolicLink(group.resolve(a.toString()), Path.of("../../../../bus/pci/devices/" + a));
        if (driver != null) {
            Files.createDirectories(root.resolve("bus/pci/drivers/" + driver));
            Files.createSymbolicLink(dev.resolve("driver"), Path.of("../../../../bus/pci/drivers/" + driver));
        }
    }

    @Test
    void forVfioOnlyAHostDriverThatDoesDmaMakesTheGroupNotViable() {
        assertEquals(Map.of(NIC, "e1000"), GroupViability.offenders(sysfs, 9, null, "vfio-pci"));
        assertEquals(Map.of(NIC, "e1000"), GroupViability.offenders(sysfs, 9, ASKED, "vfio-pci"));
    }

    @Test
    void forPcibackAVfioDriverIsAHostDriverToo() {
        assertEquals(Map.of(ASKED, "vfio-pci", VARIANT, "mlx5_vfio_pci", NIC, "e1000"),
                GroupViability.offenders(sysfs, 9, null, "pciback"));
    }

    @Test
    void aGroupNotInSysfsHasNoOffenders() {
        assertEquals(Map.of(), GroupViability.offenders(sysfs, 42, null, "vfio-pci"));
    }
}
