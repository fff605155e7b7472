package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

/**
 * What {@link NioSysfsAccess} and {@link NioDeviceNodeAccess} refuse on a tree on disk: links out of the root, files
 * that are not regular, attributes longer than a page, writes to a tree that is not sysfs. Each refusal names the path
 * inside the tree and never quotes anything outside it.
 */
class NioTreeHardeningTest {

    static final String DEV = "bus/pci/devices/0000:01:00.0";
    static final Duration NEVER_BLOCKS = Duration.ofSeconds(20);

    @TempDir
    Path root;
    @TempDir
    Path outside;

    /** A device directory with one attribute, {@code vendor}. */
    void device() throws Exception {
        Files.createDirectories(root.resolve(DEV));
        Files.writeString(root.resolve(DEV + "/vendor"), "0x8086\n");
    }

    static SysfsIoException refused(Errno errno, Executable call) {
        SysfsIoException e = assertTimeoutPreemptively(NEVER_BLOCKS, () -> assertThrows(SysfsIoException.class, call));
        assertEquals(errno, e.errno().orElse(null), e.getMessage());
        return e;
    }

    static void mkfifo(Path p) throws Exception {
        Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo " + p);
    }

    // --- links out of the root -----------------------------------------------------------------------------------

    @Test
    void anAttributeLinkedOutOfTheRootIsNeitherReadNorQuoted() throws Exception {
        device();
        Files.writeString(outside.resolve("passwd"), "root:x:0:0:secret\n");
        Files.delete(root.resolve(DEV + "/vendor"));
        Files.createSymbolicLink(root.resolve(DEV + "/vendor"), outside.resolve("passwd"));
        SysfsIoException e = refused(Errno.EXDEV, () -> new NioSysfsAccess(root).read(DEV + "/vendor"));
        assertTrue(e.getMessage().contains(root + "/" + DEV + "/vendor"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertFalse(e.getMessage().contains(outside.toString()), e.getMessage());
    }

    @Test
    void aDeviceDirectoryLinkedOutOfTheRootIsRefusedForEveryOperation() throws Exception {
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.writeString(outside.resolve("driver_override"), "(null)\n");
        Files.writeString(outside.resolve("vendor"), "secret\n");
        Files.createSymbolicLink(outside.resolve("driver"), Path.of("x"));
        Files.createSymbolicLink(root.resolve(DEV), outside);
        NioSysfsAccess s = new NioSysfsAccess(root, true);
        refused(Errno.EXDEV, () -> s.read(DEV + "/vendor"));
        refused(Errno.EXDEV, () -> s.write(DEV + "/driver_override", "vfio-pci"));
        refused(Errno.EXDEV, () -> s.list(DEV));
        refused(Errno.EXDEV, () -> s.readLink(DEV + "/driver"));
        refused(Errno.EXDEV, () -> s.exists(DEV + "/vendor"));
        assertEquals("(null)\n", Files.readString(outside.resolve("driver_override")), "nothing written outside");
        assertTrue(s.exists(DEV), "the link itself is inside the tree");
    }

    @Test
    void aWriteThroughADriversLinkOutOfTheRootChangesNothingOutside() throws Exception {
        Files.createDirectories(root.resolve("bus/pci/drivers"));
        Files.writeString(outside.resolve("unbind"), "");
        Files.writeString(outside.resolve("drivers_probe"), "");
        Files.createSymbolicLink(root.resolve("bus/pci/drivers/igb"), outside);
        Files.createSymbolicLink(root.resolve("bus/pci/drivers_probe"), outside.resolve("drivers_probe"));
        NioSysfsAccess s = new NioSysfsAccess(root, true);
        refused(Errno.EXDEV, () -> s.write("bus/pci/drivers/igb/unbind", "0000:01:10.0"));
        refused(Errno.EXDEV, () -> s.write("bus/pci/drivers_probe", "0000:01:10.0"));
        assertEquals("", Files.readString(outside.resolve("unbind")));
        assertEquals("", Files.readString(outside.resolve("drivers_probe")));
    }

    @Test
    void aLinkWhoseTargetLeavesTheRootIsNotReadEvenWhenItDoesNotExist() throws Exception {
        device();
        Files.createSymbolicLink(root.resolve(DEV + "/driver"), Path.of("../../../../../../../../../../../etc/igb"));
        Files.createSymbolicLink(root.resolve(DEV + "/physfn"), Path.of("/nonexistent/0000:01:00.0"));
        NioSysfsAccess s = new NioSysfsAccess(root);
        refused(Errno.EXDEV, () -> s.readLink(DEV + "/driver"));
        refused(Errno.EXDEV, () -> s.linkName(DEV + "/physfn"));
    }

    @Test
    void linksBetweenPlacesInsideTheRootAreFollowedAsInRealSysfs() throws Exception {
        Path real = root.resolve("devices/pci0000:00/0000:00:02.0/0000:01:00.0");
        Files.createDirectories(real);
        Files.writeString(real.resolve("vendor"), "0x8086\n");
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.createDirectories(root.resolve("bus/pci/drivers/igb"));
        Files.createSymbolicLink(root.resolve(DEV), Path.of("../../../devices/pci0000:00/0000:00:02.0/0000:01:00.0"));
        Files.createSymbolicLink(real.resolve("driver"), Path.of("../../../../bus/pci/drivers/igb"));
        NioSysfsAccess s = new NioSysfsAccess(root);
        assertEquals("0x8086\n", s.read(DEV + "/vendor"));
        assertEquals(List.of("driver", "vendor"), s.list(DEV));
        assertEquals("igb", s.linkName(DEV + "/driver").orElseThrow());
        assertTrue(s.exists(DEV + "/vendor"));
    }

    @Test
    void aRootReachedThroughALinkIsItsOwnRealPath() throws Exception {
        device();
        Path alias = outside.resolve("alias");
        Files.createSymbolicLink(alias, root);
        assertEquals("0x8086\n", new NioSysfsAccess(alias).read(DEV + "/vendor"));
    }

    @Test
    void aDeviceRemovedAndCreatedElsewhereIsFoundAgain() throws Exception {
        Path first = root.resolve("devices/a");
        Path second = root.resolve("devices/b");
        Files.createDirectories(first);
        Files.createDirectories(second);
        Files.writeString(first.resolve("vendor"), "0x8086\n");
        Files.writeString(second.resolve("vendor"), "0x15b3\n");
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.createSymbolicLink(root.resolve(DEV), Path.of("../../../devices/a"));
        NioSysfsAccess s = new NioSysfsAccess(root);
        assertEquals("0x8086\n", s.read(DEV + "/vendor"));
        Files.delete(first.resolve("vendor"));
        Files.delete(first);
        Files.delete(root.resolve(DEV));
        Files.createSymbolicLink(root.resolve(DEV), Path.of("../../../devices/b"));
        assertEquals("0x15b3\n", s.read(DEV + "/vendor"), "a remembered directory that is gone is looked up again");
        assertTrue(s.exists(DEV + "/vendor"));
        assertEquals(List.of("vendor"), s.list(DEV));
    }

    @Test
    void aLinkLoopIsEloopNamingThePath() throws Exception {
        device();
        Files.createSymbolicLink(root.resolve(DEV + "/a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve(DEV + "/b"), Path.of("a"));
        SysfsIoException e = refused(Errno.ELOOP, () -> new NioSysfsAccess(root).read(DEV + "/a"));
        assertTrue(e.getMessage().contains("ELOOP (Too many levels of symbolic links)"), e.getMessage());
        assertTrue(e.getMessage().contains(DEV + "/a"), e.getMessage());
    }

    @Test
    void aNameTooLongIsEnametoolong() throws Exception {
        device();
        refused(Errno.ENAMETOOLONG, () -> new NioSysfsAccess(root).read(DEV + "/" + "x".repeat(300)));
    }

    // --- files that are not regular, and size ----------------------------------------------------------------------

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        device();
        mkfifo(root.resolve(DEV + "/sriov_numvfs"));
        NioSysfsAccess s = new NioSysfsAccess(root, true);
        SysfsIoException read = refused(Errno.EINVAL, () -> s.read(DEV + "/sriov_numvfs"));
        assertTrue(read.getMessage().contains("a FIFO") && read.getMessage().contains(DEV + "/sriov_numvfs"),
                read.getMessage());
        refused(Errno.EINVAL, () -> s.write(DEV + "/sriov_numvfs", "1"));
    }

    @Test
    void listingAFifoWhereADirectoryWasIsEnotdirWithoutBlocking() throws Exception {
        // found by TopologyScanFuzzTest: NIO opens a directory with O_RDONLY and no O_DIRECTORY, which blocks on a
        // FIFO until a writer comes
        device();
        Path fifo = root.resolve("kernel/fifo-for-a-directory");
        Files.createDirectories(fifo.getParent());
        mkfifo(fifo);
        SysfsIoException e = refused(Errno.ENOTDIR, () -> new NioSysfsAccess(root).list("kernel/fifo-for-a-directory"));
        assertTrue(e.getMessage().contains("kernel/fifo-for-a-directory"), e.getMessage());
    }

    @Test
    void aLinkToDevZeroIsRefusedAndNothingIsRead() throws Exception {
        device();
        Files.delete(root.resolve(DEV + "/vendor"));
        Files.createSymbolicLink(root.resolve(DEV + "/vendor"), Path.of("/dev/zero"));
        refused(Errno.EXDEV, () -> new NioSysfsAccess(root).read(DEV + "/vendor"));
    }

    @Test
    void aDeviceNodeInsideTheTreeIsRefused() throws Exception {
        // a tree rooted at /dev: /dev/zero is inside it, and still not an attribute
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        SysfsIoException e = refused(Errno.EINVAL, () -> new NioSysfsAccess(Path.of("/dev")).read("zero"));
        assertTrue(e.getMessage().contains("a character device"), e.getMessage());
    }

    @Test
    void aDirectoryIsEisdir() throws Exception {
        device();
        refused(Errno.EISDIR, () -> new NioSysfsAccess(root).read(DEV));
    }

    @Test
    void aHugeFileIsRefusedAfterReadingAtMostAPage() throws Exception {
        device();
        try (RandomAccessFile f = new RandomAccessFile(root.resolve(DEV + "/config").toFile(), "rw")) {
            f.setLength(3L << 30); // 3 GiB, sparse: reading it whole would exhaust the heap
        }
        SysfsIoException e = refused(Errno.EFBIG, () -> new NioSysfsAccess(root).read(DEV + "/config"));
        assertTrue(e.getMessage().contains(DEV + "/config") && e.getMessage().contains("65536"), e.getMessage());
    }

    @Test
    void anAttributeOfExactlyTheLimitIsReadAndOneByteMoreIsNot() throws Exception {
        device();
        byte[] page = "a".repeat(NioSysfsAccess.MAX_ATTRIBUTE_BYTES).getBytes(StandardCharsets.ISO_8859_1);
        Files.write(root.resolve(DEV + "/big"), page);
        Files.write(root.resolve(DEV + "/bigger"), ("b" + new String(page, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1));
        NioSysfsAccess s = new NioSysfsAccess(root);
        assertEquals(NioSysfsAccess.MAX_ATTRIBUTE_BYTES, s.read(DEV + "/big").length());
        refused(Errno.EFBIG, () -> s.read(DEV + "/bigger"));
        assertEquals("0x8086\n", s.read(DEV + "/vendor"));
    }

    // --- captured trees stay read-only ------------------------------------------------------------------------------

    @Test
    void aTreeThatIsNotSysfsIsReadOnlyByDefault() throws Exception {
        device();
        Files.writeString(root.resolve(DEV + "/driver_override"), "(null)\n");
        SysfsIoException e = refused(Errno.EROFS,
                () -> new NioSysfsAccess(root).write(DEV + "/driver_override", "vfio-pci"));
        assertTrue(e.getMessage().contains(DEV + "/driver_override"), e.getMessage());
        assertTrue(e.getMessage().contains("--writable-tree") && e.getMessage().contains("writableTree()"),
                e.getMessage());
        assertEquals("(null)\n", Files.readString(root.resolve(DEV + "/driver_override")));
    }

    @Test
    void aTreeThatIsNotSysfsStaysReadOnlyOnEveryWriteOfOneAccessor() throws Exception {
        // the file system type is looked up once per device and remembered: the answer stays the same
        device();
        Files.writeString(root.resolve(DEV + "/driver_override"), "(null)\n");
        NioSysfsAccess s = new NioSysfsAccess(root);
        for (int i = 0; i < 3; i++) {
            refused(Errno.EROFS, () -> s.write(DEV + "/driver_override", "vfio-pci"));
        }
        assertEquals("(null)\n", Files.readString(root.resolve(DEV + "/driver_override")));
    }

    @Test
    void aWritableTreeHoldsExactlyWhatWasLastWritten() throws Exception {
        device();
        Files.writeString(root.resolve(DEV + "/driver_override"), "(null)\n");
        NioSysfsAccess s = new NioSysfsAccess(root, true);
        s.write(DEV + "/driver_override", "vfio-pci");
        assertEquals("vfio-pci", Files.readString(root.resolve(DEV + "/driver_override")));
        s.write(DEV + "/driver_override", "\n");
        assertEquals("\n", Files.readString(root.resolve(DEV + "/driver_override")),
                "the file is replaced, not overwritten in place (was \"\\nfio-pci\")");
    }

    @Test
    void theKernelsSysfsIsRecognisedAsWritable() throws Exception {
        Path sys = Path.of("/sys/kernel");
        assumeTrue(Files.isDirectory(sys) && Files.getFileStore(sys).type().equals("sysfs"), "no sysfs here");
        // only the decision is checked: nothing is written to the real /sys
        assertTrue(NioSysfsAccess.isSysfs(sys));
        assertFalse(NioSysfsAccess.isSysfs(root));
    }

    // --- /dev --------------------------------------------------------------------------------------------------------

    @Test
    void deviceNodesOutOfTheDevRootAreRefused() throws Exception {
        Files.createDirectories(outside.resolve("vfio"));
        Files.writeString(outside.resolve("vfio/12"), "");
        Files.createSymbolicLink(root.resolve("vfio"), outside.resolve("vfio"));
        NioDeviceNodeAccess d = new NioDeviceNodeAccess(root);
        refused(Errno.EXDEV, () -> d.exists("vfio/12"));
        refused(Errno.EXDEV, () -> d.list("vfio"));
        assertTrue(d.list("iommu").isEmpty(), "a missing directory is still empty");
        assertFalse(d.exists("iommu"));
    }
}
