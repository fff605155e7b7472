package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

class NioSysfsAccessTest {

    @TempDir
    Path root;

    @Test
    void pathsResolveAgainstTheInjectedRoot() throws Exception {
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.writeString(root.resolve("bus/pci/devices/x"), "0x8086\n");
        NioSysfsAccess s = new NioSysfsAccess(root);
        assertEquals("0x8086\n", s.read("bus/pci/devices/x"));
        assertEquals(List.of("x"), s.list("bus/pci/devices"));
        assertEquals(root + "/bus/pci/devices/x", s.describe("bus/pci/devices/x"));
    }

    @Test
    void writeNeverCreatesAMissingAttribute() {
        NioSysfsAccess s = new NioSysfsAccess(root);
        SysfsIoException e = assertThrows(SysfsIoException.class, () -> s.write("sriov_numvfs", "1"));
        assertEquals(Errno.ENOENT, e.errno().orElseThrow());
        assertFalse(Files.exists(root.resolve("sriov_numvfs")));
    }

    @Test
    void linksAreReadRawAndByName() throws Exception {
        Files.createDirectories(root.resolve("bus/pci/devices/x"));
        Files.createSymbolicLink(root.resolve("bus/pci/devices/x/driver"), Path.of("../../../bus/pci/drivers/igb"));
        NioSysfsAccess s = new NioSysfsAccess(root);
        assertTrue(s.exists("bus/pci/devices/x/driver"), "a dangling link still exists");
        assertEquals("../../../bus/pci/drivers/igb", s.readLink("bus/pci/devices/x/driver"));
        assertEquals("igb", s.linkName("bus/pci/devices/x/driver").orElseThrow());
        assertTrue(s.linkName("bus/pci/devices/x/nothing").isEmpty());
    }

    @Test
    void readingAFileAsALinkIsEinval() throws Exception {
        Files.writeString(root.resolve("f"), "x");
        SysfsIoException e = assertThrows(SysfsIoException.class, () -> new NioSysfsAccess(root).readLink("f"));
        assertEquals(Errno.EINVAL, e.errno().orElseThrow());
    }

    @Test
    void pathsThatEscapeTheRootAreRefused() {
        NioSysfsAccess s = new NioSysfsAccess(root);
        for (String p : new String[] {"/etc/passwd", "../x", "a/../../x", "a/..", ".."}) {
            assertThrows(IllegalArgumentException.class, () -> s.read(p), p);
        }
    }
}
