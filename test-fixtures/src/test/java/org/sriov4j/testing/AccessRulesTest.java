package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

/** Permissions, missing entries, file types, error details, path rules, link following. */
class AccessRulesTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    @BeforeEach
    void oneVf() {
        k.write(PF + "sriov_numvfs", "1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bus/pci/drivers/igb/bind", "bus/pci/drivers/igb/unbind", "bus/pci/drivers/igb/new_id",
        "bus/pci/drivers/igb/remove_id", "bus/pci/drivers/igb/uevent", "bus/pci/drivers_probe", "bus/pci/rescan",
        "bus/pci/devices/0000:01:00.0/reset", "bus/pci/devices/0000:01:00.0/remove",
        "bus/pci/devices/0000:01:10.0/reset", "bus/pci/devices/0000:01:10.0/sriov_vf_msix_count"})
    void readingAWriteOnlyAttributeIsEacces(String path) {
        errno(Errno.EACCES, () -> k.read(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"vendor", "device", "class", "subsystem_vendor", "subsystem_device", "revision",
        "modalias", "sriov_totalvfs", "sriov_offset", "sriov_stride", "sriov_vf_device", "sriov_vf_total_msix"})
    void writingAReadOnlyAttributeIsEacces(String attribute) {
        errno(Errno.EACCES, () -> k.write(PF + attribute, "1"));
        assertEquals("7\n", k.read(PF + "sriov_totalvfs"));
    }

    @Test
    void writingReadOnlyFilesElsewhereIsEacces() {
        errno(Errno.EACCES, () -> k.write("kernel/iommu_groups/5/type", "DMA"));
        errno(Errno.EACCES, () -> k.write("class/net/eth0/address", "00:11:22:33:44:55"));
    }

    @Test
    void anythingNonexistentIsEnoent() {
        errno(Errno.ENOENT, () -> k.read(PF + "no_such_attribute"));
        errno(Errno.ENOENT, () -> k.write(PF + "no_such_attribute", "1"));
        errno(Errno.ENOENT, () -> k.list("bus/pci/devices/0000:09:00.0"));
        errno(Errno.ENOENT, () -> k.readLink(dev(0) + "virtfn0"));
        errno(Errno.ENOENT, () -> k.read("bus/pci/devices/0000:01:11.6/vendor"), "the 8th VF never exists on igb");
        assertFalse(k.exists("bus/pci/devices/0000:09:00.0"));
        assertFalse(k.exists("nonsense/deeper/still"));
        assertTrue(k.exists(""));
    }

    @Test
    void listingAFileIsEnotdirAndSoIsAPathThroughAFile() {
        errno(Errno.ENOTDIR, () -> k.list(PF + "vendor"));
        errno(Errno.ENOTDIR, () -> k.read(PF + "vendor/x"));
        errno(Errno.ENOTDIR, () -> k.read(PF + "vendor/"));
        assertFalse(k.exists(PF + "vendor/x"));
    }

    @Test
    void readingOrWritingADirectoryIsEisdir() {
        errno(Errno.EISDIR, () -> k.read("bus/pci/devices/0000:01:00.0"));
        errno(Errno.EISDIR, () -> k.write("bus/pci/drivers/igb", "0000:01:00.0"));
    }

    @Test
    void readLinkOfSomethingElseIsEinval() {
        errno(Errno.EINVAL, () -> k.readLink(PF + "vendor"));
        errno(Errno.EINVAL, () -> k.readLink("bus/pci/devices"));
    }

    @Test
    void errorsCarryTheErrnoTheOperationAndTheSysPath() {
        SysfsIoException e = errno(Errno.EBUSY, () -> k.write(PF + "sriov_numvfs", "2"));
        assertEquals("write", e.operation());
        assertEquals(Optional.of("/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs"), e.path());
        assertTrue(e.getMessage().contains("1 VFs already enabled"), e.getMessage());
        assertEquals("/sys/bus/pci/drivers_probe", k.describe("bus/pci/drivers_probe"));
        assertEquals("list", errno(Errno.ENOENT, () -> k.list("x")).operation());
        assertEquals("readlink", errno(Errno.EINVAL, () -> k.readLink(PF + "vendor")).operation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/sys/bus", "../etc", "bus/../bus", "bus/..", "bus\0pci"})
    void pathsThatAreNotRelativeAreRejected(String path) {
        assertThrows(IllegalArgumentException.class, () -> k.read(path));
        assertThrows(IllegalArgumentException.class, () -> k.exists(path));
    }

    @Test
    void linksAreFollowedInTheMiddleOfPathsButNotByReadLinkOrExists() {
        assertEquals(List.of("pci:igb"), k.list(PF + "driver/module/drivers"));
        assertEquals("0x8086\n", k.read(dev(0) + "physfn/vendor"));
        assertEquals("0x10ca\n", k.read(PF + "virtfn0/device"));
        assertEquals("../0000:01:10.0", k.readLink(PF + "virtfn0"));
        assertEquals("../../../../bus/pci/drivers/igbvf", k.readLink(PF + "virtfn0/driver"));
        k.write(PF + "virtfn0/driver/unbind", "0000:01:10.0");
        assertFalse(k.exists(PF + "virtfn0/driver"));
        assertTrue(k.exists(PF + "virtfn0"));
    }

    @Test
    void otherWritableAttributesCheckTheirInput() {
        errno(Errno.EINVAL, () -> k.write(PF + "reset", "2"));
        k.write(PF + "reset", "1");
        errno(Errno.EOPNOTSUPP, () -> k.write(dev(0) + "sriov_vf_msix_count", "4"));
        errno(Errno.EINVAL, () -> k.write(dev(0) + "sriov_vf_msix_count", "-4"));
        errno(Errno.EINVAL, () -> k.write(PF + "numa_node", "3"), "node 3 is not online");
        k.write(PF + "numa_node", "0");
        assertEquals("0\n", k.read(PF + "numa_node"));
        assertEquals("flr pm bus\n", k.read(PF + "reset_method"));
        k.write(PF + "reset_method", "bus flr");
        assertEquals("bus flr\n", k.read(PF + "reset_method"));
        errno(Errno.EINVAL, () -> k.write(PF + "reset_method", "acpi"));
        k.write(PF + "reset_method", "default");
        assertEquals("flr pm bus\n", k.read(PF + "reset_method"));
        errno(Errno.EINVAL, () -> k.write(PF + "uevent", "explode"));
        k.write(PF + "uevent", "change");
        assertFalse(k.exists("bus/pci/devices/0000:00:00.0/reset"), "no reset methods, no reset attribute");
        assertFalse(k.exists(dev(0) + "remove"), "VFs have no remove attribute");
    }

    @Test
    void writesAboveAPageReachTheAttributeTruncatedAsAShortWrite() {
        SysfsIoException e = errno(Errno.EIO, () -> k.write(PF + "uevent", "change" + " ".repeat(5000)));
        assertTrue(e.getMessage().contains("short write"), e.getMessage());
    }
}
