package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;

/**
 * The {@code F_OFD_GETLK} seam: its constants and {@code struct flock} layout against include/uapi/asm-generic/fcntl.h
 * (x86-64 and aarch64 use that header's layout), and its answers from the build machine's own kernel for locks this
 * process takes with {@link FileChannel} (POSIX record locks, like {@link FunctionLocks}'). Other processes' locks:
 * {@link FunctionLocksTest}.
 */
class JnaLockQueryTest {

    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void constantsAndStructFlockLayoutAreTheUapiHeaders() {
        assertEquals(36, LockQuery.F_OFD_GETLK);
        assertEquals(0, LockQuery.F_RDLCK);
        assertEquals(1, LockQuery.F_WRLCK);
        assertEquals(2, LockQuery.F_UNLCK);
        assertEquals(0, LockQuery.SEEK_SET);
        // short l_type; short l_whence; __kernel_off_t l_start; __kernel_off_t l_len; __kernel_pid_t l_pid; (pad)
        assertEquals(0, LockQuery.L_TYPE);
        assertEquals(2, LockQuery.L_WHENCE);
        assertEquals(8, LockQuery.L_START, "l_start is 8-byte aligned after two shorts");
        assertEquals(16, LockQuery.L_LEN);
        assertEquals(24, LockQuery.L_PID);
        assertEquals(32, LockQuery.FLOCK_SIZE, "4-byte l_pid padded to the struct's 8-byte alignment");
    }

    @Test
    void theReturnedLockTypeSaysWhetherAWriteLockConflicts() throws IOException {
        assertEquals(LockQuery.State.FREE, JnaLockQuery.decode(LockQuery.F_UNLCK, 0));
        assertEquals(new LockQuery.State(true, 4711), JnaLockQuery.decode(LockQuery.F_WRLCK, 4711));
        assertEquals(new LockQuery.State(true, -1), JnaLockQuery.decode(LockQuery.F_WRLCK, -1), "an OFD lock");
        assertThrows(IOException.class, () -> JnaLockQuery.decode(LockQuery.F_RDLCK, 1),
                "a read-lock request never conflicts with a read lock");
    }

    @Test
    void thisProcesssOwnWriteLockIsReportedWithItsPidAndReadLocksAreNot() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        LockQuery q = JnaLockQuery.INSTANCE;
        Path f = Files.createFile(dir.resolve("f.lock"));
        int fd = q.open(f);
        try {
            assertEquals(LockQuery.State.FREE, q.writeLock(fd));
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock l = ch.tryLock();
                assertTrue(l != null);
                // an OFD request conflicts with this process's own POSIX lock, and names this process
                assertEquals(new LockQuery.State(true, PID), q.writeLock(fd));
                l.release();
                assertEquals(LockQuery.State.FREE, q.writeLock(fd));
                FileLock shared = ch.tryLock(0, Long.MAX_VALUE, true);
                assertTrue(shared != null);
                assertEquals(LockQuery.State.FREE, q.writeLock(fd), "a read lock is not a write lock");
                shared.release();
                // a lock on part of the file counts (the query covers the whole file)
                FileLock part = ch.tryLock(100, 1, false);
                assertEquals(new LockQuery.State(true, PID), q.writeLock(fd));
                part.release();
            }
        } finally {
            q.close(fd);
        }
    }

    @Test
    void closingAnyDescriptorOfTheFileDropsThisProcesssLock() throws IOException {
        // why FunctionLocks keeps a query's descriptor open when the kernel names this process
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        LockQuery q = JnaLockQuery.INSTANCE;
        Path f = Files.createFile(dir.resolve("g.lock"));
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertTrue(ch.tryLock() != null);
            int other = q.open(f);
            q.close(other);
            int fd = q.open(f);
            try {
                assertEquals(LockQuery.State.FREE, q.writeLock(fd));
            } finally {
                q.close(fd);
            }
        }
    }

    @Test
    void anAbsentFileAndASymbolicLinkAreRefusedWithTheirErrno() throws IOException {
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        LockQuery q = JnaLockQuery.INSTANCE;
        assertThrows(NoSuchFileException.class, () -> q.open(dir.resolve("none.lock")));
        Path target = Files.createFile(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("link.lock"), target);
        IOException e = assertThrows(IOException.class, () -> q.open(link));
        assertFalse(e instanceof NoSuchFileException);
        assertEquals(Errno.ELOOP, LedgerFormat.errno(e), e.getMessage());
        assertTrue(q.ready());
    }
}
