package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Asks the kernel whether a file is write-locked, and by which process, without taking a lock and without reading the
 * host's whole lock table ({@code /proc/locks}): {@code fcntl(fd, F_OFD_GETLK, struct flock *)} on a descriptor of
 * the file (docs/kernel-facts.md, "Lock state of a lock file"). The seam between {@link FunctionLocks} and the
 * kernel: the real one is {@link JnaLockQuery}; tests give their own ({@link #UNAVAILABLE} makes every query fall back
 * to {@code /proc/locks}).
 *
 * <p>Descriptors are plain numbers. Whoever opens one with {@link #open} must know that closing it drops every POSIX
 * record lock this process holds on the file (through any descriptor): {@link FunctionLocks} does not close one when
 * {@link #writeLock} names this process as the holder.
 */
interface LockQuery {

    /** {@code F_OFD_GETLK} (include/uapi/asm-generic/fcntl.h; Linux 3.15 and later). */
    int F_OFD_GETLK = 36;
    /** {@code F_RDLCK}. */
    short F_RDLCK = 0;
    /** {@code F_WRLCK}. */
    short F_WRLCK = 1;
    /** {@code F_UNLCK}. */
    short F_UNLCK = 2;
    /** {@code SEEK_SET}. */
    short SEEK_SET = 0;
    /** {@code sizeof(struct flock)} on 64-bit Linux (x86-64, aarch64: asm-generic's layout, padded to 8 bytes). */
    int FLOCK_SIZE = 32;
    /** Offset of {@code short l_type}. */
    int L_TYPE = 0;
    /** Offset of {@code short l_whence}. */
    int L_WHENCE = 2;
    /** Offset of {@code __kernel_off_t l_start} (64 bits). */
    int L_START = 8;
    /** Offset of {@code __kernel_off_t l_len} (64 bits; 0: to the end of the file, however far). */
    int L_LEN = 16;
    /** Offset of {@code __kernel_pid_t l_pid} (32 bits; must be 0 in an OFD request). */
    int L_PID = 24;

    /**
     * What the kernel says of a file.
     *
     * @param writeLocked whether someone holds a write lock on some part of it
     * @param pid the holder's process as this process's pid namespace sees it, or 0 or less if the kernel does not
     *     name one (an OFD lock reports -1; a process not visible in this namespace, 0)
     */
    record State(boolean writeLocked, long pid) {
        /** No write lock. */
        static final State FREE = new State(false, 0);
    }

    /**
     * Whether the seam is set up already (its first call registers the C library, which a short-lived command that
     * needs no lock state should not pay for).
     *
     * @return true once a call has been made, or if there is nothing to set up
     */
    default boolean ready() {
        return true;
    }

    /**
     * Opens a file for reading, not following a symbolic link ({@code O_RDONLY | O_NOFOLLOW | O_CLOEXEC}).
     *
     * @param file the file
     * @return the descriptor
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException with the errno's name in its reason if it cannot be opened (ELOOP for a symbolic link)
     * @throws UnsupportedOperationException if this seam cannot run here (no C library, not Linux)
     */
    int open(Path file) throws IOException;

    /**
     * Whether a read lock on the whole file would conflict: that is, whether any process (this one included: an OFD
     * request conflicts with this process's own POSIX locks) holds a write lock on part of it. Read locks are not
     * reported.
     *
     * @param fd a descriptor from {@link #open}
     * @return the state
     * @throws IOException with the errno's name in its reason if the kernel refuses
     * @throws UnsupportedOperationException if the kernel does not know {@code F_OFD_GETLK} (EINVAL before 3.15) or
     *     this seam cannot run here
     */
    State writeLock(int fd) throws IOException;

    /**
     * Closes a descriptor (which drops this process's POSIX locks on the file, see above).
     *
     * @param fd a descriptor from {@link #open}
     */
    void close(int fd);

    /** A seam that is never available: every query falls back to {@code /proc/locks}. */
    LockQuery UNAVAILABLE = new LockQuery() {
        @Override
        public int open(Path file) {
            throw new UnsupportedOperationException("no F_OFD_GETLK");
        }

        @Override
        public State writeLock(int fd) {
            throw new UnsupportedOperationException("no F_OFD_GETLK");
        }

        @Override
        public void close(int fd) {
            // nothing is ever opened
        }
    };
}
