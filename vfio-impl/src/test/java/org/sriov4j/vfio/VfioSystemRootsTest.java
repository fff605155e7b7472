package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;

/**
 * {@link VfioSystem#open(SriovConfig)} reads sysfs under the configuration's sysfs root and opens VFIO nodes under
 * its device root (as a container's {@code SRIOV4J_SYSFS_ROOT=/host/sys} asks), never {@code /sys} or {@code /dev}:
 * a tree on disk laid out as the kernel's, with the real C library behind it.
 */
class VfioSystemRootsTest {
    static final PciAddress VF = PciAddress.parse("0000:01:10.0");
    static final PciAddress OTHER = PciAddress.parse("0000:01:10.2");

    private static SriovConfig tree(Path dir) throws IOException {
        Path sys = dir.resolve("host-sys");
        Path devices = Files.createDirectories(sys.resolve("bus/pci/devices"));
        Path vfioPci = Files.createDirectories(sys.resolve("bus/pci/drivers/vfio-pci"));
        Path igbvf = Files.createDirectories(sys.resolve("bus/pci/drivers/igbvf"));
        Path group = Files.createDirectories(sys.resolve("kernel/iommu_groups/17/devices"));
        Path vf = Files.createDirectories(devices.resolve(VF.toString()));
        Files.createSymbolicLink(vf.resolve("driver"), vfioPci);
        Files.createSymbolicLink(vf.resolve("iommu_group"), group.getParent());
        Path other = Files.createDirectories(devices.resolve(OTHER.toString()));
        Files.createSymbolicLink(other.resolve("driver"), igbvf);
        Path dev = Files.createDirectories(dir.resolve("host-dev/vfio"));
        Files.writeString(dev.resolve("vfio"), ""); // a regular file: opens, but answers no VFIO ioctl
        return SriovConfig.builder().sysfsRoot(sys).devRoot(dev.getParent()).stateDir(dir.resolve("state")).build();
    }

    @Test
    void theIommuGroupIsReadUnderTheConfiguredSysfsRoot(@TempDir Path dir) throws IOException {
        VfioSystem vfio = VfioSystem.open(tree(dir));
        assertEquals(17, vfio.iommuGroup(VF));
        VfioException e = assertThrows(VfioException.class, () -> vfio.iommuGroup(OTHER));
        assertEquals(VfioError.NOT_BOUND_TO_VFIO_PCI, e.kind());
        assertTrue(e.getMessage().contains("bound to igbvf"), e.getMessage());
    }

    @Test
    void aFunctionMissingUnderTheRootIsNamedWithThatRoot(@TempDir Path dir) throws IOException {
        VfioSystem vfio = VfioSystem.open(tree(dir));
        VfioException e = assertThrows(VfioException.class,
                () -> vfio.iommuGroup(PciAddress.parse("0000:02:00.0")));
        assertEquals(VfioError.NOT_BOUND_TO_VFIO_PCI, e.kind());
        assertTrue(e.getMessage().contains(dir.resolve("host-sys").toString()), e.getMessage());
    }

    @Test
    void theContainerIsOpenedUnderTheConfiguredDeviceRoot(@TempDir Path dir) throws IOException {
        VfioSystem vfio = VfioSystem.open(tree(dir));
        assertEquals(IommuApi.LEGACY_CONTAINER, vfio.preferredApi(), "no vfio/devices/ under the device root");
        VfioException e = assertThrows(VfioException.class, vfio::newDomain);
        assertTrue(e.getMessage().contains(dir.resolve("host-dev/vfio/vfio").toString()),
                "the container node under the configured root was opened: " + e.getMessage());
    }

    @Test
    void aContainersRootsFromTheEnvironmentAreHonoured(@TempDir Path dir) throws IOException {
        SriovConfig tree = tree(dir);
        // what SRIOV4J_SYSFS_ROOT / SRIOV4J_DEV_ROOT set, through their system properties (which win over them)
        String sys = System.setProperty(SriovConfig.SYSFS_ROOT_PROPERTY, tree.sysfsRoot().toString());
        String dev = System.setProperty(SriovConfig.DEV_ROOT_PROPERTY, tree.devRoot().toString());
        try {
            VfioSystem vfio = VfioSystem.open(SriovConfig.fromEnvironment());
            assertEquals(17, vfio.iommuGroup(VF));
            VfioException e = assertThrows(VfioException.class, vfio::newDomain);
            assertTrue(e.getMessage().contains(dir.resolve("host-dev/vfio/vfio").toString()), e.getMessage());
        } finally {
            restore(SriovConfig.SYSFS_ROOT_PROPERTY, sys);
            restore(SriovConfig.DEV_ROOT_PROPERTY, dev);
        }
    }

    private static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }
}
