package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.testdata.CapturedTrees;

/**
 * What the CLI does with a {@code --sysfs-root} tree that holds what the kernel never writes, or leads elsewhere:
 * exit status 1 with one line naming the file (never 2, "bad usage"), nothing outside the tree read or written, no
 * hang, no raw terminal control sequences, bounded messages; and a captured tree is read-only unless
 * {@code --writable-tree}.
 */
class CliHardeningTest {

    static final String PF = "0000:01:00.0";
    static final String VF2 = "0000:01:10.4";
    static final Duration NEVER_BLOCKS = Duration.ofSeconds(30);

    @TempDir
    Path tmp;
    Path root;

    @BeforeEach
    void unpack() throws Exception {
        root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
    }

    Path dev(String bdf) {
        return root.resolve("bus/pci/devices/" + bdf);
    }

    /** Runs the CLI on the tree, with a state directory of its own. */
    CliTest.Result cli(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--sysfs-root";
        all[1] = root.toString();
        all[2] = "--state-dir";
        all[3] = tmp.resolve("state").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return assertTimeoutPreemptively(NEVER_BLOCKS, () -> CliTest.run(all));
    }

    static void relink(Path link, String target) throws Exception {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(target));
    }

    static void replaceFile(Path p, String content) throws Exception {
        Files.deleteIfExists(p);
        Files.writeString(p, content, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    static void failedNaming(CliTest.Result r, String... words) {
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        for (String w : words) {
            assertTrue(r.err().contains(w), w + " missing from: " + r.err());
        }
    }

    @Test
    void aVirtfnLinkThatIsNotAnAddressIsAFailureNamingTheLinkNotBadUsage() throws Exception {
        relink(dev(PF).resolve("virtfn0"), "../not-a-device");
        failedNaming(cli("detach", PF), "0000:01:00.0/virtfn0", "not-a-device");
        failedNaming(cli("enable-vfs", PF, "3"), "0000:01:00.0/virtfn0");
        failedNaming(cli("list"), "0000:01:00.0/virtfn0");
    }

    @Test
    void aDriverLinkThatIsNotADriverNameIsAFailureNamingTheLink() throws Exception {
        relink(dev(VF2).resolve("driver"), "../../../../bus/pci/drivers/..");
        failedNaming(cli("detach", VF2), "0000:01:10.4/driver");
        failedNaming(cli("show", VF2), "0000:01:10.4/driver");
    }

    @Test
    void showWorksWhenAnUnrelatedDeviceIsMalformedAndListSaysWhichFile() throws Exception {
        replaceFile(root.resolve("bus/pci/devices/0000:00:02.0/vendor"), "virtio!\n");
        CliTest.Result show = cli("show", VF2);
        assertEquals(0, show.status(), show.err());
        assertTrue(show.out().contains("Physical function: 0000:01:00.0 (VF 2)"), show.out());
        assertEquals(0, cli("show", PF, "--json").status());
        failedNaming(cli("list", "--all"), "0000:00:02.0/vendor", "virtio!");
    }

    @Test
    void terminalControlSequencesFromSysfsAreEscapedInTables() throws Exception {
        replaceFile(dev(VF2).resolve("driver_override"), "\u001b[2J\u001b]0;owned\u0007\u009b31m\n");
        Files.move(dev("0000:01:10.0").resolve("net/eth1"), dev("0000:01:10.0").resolve("net/e\u001b[31mx"));
        CliTest.Result show = cli("show", VF2);
        assertEquals(0, show.status(), show.err());
        assertTrue(show.out().contains("\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m"), show.out());
        CliTest.Result list = cli("list");
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("e\\u001b[31mx"), list.out());
        CliTest.Result json = cli("show", VF2, "--json");
        assertTrue(json.out().contains("\\u009b31m"), json.out());
        for (CliTest.Result r : new CliTest.Result[] {show, list, json}) {
            assertTrue(r.out().chars().noneMatch(c -> c == 0x1b || c == 0x07 || c == 0x9b), r.out());
        }
    }

    @Test
    void statusEscapesControlSequencesInTheStateDirectoryName() throws Exception {
        String dir = tmp.resolve("st\u001b[2Jate").toString();
        CliTest.Result missing = CliTest.run("--sysfs-root", root.toString(), "--state-dir", dir, "status");
        assertEquals(0, missing.status(), missing.err());
        assertTrue(missing.out().contains("st\\u001b[2Jate") && missing.out().contains("does not exist"),
                missing.out());
        assertTrue(missing.out().chars().noneMatch(c -> c == 0x1b), missing.out());
    }

    @Test
    void aFifoInTheTreeIsAFailureNotAHang() throws Exception {
        Path numvfs = dev(PF).resolve("sriov_numvfs");
        Files.delete(numvfs);
        Process mk = new ProcessBuilder("mkfifo", numvfs.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor());
        failedNaming(cli("list"), "EINVAL", "0000:01:00.0/sriov_numvfs", "a FIFO");
        failedNaming(cli("enable-vfs", PF, "2"), "0000:01:00.0/sriov_numvfs");
    }

    @Test
    void aHugeAttributeIsAFailureNotAnOutOfMemoryError() throws Exception {
        Path vendor = dev(PF).resolve("vendor");
        Files.delete(vendor);
        try (RandomAccessFile f = new RandomAccessFile(vendor.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        failedNaming(cli("list"), "EFBIG", "0000:01:00.0/vendor");
    }

    @Test
    void anAttributeLinkedOutOfTheTreeIsNeitherReadNorQuoted() throws Exception {
        Path passwd = tmp.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\n");
        relink(dev(PF).resolve("vendor"), passwd.toString());
        CliTest.Result r = cli("list");
        failedNaming(r, "EXDEV", "0000:01:00.0/vendor");
        assertFalse(r.err().contains("root:x") || r.err().contains(passwd.toString()), r.err());
    }

    @Test
    void aCapturedTreeIsReadOnlyUnlessWritableTreeIsGiven() throws Exception {
        String before = Files.readString(dev(VF2).resolve("driver_override"));
        CliTest.Result r = cli("detach", VF2);
        failedNaming(r, "EROFS", "0000:01:10.4/driver_override", "--writable-tree");
        assertEquals(before, Files.readString(dev(VF2).resolve("driver_override")));
        CliTest.Result lease = cli("lease", VF2, "--guest", "vm", "--hold");
        failedNaming(lease, "EROFS");

        CliTest.Result writable = cli("--writable-tree", "detach", VF2);
        failedNaming(writable, "ENODEV", "instead of vfio-pci"); // no kernel binds on a tree on disk
        assertEquals("\n", Files.readString(dev(VF2).resolve("driver_override")),
                "the override restored by one write, not \"\\nfio-pci\"");
    }

    @Test
    void helpDescribesTheWritableTreeOptionAndWhatATreeRefuses() {
        CliTest.Result r = CliTest.run("--help");
        assertTrue(r.out().contains("--writable-tree"), r.out());
        assertTrue(r.out().contains("64 KiB") && r.out().contains("read-only"), r.out());
    }

    @Test
    void errorMessagesQuoteAtMostTwoHundredCharactersOfInput() {
        String huge = "x".repeat(100_000);
        for (String[] args : new String[][] {{huge}, {"list", huge}, {"--sysfs-root", huge, "list"},
            {"enable-vfs", PF, huge}, {"list", "--" + huge}}) {
            CliTest.Result r = CliTest.run(args);
            assertEquals(2, r.status(), r.err());
            assertTrue(r.err().length() < 600, r.err().length() + " characters: "
                    + r.err().substring(0, Math.min(300, r.err().length())));
            assertTrue(r.err().contains("\u2026 (1000"), r.err());
        }
    }
}
