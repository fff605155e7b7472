package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.testing.SysfsCapture;

/**
 * A sysfs root other than {@code /sys} on the real kernel: a bind mount of {@code /sys} (what a container that mounts
 * the host's sysfs sees) is a sysfs mount, whose links all stay inside it, and stays writable; a copy of the tree on
 * tmpfs is read-only. The PF is left as found.
 */
class RealSysfsRootIT {

    @TempDir
    Path tmp;

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    static int numVfs(PciAddress pf) throws IOException {
        return Integer.parseInt(Files.readString(Path.of("/sys/bus/pci/devices/" + pf + "/sriov_numvfs")).strip());
    }

    @Test
    void aBindMountOfSysIsSysfsAndStaysWritable() throws Exception {
        PciAddress pf = GuestMachine.current().pfs().get(0);
        int before = numVfs(pf);
        // not under @TempDir: its clean-up must never walk a mounted /sys
        Path root = Files.createTempDirectory("sriov4j-host-sys");
        run("mount", "--bind", "/sys", root.toString());
        try {
            assertEquals("sysfs", Files.getFileStore(root.resolve("bus/pci/devices/" + pf + "/sriov_numvfs")).type());
            SriovConfig config = SriovConfig.builder().sysfsRoot(root).stateDir(tmp.resolve("state")).build();
            try (SriovHost host = SriovHost.open(config)) {
                assertTrue(host.topology().physicalFunction(pf).isPresent(), "discovery through the bind mount");
                int wanted = before == 1 ? 2 : 1;
                assertEquals(wanted, host.enableVfs(pf, wanted, VfEnableOptions.defaults()).numVfs());
                assertEquals(wanted, numVfs(pf), "written to the real sysfs through the bind mount");
                host.enableVfs(pf, before);
            }
        } finally {
            run("umount", root.toString());
            Files.delete(root); // empty once unmounted; fails (and deletes nothing) if it is not
            if (numVfs(pf) != before) {
                Files.writeString(Path.of("/sys/bus/pci/devices/" + pf + "/sriov_numvfs"), "0");
                if (before != 0) {
                    Files.writeString(Path.of("/sys/bus/pci/devices/" + pf + "/sriov_numvfs"), Integer.toString(before));
                }
            }
        }
        assertEquals(before, numVfs(pf));
    }

    @Test
    void aCopyOfTheRealTreeIsReadOnly() throws Exception {
        PciAddress pf = GuestMachine.current().pfs().get(0);
        int before = numVfs(pf);
        Path copy = tmp.resolve("copy");
        SysfsCapture.capture(new NioSysfsAccess(Path.of("/sys")), copy);
        SriovConfig config = SriovConfig.builder().sysfsRoot(copy).stateDir(tmp.resolve("state")).build();
        try (SriovHost host = SriovHost.open(config)) {
            assertEquals(before, host.topology().physicalFunction(pf).orElseThrow().numVfs());
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(pf, before == 1 ? 2 : 1));
            assertEquals(Errno.EROFS, e.errno().orElseThrow(), e.getMessage());
        }
        assertEquals(before, numVfs(pf), "the real PF is untouched");
        try (Stream<Path> s = Files.walk(copy)) {
            assertTrue(s.count() > 100, "the copy holds the tree");
        }
    }
}
