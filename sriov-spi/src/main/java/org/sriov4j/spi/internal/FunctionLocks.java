package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/**
 * Exclusive ownership of PCI functions across the threads of this JVM and across the processes of this host: one
 * lock file per function, {@code <stateDir>/locks/<BDF>.lock}, locked whole with {@link FileChannel#tryLock()} by
 * the live holder. The kernel frees the lock when the holder's process dies, however it dies.
 *
 * <pre>{@code
 * FunctionLocks locks = new FunctionLocks(config.stateDir());
 * try (FunctionLock lock = locks.tryLock(vf, "vm-42").orElseThrow(() -> busy(vf, locks.holder(vf)))) {
 *     // vf is ours until close
 * }
 * }</pre>
 *
 * <h2>Pitfalls this class handles</h2>
 * <ul>
 *   <li><b>A JVM does not conflict with itself.</b> The locks are POSIX record locks, which belong to the process:
 *       a second {@code tryLock} from the same JVM on another channel would not fail in the kernel. A static
 *       registry, keyed by the lock file's real path, records which functions this JVM holds; a second
 *       {@code tryLock} in the same JVM finds it there and fails.
 *   <li><b>Closing any descriptor of a lock file drops this process's lock on it.</b> (POSIX: the lock goes when the
 *       process closes <i>any</i> descriptor of the file.) So while this JVM holds a function, nothing here opens
 *       its lock file again: {@link #holder} and {@link #isHeld} answer from the registry, and for other processes'
 *       locks they ask the kernel about the one file with {@code fcntl(F_OFD_GETLK)} ({@link LockQuery}; where that
 *       cannot answer, they read {@code /proc/locks}) instead of probing with a lock of their own (a probe would also
 *       make a concurrent {@code tryLock} of another process fail for no reason). The query's descriptor is closed
 *       again only when the kernel names no lock of this process on the file. Every opening of a lock file by this
 *       class happens under the function's registry slot, so two threads never have it open at once. Code outside
 *       this class must not open lock files.
 *   <li><b>Unlinking a lock file can break mutual exclusion</b>: a process that opened the old file before the
 *       unlink can lock it afterwards while another process locks the new file at the same path. Lock files are
 *       therefore only removed by {@link #removeIfFree}, while holding the lock, and every locker checks after
 *       locking that the path still names the file it locked (comparing {@link BasicFileAttributes#fileKey()} of
 *       the path with that of its own descriptor, found under {@code /proc/self/fd}); if not, it starts over. The
 *       descriptor is found without listing every descriptor of the process (which cost a {@code readlink} per
 *       open file, so a lease cost more the more leases the process held): the descriptor number the path's
 *       channel had last time is checked first, by its link (and, once a channel of the path was kept open forever
 *       because this JVM holds the same file through another path, e.g. a bind mount, also by a unique position
 *       given to the caller's channel, read from {@code /proc/self/fdinfo}); the full listing remains the fallback.
 *   <li><b>The lock file's channel is kept between locks</b> ({@link Slot#channel}): a release unlocks it
 *       ({@code F_UNLCK}) and keeps it open, unlocked, for the next lock of the same function in this JVM, which then
 *       needs no {@code open}, and whose identity check is one {@code lstat} of the path compared with the file key
 *       the channel's first check established (the channel's file cannot change, and its inode number cannot be
 *       reused while the channel keeps it open). An unlocked descriptor blocks no other process and holds nothing
 *       that a crash must give back; at most {@value #MAX_IDLE} are kept.
 * </ul>
 *
 * <p>On success the holder writes who it is into the file (pid, process start, description, time), so that others
 * can say who holds a function ({@link #holder}). That text is only a claim: the holder is the process the kernel
 * names as the lock's owner ({@code F_OFD_GETLK}'s {@code l_pid}, or {@code /proc/locks}), and the text is
 * believed only when its pid and start time are that process's ({@link Holder#confirmed()}). It is not forced to
 * disk (nothing reads it after a crash of the holder or the host: the lock is gone then); what must survive a crash
 * is in the {@link Ledger}. The directory is created
 * with mode 0700 (and checked like the rest of the state directory, {@link StateDirectory}), lock files with 0600; a
 * lock file that is a symbolic link is never opened.
 *
 * <h2>Leases that no process holds the lock of</h2>
 * A lease tied to another process, or durable, outlives the process that took it, so no process holds its lock
 * while it lasts. Such a lease is recorded in the function's ledger entry ({@link LedgerEntry#lease()}), written
 * while the taker held the lock. Exclusivity then rests on lock-then-check: everyone who changes a function or its
 * entry first takes this lock, then reads the entry, and refuses if it records a live lease (durable, or tied to a
 * process that runs with the recorded start time). The entry is written before the lock is released, so whoever takes
 * the lock next sees it; two racing takers both need the lock, so at most one of them writes.
 */
final class FunctionLocks {

    /** The lock file's first line. */
    static final String MAGIC = "sriov4j-lock 1";
    /** Longest accepted holder description. */
    static final int MAX_DESCRIPTION = 1024;
    /** How often {@link #tryLock} starts over because the lock file was replaced while it locked. */
    static final int MAX_ATTEMPTS = 16;

    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");
    private static final Path PROC_SELF_FDINFO = Path.of("/proc/self/fdinfo");
    /**
     * Where {@link #mark}'s positions start: 1 TiB, past any lock file's text and within every Linux file system's
     * largest offset (ext4's is 16 TiB).
     */
    private static final long TOKEN_BASE = 1L << 40;
    /** Makes {@link #mark}'s positions unique in this JVM. */
    private static final java.util.concurrent.atomic.AtomicLong TOKENS = new java.util.concurrent.atomic.AtomicLong();
    /** The descriptor number of the channel verified last, or -1: {@link #verify(Path, Slot, long)}'s second guess. */
    private static volatile int lastFd = -1;
    private static final Set<OpenOption> OPEN = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> OPEN_CREATE = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS, StandardOpenOption.CREATE);
    private static final Path PROC_LOCKS = Path.of("/proc/locks");
    private static final long PID = ProcessHandle.current().pid();

    /**
     * This JVM's view of every lock file it has touched, by real path. Each slot's monitor serialises everything
     * this JVM does with that file; {@link Slot#held} is the lock this JVM holds on it. Slots are never removed
     * (there is one per function ever locked or asked about), which also keeps a held lock's channel reachable:
     * an unreachable {@code FileChannel} would be closed by its cleaner and drop the lock.
     */
    private static final ConcurrentHashMap<Path, Slot> SLOTS = new ConcurrentHashMap<>();

    /**
     * Channels that must never be closed: opened on a file this JVM already holds under another path (a bind mount),
     * where closing would drop that lock.
     */
    private static final List<FileChannel> PARKED = new ArrayList<>();

    /** At most this many unlocked channels are kept open ({@link Slot#channel}) in this JVM. */
    static final int MAX_IDLE = 256;
    /** Channels kept in slots now (and places taken for them). */
    private static final java.util.concurrent.atomic.AtomicInteger IDLE =
            new java.util.concurrent.atomic.AtomicInteger();

    private final Path dir;
    private final StateDirectory state;
    private final AfterOpen afterOpen;
    private final Path procLocks;
    private final LockQuery lockQuery;
    private volatile @Nullable Path realDir;

    /**
     * Orders the moments this JVM opens and closes a lock file only to look at it ({@link #kernelState},
     * {@link #probe}, {@link #readHolder}: the read side, any number at once) against the moments it takes a lock
     * ({@link #acquire}: the write side). Closing a descriptor drops every lock the process holds on the file; a
     * query holds its slot's monitor, so no lock of that slot is taken meanwhile, but the same file may be locked
     * through another path (another slot: a bind mount of the state directory). A lock that exists when the query
     * opens the file is seen by it (the kernel names this process) and the descriptor is then never closed; one
     * taken between the query's open and close would be dropped by the close: this keeps that from happening.
     */
    private static final java.util.concurrent.locks.ReentrantReadWriteLock WINDOWS =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    /** Descriptors of {@link #kernelState} that must never be closed (the kernel named this process the holder). */
    private static final List<Integer> PARKED_DESCRIPTORS = new ArrayList<>();

    /** Test seam: runs after a lock file was opened and before it is locked. */
    @FunctionalInterface
    interface AfterOpen {
        /**
         * Called with the lock file's path.
         *
         * @param file the lock file
         * @throws IOException to fail the operation
         */
        void opened(Path file) throws IOException;
    }

    /** The registry slot of one lock file. */
    static final class Slot {
        /** The lock this JVM holds on the file, or null. Guarded by this slot's monitor. */
        @Nullable FunctionLock held;
        /**
         * The descriptor number the file's channel last had ({@link #verify}'s first guess: the kernel gives the
         * lowest free number, so the number a closed channel had usually comes back), or -1. Guarded by the monitor.
         */
        int fdHint = -1;
        /**
         * Whether a channel opened through this path was parked ({@link #park}): then a descriptor other than the
         * caller's may name the path, and {@link #verify(Path, Slot, long)} needs {@link #mark}'s position to tell
         * the caller's apart. Guarded by the monitor.
         */
        boolean parked;
        /**
         * This JVM's channel on the file through this path, open but not locked, kept for the next lock (saves the
         * {@code open} and {@code close} of every lock, and with {@link #channelKey} the descriptor look-up of the
         * identity check), or null. Keeping it open is harmless: an unlocked descriptor blocks no other process,
         * and nothing here ever opens the file while this JVM holds it through this slot. A kept channel whose file
         * was removed (another process's {@link #removeIfFree}) locks the removed file, which the identity check
         * finds; the channel is then closed and the path opened again. Guarded by the monitor.
         */
        @Nullable FileChannel channel;
        /**
         * The file key of the file {@link #channel}, or the channel of {@link #held}, refers to, once an identity
         * check established that it was the path's; null when unknown. Guarded by the monitor.
         */
        @Nullable Object channelKey;
    }

    /**
     * Locks in {@code <stateDir>/locks}. Touches nothing on disk.
     *
     * @param stateDir the state directory ({@link org.sriov4j.SriovConfig#stateDir()})
     */
    FunctionLocks(Path stateDir) {
        this(stateDir, f -> { }, PROC_LOCKS, JnaLockQuery.INSTANCE);
    }

    /**
     * For tests: a hook between opening and locking, and where to read the kernel's lock table.
     *
     * @param stateDir the state directory
     * @param afterOpen runs after a lock file was opened and before it is locked
     * @param procLocks {@code /proc/locks}; if unreadable, {@link #holder} and {@link #isHeld} probe with a lock
     */
    FunctionLocks(Path stateDir, AfterOpen afterOpen, Path procLocks) {
        this(stateDir, afterOpen, procLocks, JnaLockQuery.INSTANCE);
    }

    /**
     * For tests: also how the kernel is asked about one lock file.
     *
     * @param stateDir the state directory
     * @param afterOpen runs after a lock file was opened and before it is locked
     * @param procLocks {@code /proc/locks}, read where {@code lockQuery} cannot answer
     * @param lockQuery {@code F_OFD_GETLK} ({@link JnaLockQuery}), or a test's seam ({@link LockQuery#UNAVAILABLE}:
     *     {@code /proc/locks} only)
     */
    FunctionLocks(Path stateDir, AfterOpen afterOpen, Path procLocks, LockQuery lockQuery) {
        this.dir = Objects.requireNonNull(stateDir, "stateDir").resolve("locks");
        this.state = new StateDirectory(stateDir);
        this.afterOpen = Objects.requireNonNull(afterOpen, "afterOpen");
        this.procLocks = Objects.requireNonNull(procLocks, "procLocks");
        this.lockQuery = Objects.requireNonNull(lockQuery, "lockQuery");
    }

    /**
     * The lock file of a function.
     *
     * @param device the function
     * @return {@code <stateDir>/locks/<BDF>.lock}
     */
    Path file(PciAddress device) {
        return dir.resolve(device + ".lock");
    }

    /**
     * Takes a function if nobody holds it: no other thread of this JVM and no other process.
     *
     * @param device the function
     * @param holderDescription who takes it, for people (e.g. the guest's name); at most
     *     {@value #MAX_DESCRIPTION} characters, any text
     * @return the lock, or empty if someone holds the function
     * @throws SriovException if the lock file cannot be created, opened or written
     * @throws IllegalArgumentException if the description is too long
     */
    Optional<FunctionLock> tryLock(PciAddress device, String holderDescription) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(holderDescription, "holderDescription");
        if (holderDescription.length() > MAX_DESCRIPTION) {
            throw new IllegalArgumentException("holder description longer than " + MAX_DESCRIPTION + " characters");
        }
        Path real = ensureDirectory(device).resolve(device + ".lock");
        Slot slot = SLOTS.computeIfAbsent(real, k -> new Slot());
        synchronized (slot) {
            if (slot.held != null) {
                return Optional.empty();
            }
            for (int attempt = 1;; attempt++) {
                FileChannel ch = takeUp(device, real, slot, true);
                boolean keep = false;
                try {
                    long token = slot.parked ? mark(ch) : -1;
                    afterOpen.opened(real);
                    FileLock fl;
                    try {
                        fl = acquire(ch);
                    } catch (OverlappingFileLockException x) {
                        keep = park(ch, slot);
                        return Optional.empty();
                    }
                    if (fl == null) {
                        keep = keepIdle(ch, slot); // held by another process: the channel serves the next attempt
                        return Optional.empty();
                    }
                    if (identity(real, slot, token) == Verification.STALE) {
                        if (attempt >= MAX_ATTEMPTS) {
                            throw new SriovException("lock", device, null, real.toString(), "the lock file was "
                                    + "replaced " + attempt + " times while locking it", null);
                        }
                        continue; // closing the channel releases the stale file's lock
                    }
                    Holder me = new Holder(OptionalLong.of(PID), LedgerEntry.currentProcessStart(),
                            holderDescription, Optional.of(Instant.now()), true);
                    int written = write(ch, me);
                    FunctionLock lock = new FunctionLock(device, real, ch, fl, me, slot, written);
                    slot.held = lock;
                    keep = true;
                    return Optional.of(lock);
                } catch (IOException x) {
                    throw failure("lock", device, real, x);
                } finally {
                    if (!keep) {
                        closeQuietly(ch);
                        slot.channelKey = null;
                    }
                }
            }
        }
    }

    /**
     * Who holds a function: a thread of this JVM (answered from memory) or another process (read from the lock
     * file, which the holder wrote when it took the lock; fields it has not written yet are empty).
     *
     * @param device the function
     * @return the holder, or empty if the function is free
     * @throws SriovException if the lock state cannot be read
     */
    Optional<Holder> holder(PciAddress device) {
        return query(device, true);
    }

    /**
     * Whether anyone holds a function: a thread of this JVM or another process.
     *
     * @param device the function
     * @return true if it is held
     * @throws SriovException if the lock state cannot be read
     */
    boolean isHeld(PciAddress device) {
        return query(device, false).isPresent();
    }

    /**
     * Removes a function's lock file if nobody holds it, safely: the file is locked, checked to be the one at its
     * path, and unlinked while locked, so a process that opened it before cannot use it (it will find the path
     * names another file and start over).
     *
     * <p>Meant for functions that no longer exist (fewer VFs). While it runs, a concurrent {@link #tryLock} of the
     * same function in another process may find it busy.
     *
     * @param device the function
     * @return true if the file was removed; false if it is held, absent, or its identity cannot be checked on this
     *     platform
     * @throws SriovException if the file cannot be opened or removed
     */
    boolean removeIfFree(PciAddress device) {
        Optional<Path> realDirectory = existingRealDirectory(device);
        if (realDirectory.isEmpty()) {
            return false;
        }
        Path real = realDirectory.get().resolve(device + ".lock");
        Slot slot = SLOTS.computeIfAbsent(real, k -> new Slot());
        synchronized (slot) {
            if (slot.held != null) {
                return false;
            }
            FileChannel ch;
            try {
                ch = takeUp(device, real, slot, false);
            } catch (SriovException x) {
                if (x.getCause() instanceof NoSuchFileException) {
                    return false;
                }
                throw x;
            }
            boolean keep = false;
            try {
                long token = slot.parked ? mark(ch) : -1;
                FileLock fl;
                try {
                    fl = acquire(ch);
                } catch (OverlappingFileLockException x) {
                    keep = park(ch, slot);
                    return false;
                }
                if (fl == null) {
                    keep = keepIdle(ch, slot);
                    return false;
                }
                if (identity(real, slot, token) != Verification.SAME) {
                    return false;
                }
                Files.delete(real);
                return true; // the channel is closed below: its file is gone
            } catch (IOException x) {
                throw failure("remove lock file", device, real, x);
            } finally {
                if (!keep) {
                    closeQuietly(ch);
                    slot.channelKey = null;
                }
            }
        }
    }

    /**
     * The functions that have a lock file (whether held or not), for housekeeping.
     *
     * @return the functions, in no particular order; empty if there is no lock directory or it cannot be listed
     * @throws SriovException if the state directory is unsafe
     */
    List<PciAddress> devicesWithLockFiles() {
        List<PciAddress> out = new ArrayList<>();
        if (state.subdirectory("locks", false) == null) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.lock")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String bdf = name.substring(0, name.length() - ".lock".length());
                if (PciAddress.isValid(bdf) && PciAddress.parse(bdf).toString().equals(bdf)) {
                    out.add(PciAddress.parse(bdf));
                }
            }
        } catch (IOException | DirectoryIteratorException x) {
            // housekeeping only: a directory that cannot be listed is left as it is
        }
        return out;
    }

    private Optional<Holder> query(PciAddress device, boolean readHolder) {
        Objects.requireNonNull(device, "device");
        Optional<Path> realDirectory = existingRealDirectory(device);
        if (realDirectory.isEmpty()) {
            return Optional.empty();
        }
        Path real = realDirectory.get().resolve(device + ".lock");
        Slot slot = SLOTS.computeIfAbsent(real, k -> new Slot());
        synchronized (slot) {
            FunctionLock mine = slot.held;
            if (mine != null) {
                return Optional.of(mine.holder());
            }
            LockState state;
            try {
                Optional<LockState> kernel = kernelState(real, slot);
                state = kernel.isPresent() ? kernel.get()
                        : lockedBy(real, procLocks).orElseGet(() -> probe(device, real, slot));
            } catch (NoSuchFileException x) {
                return Optional.empty();
            } catch (IOException x) {
                throw failure("read lock state", device, real, x);
            }
            if (!state.held()) {
                return Optional.empty();
            }
            OptionalLong pid = state.pid();
            if (pid.isPresent() && pid.getAsLong() == PID) {
                // held by this JVM through another path to the same file: opening it here would drop that lock
                return Optional.of(new Holder(pid, LedgerEntry.currentProcessStart(),
                        "this process, through another path to " + real, Optional.empty(), true));
            }
            if (!readHolder) {
                return Optional.of(new Holder(pid, Optional.empty(), "", Optional.empty(), false));
            }
            return Optional.of(readHolder(real, pid));
        }
    }

    /**
     * Whether a lock file is locked for writing, and by which process.
     *
     * @param held whether it is
     * @param pid the holder's process, if the kernel shows it (not in another pid namespace, not via a probe)
     */
    private record LockState(boolean held, OptionalLong pid) {
    }

    /**
     * The slot's kept channel if it has one (see {@link Slot#channel}), else a new channel on the lock file. The
     * caller holds the slot's monitor and either keeps the channel ({@link FunctionLock}, {@link #keepIdle},
     * {@link #park}) or closes it.
     */
    private FileChannel takeUp(PciAddress device, Path real, Slot slot, boolean create) {
        FileChannel ch = slot.channel;
        if (ch != null) {
            slot.channel = null;
            IDLE.decrementAndGet();
            if (ch.isOpen()) {
                return ch;
            }
        }
        slot.channelKey = null;
        return open(device, real, create);
    }

    /**
     * Keeps an unlocked channel in its slot for the next lock of the same file, unless {@value #MAX_IDLE} channels
     * are kept already (then it is closed, as every channel was before). Call with the slot's monitor held.
     *
     * @return whether it was kept (else the caller closes it)
     */
    static boolean keepIdle(FileChannel ch, Slot slot) {
        if (slot.channel != null) {
            return false;
        }
        if (IDLE.incrementAndGet() > MAX_IDLE) {
            IDLE.decrementAndGet();
            return false;
        }
        slot.channel = ch;
        return true;
    }

    /**
     * Whether the path still names the file the caller's channel has locked. A channel whose file was established
     * before (its file key remembered in the slot: a kept channel) needs one {@code lstat} of the path: the channel's
     * file cannot change, and its inode number cannot be given to another file while the channel keeps it open, so
     * the same key means the same file. Otherwise {@link #verify(Path, Slot, long)} finds the channel's descriptor;
     * when it says {@link Verification#SAME}, the path's key (which is then the channel's, and which no sriov4j
     * process can change while the lock is held) is remembered.
     */
    private static Verification identity(Path real, Slot slot, long token) throws IOException {
        Object known = slot.channelKey;
        if (known != null) {
            try {
                Object now = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey();
                return known.equals(now) ? Verification.SAME : Verification.STALE;
            } catch (NoSuchFileException x) {
                return Verification.STALE;
            }
        }
        Verification v = verify(real, slot, token);
        if (v == Verification.SAME) {
            slot.channelKey = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        }
        return v;
    }

    /** Takes a channel's whole-file write lock, ordered against {@link #WINDOWS}' readers. */
    private static @Nullable FileLock acquire(FileChannel ch) throws IOException {
        WINDOWS.writeLock().lock();
        try {
            return ch.tryLock();
        } finally {
            WINDOWS.writeLock().unlock();
        }
    }

    /**
     * Asks the kernel about this one file ({@link LockQuery}: {@code F_OFD_GETLK} on a descriptor opened for it):
     * whether a process holds a write lock on it, and which. Costs an {@code open}, an {@code fcntl} and a
     * {@code close} however many locks the host holds (reading {@code /proc/locks} costs a line per lock on the
     * host). An OFD request conflicts with every process's POSIX locks, this process's own included, so it sees
     * what {@code /proc/locks} shows of them, with the same pid. If the kernel names this process (it holds the file
     * through another path), the descriptor is kept open for good: closing it would drop that lock.
     *
     * @return the state; empty where the seam cannot answer (no JNA, a kernel before 3.15, a file it may not open):
     *     then {@code /proc/locks} decides
     * @throws NoSuchFileException if the lock file does not exist
     */
    private Optional<LockState> kernelState(Path real, Slot slot) throws NoSuchFileException {
        if (!lockQuery.ready() && !Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(real.toString()); // free, without setting the seam up (its first use only)
        }
        WINDOWS.readLock().lock();
        try {
            int fd;
            try {
                fd = lockQuery.open(real);
            } catch (NoSuchFileException x) {
                throw x;
            } catch (IOException | UnsupportedOperationException x) {
                return Optional.empty(); // e.g. ELOOP (a symbolic link) or EACCES: /proc/locks decides, as before
            }
            boolean keep = false;
            try {
                LockQuery.State s = lockQuery.writeLock(fd);
                if (!s.writeLocked()) {
                    return Optional.of(new LockState(false, OptionalLong.empty()));
                }
                if (s.pid() == PID) {
                    keep = true;
                    slot.parked = true; // a descriptor besides the caller's names the path: verify needs the mark
                    synchronized (PARKED_DESCRIPTORS) {
                        PARKED_DESCRIPTORS.add(fd);
                    }
                }
                return Optional.of(new LockState(true, s.pid() > 0 ? OptionalLong.of(s.pid()) : OptionalLong.empty()));
            } catch (IOException | UnsupportedOperationException x) {
                return Optional.empty();
            } finally {
                if (!keep) {
                    lockQuery.close(fd);
                }
            }
        } finally {
            WINDOWS.readLock().unlock();
        }
    }

    /**
     * Reads {@code /proc/locks} for a write lock on the file (where {@link #kernelState} cannot answer). Unlike a
     * probe with a lock of our own, this cannot make another process's {@code tryLock} fail.
     *
     * @return the state; empty if {@code /proc/locks} cannot be read
     * @throws NoSuchFileException if the lock file does not exist
     */
    private static Optional<LockState> lockedBy(Path real, Path procLocks) throws IOException {
        Map<String, Object> a;
        try {
            // first: a function whose lock file does not exist is free, whatever /proc/locks holds
            a = Files.readAttributes(real, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException x) {
            return Optional.empty(); // no "unix" attribute view
        }
        if (!(a.get("dev") instanceof Number devNumber) || !(a.get("ino") instanceof Number inoNumber)) {
            return Optional.empty(); // the view does not give them: probe instead
        }
        String text;
        try {
            text = new String(Files.readAllBytes(procLocks), StandardCharsets.US_ASCII);
        } catch (IOException x) {
            return Optional.empty();
        }
        long dev = devNumber.longValue();
        long ino = inoNumber.longValue();
        // the C library's major()/minor() of st_dev; the kernel prints them as %02x:%02x
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        // one line per lock on the host: only the lines naming this inode are split into fields
        String needle = ":" + ino + " ";
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            int end = text.indexOf('\n', at);
            String line = text.substring(text.lastIndexOf('\n', at) + 1, end < 0 ? text.length() : end);
            // "1: POSIX  ADVISORY  WRITE 4711 fe:00:2165010 0 EOF"; waiters are shown as "1: -> POSIX ..."
            String[] t = line.trim().split("\\s+");
            if (t.length < 6 || t[1].equals("->") || !t[3].equals("WRITE")) {
                continue;
            }
            String[] id = t[5].split(":");
            if (id.length != 3) {
                continue;
            }
            try {
                if (Long.parseLong(id[0], 16) == major && Long.parseLong(id[1], 16) == minor
                        && Long.parseLong(id[2]) == ino) {
                    long pid = Long.parseLong(t[4]);
                    return Optional.of(new LockState(true, pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty()));
                }
            } catch (NumberFormatException x) {
                // not a lock line of the expected shape
            }
        }
        return Optional.of(new LockState(false, OptionalLong.empty()));
    }

    /** Where {@code /proc/locks} is not available: probes with a shared lock (under the slot's monitor). */
    private static LockState probe(PciAddress device, Path real, Slot slot) {
        WINDOWS.readLock().lock();
        try {
            return probeWindow(device, real, slot);
        } finally {
            WINDOWS.readLock().unlock();
        }
    }

    private static LockState probeWindow(PciAddress device, Path real, Slot slot) {
        FileChannel ch;
        try {
            ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException x) {
            return new LockState(false, OptionalLong.empty());
        } catch (IOException x) {
            throw failure("read lock state", device, real, x);
        }
        boolean keep = false;
        try {
            FileLock fl;
            try {
                fl = ch.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException x) {
                keep = park(ch, slot);
                return new LockState(true, OptionalLong.of(PID));
            }
            return new LockState(fl == null, OptionalLong.empty());
        } catch (IOException x) {
            throw failure("read lock state", device, real, x);
        } finally {
            if (!keep) {
                closeQuietly(ch);
            }
        }
    }

    /**
     * Reads what the holder wrote; what cannot be read stays empty. Only for files this JVM does not hold. The kernel's
     * pid always wins: the text is believed only if it names that pid and that process's start time.
     */
    private static Holder readHolder(Path real, OptionalLong lockPid) {
        byte[] bytes;
        WINDOWS.readLock().lock();
        try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // keep reading
            }
            bytes = new byte[b.position()];
            b.flip().get(bytes);
        } catch (IOException x) {
            return new Holder(lockPid, startOf(lockPid), "", Optional.empty(), false); // e.g. another user's 0600 file
        } finally {
            WINDOWS.readLock().unlock();
        }
        Map<String, String> m = LedgerFormat.decodeInfo(bytes);
        OptionalLong written = OptionalLong.empty();
        try {
            String p = m.get("pid");
            if (p != null) {
                written = OptionalLong.of(LedgerFormat.pid(p));
            }
        } catch (LedgerFormat.FormatException x) {
            // no usable pid in the text
        }
        Optional<Instant> writtenStart = instant(m.get("start"));
        if (lockPid.isEmpty()) {
            // the kernel does not say (no /proc/locks, or another pid namespace): the text names nobody for sure
            return new Holder(OptionalLong.empty(), Optional.empty(), m.getOrDefault("holder", ""),
                    instant(m.get("since")), false);
        }
        Optional<Instant> actualStart = startOf(lockPid);
        boolean confirmed = written.equals(lockPid) && writtenStart.isPresent() && writtenStart.equals(actualStart);
        return new Holder(lockPid, actualStart, confirmed ? m.getOrDefault("holder", "") : "",
                confirmed ? instant(m.get("since")) : Optional.empty(), confirmed);
    }

    private static Optional<Instant> startOf(OptionalLong pid) {
        return pid.isPresent() ? ProcessHandle.of(pid.getAsLong()).flatMap(h -> h.info().startInstant())
                : Optional.empty();
    }

    private static Optional<Instant> instant(@Nullable String s) {
        if (s == null || s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException x) {
            return Optional.empty();
        }
    }

    /**
     * The first lines of every lock file this process writes ({@code LedgerFormat.encodeInfo}'s format: the magic
     * line, then {@code pid} and {@code start}, which do not change in a process), made once.
     */
    private static final class Prefix {
        static final String TEXT = new String(LedgerFormat.encodeInfo(MAGIC, prefixValues()), StandardCharsets.UTF_8);

        private Prefix() {
        }

        private static Map<String, String> prefixValues() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("pid", Long.toString(PID));
            m.put("start", LedgerEntry.currentProcessStart().map(Instant::toString).orElse(""));
            return m;
        }
    }

    /**
     * The lock file's text for a holder of this process: what {@code LedgerFormat.encodeInfo} makes of
     * {@code pid, start, since, holder} in that order.
     *
     * @param h the holder (this process)
     * @return the bytes
     */
    static byte[] text(Holder h) {
        StringBuilder b = new StringBuilder(Prefix.TEXT.length() + 64 + h.description().length()).append(Prefix.TEXT);
        b.append("since=").append(LedgerFormat.escape(h.since().map(Instant::toString).orElse(""))).append('\n');
        b.append("holder=").append(LedgerFormat.escape(h.description())).append('\n');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Longest lock file overwritten in place; a longer one (not written by sriov4j) is truncated first. */
    private static final int MAX_IN_PLACE = 64 * 1024;

    /**
     * Writes the holder text at the start of the file, followed by NUL bytes up to the file's old length, in one
     * {@code pwrite}: whatever the file held before (a released holder's NUL bytes, or a crashed holder's text) is
     * overwritten, and the file keeps its page (truncating to 0 and writing again freed and allocated a page of the
     * page cache at every lock: on tmpfs, as {@code /run} is, the larger part of writing the text). Readers decode
     * the text up to its last newline ({@code LedgerFormat.decodeInfo} never trusts the piece after it), so the NUL
     * bytes after it are not read as anything.
     *
     * @return the length of the file's text and padding, which {@link FunctionLock#close()} overwrites with NUL bytes
     */
    private static int write(FileChannel ch, Holder h) throws IOException {
        byte[] text = text(h);
        long size = ch.size();
        if (size > MAX_IN_PLACE) {
            ch.truncate(0);
            size = 0;
        }
        ByteBuffer b = ByteBuffer.allocate((int) Math.max(text.length, size)).put(text);
        b.clear();
        writeFully(ch, b);
        // not forced to disk: the text is read only while the kernel names a live holder of the lock (which dies
        // with its process, and with the host), from the page cache; after a crash it is never believed
        return b.capacity();
    }

    /**
     * Writes a whole buffer at the file's start (positional writes: the channel's position is not used).
     *
     * @param ch the lock file's channel
     * @param b the bytes, from position 0 to the limit
     * @throws IOException if writing fails
     */
    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        long pos = 0;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    /**
     * Keeps a channel open forever. Used when the JDK reports that this JVM already holds a lock on the file: it can
     * only do so through another path to it (a bind mount), since the slot says it does not hold it through this
     * one, and closing this channel would drop that lock.
     *
     * @return true
     */
    private static boolean park(FileChannel ch, Slot slot) {
        slot.parked = true;
        synchronized (PARKED) {
            PARKED.add(ch);
        }
        return true;
    }

    /** Whether the path still names the file this JVM has locked. */
    enum Verification {
        /** It does. */
        SAME,
        /** It does not: the file was removed, and perhaps replaced, since it was opened. */
        STALE,
        /** This platform does not show this process's descriptors; the lock is taken as valid. */
        UNVERIFIABLE
    }

    /**
     * Gives a freshly opened lock file channel a position no other descriptor of this process has, so that
     * {@link #verify(Path, Slot, long)} can recognise the channel's descriptor under {@code /proc/self/fdinfo} (its
     * {@code pos:} line) without listing every descriptor. The position is past any content (writes to lock files
     * are positional, and {@link FileChannel#truncate} only lowers a larger position, which happens after
     * verification); a file system that refuses the offset gets none, and the full listing is used.
     *
     * @return the position set, or -1 if none
     */
    private static long mark(FileChannel ch) {
        long token = TOKEN_BASE + TOKENS.incrementAndGet();
        try {
            ch.position(token);
            return token;
        } catch (IOException | IllegalArgumentException x) {
            return -1;
        }
    }

    /**
     * {@link #verify(Path)}, looking first at the descriptor number the slot's channel had last time (and at the
     * number the last verified channel of any slot had, and the next one): the kernel gives a new descriptor the
     * lowest free number, so a lock file opened again usually gets the number its previous channel had. That
     * descriptor is taken as the caller's channel if its link names the lock file: only the caller has the file open
     * through this path (the invariant the full listing relies on too), unless a channel of this path was parked, in
     * which case its position (in {@code /proc/self/fdinfo}) must also be the caller's {@code token}, which
     * {@link #mark} gave to no other descriptor. Then it alone decides, as the full listing would. Otherwise the full
     * listing decides and its descriptor number is remembered. Cost: a few system calls instead of a
     * {@code readlink} per open descriptor of the process.
     *
     * @param real the lock file's real path
     * @param slot its slot (the caller holds its monitor)
     * @param token the position {@link #mark} gave the caller's channel (needed once the slot has parked a channel),
     *     or -1
     * @return whether the path names the locked file
     * @throws IOException if {@code /proc/self/fd} cannot be listed
     */
    static Verification verify(Path real, Slot slot, long token) throws IOException {
        if (token >= 0 || !slot.parked) {
            int last = lastFd;
            // the slot's last number; the last verified number of any slot (freed again); the one after it (taken
            // while that channel stays open, e.g. a second lease)
            int[] guesses = {slot.fdHint, last, last < 0 ? -1 : last + 1};
            for (int i = 0; i < guesses.length; i++) {
                int fd = guesses[i];
                if (fd < 0 || (i > 0 && fd == guesses[0])) {
                    continue;
                }
                Optional<Verification> v = verifyDescriptor(real, fd, slot.parked ? token : -1);
                if (v.isPresent()) {
                    slot.fdHint = fd;
                    lastFd = fd;
                    return v.get();
                }
            }
        }
        Found found = scan(real);
        if (found.fd() >= 0) {
            slot.fdHint = found.fd();
            lastFd = found.fd();
        }
        return found.verification();
    }

    /**
     * The verdict from one descriptor, if it is the caller's channel: its link names the lock file (or the lock file
     * " (deleted)") and, if {@code token} is not -1, its {@code fdinfo} position is {@code token}.
     */
    private static Optional<Verification> verifyDescriptor(Path real, int fd, long token) {
        Path link = PROC_SELF_FD.resolve(Integer.toString(fd));
        String name = real.toString();
        try {
            String target = Files.readSymbolicLink(link).toString();
            if (!target.equals(name) && !target.equals(name + " (deleted)")) {
                return Optional.empty();
            }
            if (token >= 0 && position(fd) != token) {
                return Optional.empty();
            }
            Object fdKey = Files.readAttributes(link, BasicFileAttributes.class).fileKey();
            if (fdKey == null) {
                return Optional.empty();
            }
            Object pathKey;
            try {
                pathKey = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            } catch (NoSuchFileException x) {
                return Optional.of(Verification.STALE);
            }
            return Optional.of(fdKey.equals(pathKey) ? Verification.SAME : Verification.STALE);
        } catch (IOException | UnsupportedOperationException x) {
            return Optional.empty(); // not a descriptor now, or no fdinfo: the full listing decides
        }
    }

    /** The {@code pos:} line of {@code /proc/self/fdinfo/<fd>}, or -1. */
    private static long position(int fd) throws IOException {
        // "pos:\t<decimal>\n" is the first line (fs/proc/fd.c); one read gives it whole
        ByteBuffer buf = ByteBuffer.allocate(64);
        try (FileChannel ch = FileChannel.open(PROC_SELF_FDINFO.resolve(Integer.toString(fd)),
                StandardOpenOption.READ)) {
            ch.read(buf);
        }
        byte[] b = buf.array();
        int n = buf.position();
        if (n < 5 || b[0] != 'p' || b[1] != 'o' || b[2] != 's' || b[3] != ':') {
            return -1;
        }
        int i = 4;
        while (i < n && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < n && b[i] >= '0' && b[i] <= '9' && digits < 19; i++, digits++) {
            v = v * 10 + (b[i] - '0');
        }
        return digits == 0 || i >= n || b[i] != '\n' ? -1 : v;
    }

    /**
     * Compares the file at the path with the file this JVM's descriptor for it refers to, listing every descriptor
     * of the process. Only the caller (under the slot's monitor) has the file open, so the descriptors of this
     * process whose link names the path, or the path and {@code " (deleted)"}, are the caller's; if the link text
     * does not match (other mount namespace views), every descriptor is compared.
     *
     * @param real the lock file's real path
     * @return whether the path names the locked file
     * @throws IOException if {@code /proc/self/fd} cannot be listed
     */
    static Verification verify(Path real) throws IOException {
        return scan(real).verification();
    }

    /** A verdict, and the descriptor it came from if exactly one descriptor named the path (else -1). */
    private record Found(Verification verification, int fd) {
    }

    private static Found scan(Path real) throws IOException {
        Object pathKey;
        try {
            pathKey = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException x) {
            return new Found(Verification.STALE, -1);
        }
        if (pathKey == null || !Files.isDirectory(PROC_SELF_FD)) {
            return new Found(Verification.UNVERIFIABLE, -1);
        }
        String name = real.toString();
        String deleted = name + " (deleted)";
        List<Path> descriptors = new ArrayList<>();
        Set<Object> named = new HashSet<>();
        int namedFd = -1;
        int namedCount = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC_SELF_FD)) {
            for (Path fd : fds) {
                descriptors.add(fd);
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException x) {
                    continue; // closed meanwhile
                }
                if (target.equals(name) || target.equals(deleted)) {
                    key(fd).ifPresent(named::add);
                    namedCount++;
                    namedFd = descriptorNumber(fd);
                }
            }
        } catch (DirectoryIteratorException x) {
            throw x.getCause();
        }
        if (!named.isEmpty()) {
            Verification v = named.size() == 1 && named.contains(pathKey) ? Verification.SAME : Verification.STALE;
            return new Found(v, namedCount == 1 ? namedFd : -1);
        }
        for (Path fd : descriptors) {
            if (key(fd).filter(pathKey::equals).isPresent()) {
                return new Found(Verification.SAME, -1);
            }
        }
        return new Found(Verification.STALE, -1);
    }

    private static int descriptorNumber(Path fd) {
        try {
            return Integer.parseInt(String.valueOf(fd.getFileName()));
        } catch (NumberFormatException x) {
            return -1;
        }
    }

    /**
     * For tests: the descriptor number {@link #verify(Path, Slot, long)} remembers for a lock file.
     *
     * @param real the lock file's real path
     * @return the number, or -1
     */
    static int rememberedDescriptor(Path real) {
        Slot slot = SLOTS.get(real);
        if (slot == null) {
            return -1;
        }
        synchronized (slot) {
            return slot.fdHint;
        }
    }

    /** The file key of what a {@code /proc/self/fd} entry refers to (stat follows the link, even to a deleted file). */
    private static Optional<Object> key(Path fd) {
        try {
            return Optional.ofNullable(Files.readAttributes(fd, BasicFileAttributes.class).fileKey());
        } catch (IOException x) {
            return Optional.empty();
        }
    }

    private FileChannel open(PciAddress device, Path real, boolean create) {
        try {
            return FileChannel.open(real, create ? OPEN_CREATE : OPEN, FILE_MODE);
        } catch (IOException x) {
            throw failure(create ? "lock" : "remove lock file", device, real, x);
        }
    }

    /** Creates the directory if needed and returns its real path. */
    private Path ensureDirectory(PciAddress device) {
        Path r = realDir;
        if (r != null) {
            return r;
        }
        try {
            state.subdirectory("locks", true);
            r = dir.toRealPath();
        } catch (IOException x) {
            throw failure("create lock directory", device, dir, x);
        }
        realDir = r;
        return r;
    }

    private Optional<Path> existingRealDirectory(PciAddress device) {
        Path r = realDir;
        if (r != null) {
            return Optional.of(r);
        }
        if (state.subdirectory("locks", false) == null) {
            return Optional.empty();
        }
        try {
            r = dir.toRealPath();
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException x) {
            throw failure("read lock state", device, dir, x);
        }
        realDir = r;
        return Optional.of(r);
    }

    /**
     * Closes a channel, ignoring errors (the kernel releases the descriptor's locks regardless).
     *
     * @param ch the channel
     */
    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException x) {
            // closing releases the lock even when it reports an error
        }
    }

    /**
     * An exception for a failed lock file operation.
     *
     * @param operation what failed
     * @param device the function
     * @param path the file
     * @param x the cause
     * @return the exception, with the errno behind {@code x} if known
     */
    static SriovException failure(String operation, PciAddress device, Path path, IOException x) {
        return new SriovException(operation, device, LedgerFormat.errno(x), path.toString(), "", x);
    }

    /**
     * Who holds a function, as far as known.
     *
     * @param pid the holder's process as the kernel names it (the owner of the lock), if known; never taken from the
     *     lock file's text
     * @param processStart when that process started (as the kernel reports it now), if known
     * @param description what the holder said about itself ({@link #tryLock}); empty if not (yet) written, or not
     *     confirmed
     * @param since when it took the function, if known and confirmed
     * @param confirmed whether the lock file's text was written by the kernel's owner of the lock: it names the same
     *     pid and that process's start time (always true for this JVM's own locks)
     */
    record Holder(OptionalLong pid, Optional<Instant> processStart, String description, Optional<Instant> since,
            boolean confirmed) {
        /**
         * For messages, e.g. {@code "vm-42" (pid 4711, since 2025-05-01T09:31:00Z)}.
         *
         * @return the description
         */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append(description.isEmpty() ? "unknown holder" : "\"" + LedgerFormat.escape(description) + "\"");
            List<String> facts = new ArrayList<>();
            pid.ifPresent(p -> facts.add("pid " + p));
            since.ifPresent(s -> facts.add("since " + s));
            if (!facts.isEmpty()) {
                b.append(" (").append(String.join(", ", facts)).append(')');
            }
            return b.toString();
        }
    }
}
