package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.DeviceInUseException;
import org.sriov4j.PciAddress;
import org.sriov4j.VfioHolder;
import org.sriov4j.spi.NioSysfsAccess;

/**
 * {@link VfioHolders} on a sysfs tree and a /proc tree on disk (the seam is the two root paths): the cases the
 * simulated kernel cannot show, i.e. a kernel without an {@code enable} attribute, where only /proc decides.
 */
class VfioHoldersTest {

    static final PciAddress VF = PciAddress.parse("0000:01:10.0");

    @TempDir
    Path root;
    Path sys;
    Path proc;

    @BeforeEach
    void vfOnVfioPciInGroup6() throws IOException {
        sys = Files.createDirectories(root.resolve("sys"));
        proc = Files.createDirectories(root.resolve("proc"));
        Path drivers = Files.createDirectories(sys.resolve("bus/pci/drivers/vfio-pci"));
        Path group = Files.createDirectories(sys.resolve("kernel/iommu_groups/6"));
        Path dev = Files.createDirectories(sys.resolve("devices/pci0000:00/0000:00:01.0/" + VF));
        Files.createDirectories(sys.resolve("bus/pci/devices"));
        Files.createSymbolicLink(sys.resolve("bus/pci/devices/" + VF), dev);
        Files.createSymbolicLink(dev.resolve("driver"), drivers);
        Files.createSymbolicLink(dev.resolve("iommu_group"), group);
    }

    void process(long pid, String comm, String... targets) throws IOException {
        Path p = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("fd"));
        Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("fdinfo"));
        Files.writeString(proc.resolve(Long.toString(pid)).resolve("comm"), comm + "\n");
        int fd = 3;
        for (String t : targets) {
            Files.createSymbolicLink(p.resolve(Integer.toString(fd)), Path.of(t));
            Files.writeString(proc.resolve(Long.toString(pid)).resolve("fdinfo").resolve(Integer.toString(fd)),
                    "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n");
            fd++;
        }
    }

    VfioHolders holders() {
        return new VfioHolders(new NioSysfsAccess(sys), proc, Duration.ZERO, f -> { });
    }

    @Test
    void withoutAnEnableAttributeAProcessShowingTheGroupAndADeviceFdIsAHolder() throws IOException {
        process(812, "qemu-system-x86", "/dev/vfio/vfio", "/dev/vfio/6", "anon_inode:[vfio-device]");
        process(813, "bash", "/dev/null");
        DeviceInUseException e = assertThrows(DeviceInUseException.class,
                () -> holders().checkUnbind("reattach", VF));
        assertEquals(List.of(new VfioHolder(812, "qemu-system-x86", VfioHolder.Evidence.GROUP_AND_DEVICE_FD)),
                e.holders());
    }

    @Test
    void withoutAnEnableAttributeAndWithoutAnyDeviceFdTheUnbindGoesOn() throws IOException {
        process(812, "vfio-probe", "/dev/vfio/vfio", "/dev/vfio/6");
        holders().checkUnbind("reattach", VF);
        assertFalse(holders().find(VF).open());
    }

    @Test
    void anEnableCountOfZeroClearsTheDeviceWhateverProcShows() throws IOException {
        Files.writeString(sys.resolve("bus/pci/devices/" + VF).resolve("enable"), "0\n");
        process(812, "qemu-system-x86", "/dev/vfio/6", "anon_inode:[vfio-device]");
        holders().checkUnbind("reattach", VF);
    }

    @Test
    void aFunctionNotOnVfioPciIsNeverChecked() throws IOException {
        Files.delete(sys.resolve("bus/pci/devices/" + VF).resolve("driver"));
        process(812, "qemu-system-x86", "/dev/vfio/6", "anon_inode:[vfio-device]");
        holders().checkUnbind("reattach", VF);
        assertFalse(holders().onVfioPci(VF));
    }

    @Test
    void anOpenDeviceWhoseHolderHidesIsRefusedNamingNoOne() throws IOException {
        Files.writeString(sys.resolve("bus/pci/devices/" + VF).resolve("enable"), "1\n");
        DeviceInUseException e = assertThrows(DeviceInUseException.class,
                () -> holders().checkUnbind("reattach", VF));
        assertTrue(e.holders().isEmpty());
        assertTrue(e.getMessage().contains("another PID namespace"), e.getMessage());
    }
}
