package org.sriov4j.spi.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.sriov4j.Errno;

/**
 * {@link LockQuery} through JNA: {@code open(2)}, {@code fcntl(fd, F_OFD_GETLK, struct flock *)} and {@code close(2)}
 * of the C library. The C library is registered when the first lock state is asked for; if that fails (no JNA native
 * support here), every call says {@link UnsupportedOperationException} and {@link FunctionLocks} reads
 * {@code /proc/locks} as before. Once the kernel answers EINVAL to {@code F_OFD_GETLK} (a kernel before 3.15), it is
 * not asked again.
 */
final class JnaLockQuery implements LockQuery {
    /** The only instance. */
    static final JnaLockQuery INSTANCE = new JnaLockQuery();

    private static final int O_RDONLY = 0;
    private static final int O_NOCTTY = 0400;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    private static final int EINVAL = 22;

    /** Set when the kernel refused {@code F_OFD_GETLK} with EINVAL. */
    private volatile boolean refused;

    private JnaLockQuery() {
    }

    /** The directly mapped C functions; loading this class registers them. */
    private static final class C {
        static {
            Native.register(C.class, NativeLibrary.getInstance("c"));
        }

        private C() {
        }

        // fixed arity for the variadic open(2) and fcntl(2); no "throws LastErrorException" (JNA would throw on a
        // non-zero errno left by a successful call): the result is checked, then the errno read at once
        static native int open(byte[] path, int flags);

        static native int fcntl(int fd, int cmd, Pointer flock);

        static native int close(int fd);
    }

    /** Whether the natives could be registered (false after a failed first attempt, for good). */
    private static final class Natives {
        static final boolean LOADED = load();

        private Natives() {
        }

        private static boolean load() {
            try {
                C.close(-1); // registers the class; EBADF is expected
                return true;
            } catch (LinkageError | RuntimeException x) {
                return false;
            }
        }
    }

    /** Set once the natives were registered (or failed to be). */
    private static volatile boolean touched;

    @Override
    public boolean ready() {
        return touched;
    }

    private static void available() {
        touched = true;
        if (!Natives.LOADED) {
            throw new UnsupportedOperationException("the C library cannot be called through JNA here");
        }
    }

    @Override
    public int open(Path file) throws IOException {
        available();
        byte[] name = file.toString().getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[name.length + 1];
        System.arraycopy(name, 0, c, 0, name.length);
        for (byte b : name) {
            if (b == 0) {
                throw new FileSystemException(file.toString(), null, "EINVAL: a path with a NUL byte");
            }
        }
        while (true) {
            int fd = C.open(c, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
            if (fd >= 0) {
                return fd;
            }
            int errno = Native.getLastError();
            if (errno == EINTR) {
                continue;
            }
            if (errno == ENOENT) {
                throw new NoSuchFileException(file.toString());
            }
            throw new FileSystemException(file.toString(), null, reason("open", errno));
        }
    }

    @Override
    public State writeLock(int fd) throws IOException {
        available();
        if (refused) {
            throw new UnsupportedOperationException("the kernel does not know F_OFD_GETLK");
        }
        try (Memory flock = new Memory(FLOCK_SIZE)) {
            flock.clear();
            flock.setShort(L_TYPE, F_RDLCK);
            flock.setShort(L_WHENCE, SEEK_SET);
            flock.setLong(L_START, 0);
            flock.setLong(L_LEN, 0);
            flock.setInt(L_PID, 0);
            if (C.fcntl(fd, F_OFD_GETLK, flock) < 0) {
                int errno = Native.getLastError();
                if (errno == EINVAL) {
                    refused = true;
                    throw new UnsupportedOperationException("the kernel does not know F_OFD_GETLK (EINVAL)");
                }
                throw new IOException(reason("fcntl(F_OFD_GETLK)", errno));
            }
            return decode(flock.getShort(L_TYPE), flock.getInt(L_PID));
        }
    }

    /**
     * What a {@code struct flock} returned by {@code F_OFD_GETLK} for a read-lock request says.
     *
     * @param type its {@code l_type}
     * @param pid its {@code l_pid}
     * @return the state
     * @throws IOException if the type is neither {@code F_UNLCK} nor {@code F_WRLCK}
     */
    static State decode(short type, int pid) throws IOException {
        if (type == F_UNLCK) {
            return State.FREE;
        }
        if (type == F_WRLCK) {
            return new State(true, pid);
        }
        throw new IOException("F_OFD_GETLK returned lock type " + type + " for a read-lock request");
    }

    @Override
    public void close(int fd) {
        if (Natives.LOADED) {
            C.close(fd); // errors (EINTR, EIO) leave the descriptor closed on Linux
        }
    }

    private static String reason(String call, int errno) {
        // the strerror text last, as the JDK puts it: LedgerFormat.errno finds the Errno by it
        return call + " failed: " + Errno.ofNumber(errno).map(Errno::message).orElse("errno " + errno);
    }
}
