package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/** What the state directory must look like: refused unless a real directory of this user that others cannot write. */
class StateDirectoryTest {

    static final PciAddress VF = PciAddress.parse("0000:01:10.0");

    @TempDir
    Path tmp;

    static long myUid() throws Exception {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    @Test
    void aMissingStateDirectoryIsCreatedWith0700AndReadersCreateNothing() {
        Path sd = tmp.resolve("state");
        Ledger ledger = new Ledger(sd);
        assertEquals(List.of(), ledger.scan().entries());
        assertFalse(Files.exists(sd), "reading creates nothing");
        assertFalse(ledger.stateDirectoryExists());
        assertTrue(new FunctionLocks(sd).tryLock(VF, "t").isPresent());
        assertTrue(Files.isDirectory(sd.resolve("locks")));
        assertEquals("rwx------", mode(sd));
        assertEquals("rwx------", mode(sd.resolve("locks")));
    }

    @Test
    void aStateDirectoryThatIsASymbolicLinkIsRefusedNeverFollowed() throws Exception {
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        SriovException e = assertThrows(SriovException.class, () -> new Ledger(link).scan());
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains(link.toString()),
                e.getMessage());
        assertThrows(SriovException.class, () -> new FunctionLocks(link).tryLock(VF, "t"));
        assertEquals(List.of(), listing(real), "nothing was written through the link");
    }

    @Test
    void aLedgerOrLocksSubdirectoryThatIsALinkIsRefused() throws Exception {
        Path sd = Files.createDirectory(tmp.resolve("state"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(sd.resolve("ledger"), elsewhere);
        Files.createSymbolicLink(sd.resolve("locks"), elsewhere);
        assertThrows(SriovException.class, () -> new Ledger(sd).scan());
        assertThrows(SriovException.class, () -> new FunctionLocks(sd).tryLock(VF, "t"));
        assertEquals(List.of(), listing(elsewhere));
    }

    @Test
    void aDirectoryOthersCanWriteIsRefusedNamingItsMode() throws Exception {
        Path sd = Files.createDirectory(tmp.resolve("state"));
        Files.setPosixFilePermissions(sd, PosixFilePermissions.fromString("rwxrwxrwx"));
        SriovException e = assertThrows(SriovException.class, () -> new Ledger(sd).scan());
        assertEquals(Optional.of(Errno.EPERM), e.errno());
        assertTrue(e.getMessage().contains("0777"), e.getMessage());
        Files.setPosixFilePermissions(sd, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(List.of(), new Ledger(sd).scan().entries(), "readable by others is fine, writable is not");
        Files.createDirectory(sd.resolve("ledger"));
        Files.setPosixFilePermissions(sd.resolve("ledger"), PosixFilePermissions.fromString("rwxrwx---"));
        assertThrows(SriovException.class, () -> new Ledger(sd).scan());
    }

    @Test
    void aDirectoryOfAnotherUserIsRefused() throws Exception {
        Path sd = Files.createDirectory(tmp.resolve("state"));
        StateDirectory other = new StateDirectory(sd, OptionalLong.of(myUid() + 4242));
        SriovException e = assertThrows(SriovException.class, () -> other.subdirectory("ledger", false));
        assertTrue(e.getMessage().contains("owned by uid " + myUid()), e.getMessage());
        assertNull(new StateDirectory(sd, OptionalLong.of(myUid())).subdirectory("ledger", false));
    }

    @Test
    void aStateDirectoryReplacedOrChangedAfterItsCheckIsRefusedAtTheNextUse() throws Exception {
        Path sd = tmp.resolve("state");
        StateDirectory dir = new StateDirectory(sd, OptionalLong.of(myUid()));
        Path ledger = dir.subdirectory("ledger", true);
        assertEquals(sd.resolve("ledger"), ledger);
        assertEquals(ledger, dir.subdirectory("ledger", false), "checked again, still fine");

        // replaced by whoever may write its parent: a directory others may write, with a ledger/ of the right mode
        Files.move(sd, tmp.resolve("moved"));
        Files.createDirectories(sd.resolve("ledger"));
        Files.setPosixFilePermissions(sd.resolve("ledger"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(sd, PosixFilePermissions.fromString("rwxrwxrwx"));
        SriovException e = assertThrows(SriovException.class, () -> dir.subdirectory("ledger", false));
        assertTrue(e.getMessage().contains("0777"), e.getMessage());

        // put right, then the subdirectory itself made writable by others after its check
        Files.setPosixFilePermissions(sd, PosixFilePermissions.fromString("rwx------"));
        assertEquals(ledger, dir.subdirectory("ledger", false));
        Files.setPosixFilePermissions(sd.resolve("ledger"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(SriovException.class, () -> dir.subdirectory("ledger", false));

        // and replaced by a symbolic link
        Files.setPosixFilePermissions(sd.resolve("ledger"), PosixFilePermissions.fromString("rwx------"));
        assertEquals(ledger, dir.subdirectory("ledger", false));
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.delete(sd.resolve("ledger"));
        Files.createSymbolicLink(sd.resolve("ledger"), target);
        assertThrows(SriovException.class, () -> dir.subdirectory("ledger", false));

        // removed: readers find nothing, writers create it again
        Files.delete(sd.resolve("ledger"));
        assertNull(dir.subdirectory("ledger", false));
        assertEquals(ledger, dir.subdirectory("ledger", true));
        assertTrue(Files.isDirectory(ledger));
    }

    @Test
    void aStateDirectoryThatIsAFileIsAnErrorNotAnEmptyLedger() throws Exception {
        Path file = Files.writeString(tmp.resolve("state"), "not a directory");
        SriovException e = assertThrows(SriovException.class, () -> new Ledger(file).scan());
        assertEquals(Optional.of(Errno.ENOTDIR), e.errno());
    }

    static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Path> listing(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }
}
