package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/**
 * The write-ahead record of what sriov4j changed on each PCI function, so that any process can undo it after the
 * changing process died: one file per function in {@code <stateDir>/ledger/}, named {@code <BDF>.entry} (e.g.
 * {@code 0000:01:10.0.entry}), in the format described by {@link LedgerFormat}.
 *
 * <p>{@link #put} is atomic and durable: the entry is written to {@code <BDF>.entry.tmp-<pid>-<n>} in the same
 * directory, forced to disk, renamed over the old entry, and the directory is forced. A reader therefore sees the
 * old entry or the new one, never a mix, and a crash at any point leaves one of them (plus perhaps a stray temporary
 * file, which {@link #scan()} reports and which never replaces anything).
 *
 * <p>The ledger does not serialise writers: whoever writes or removes a function's entry must hold that function's
 * {@link FunctionLocks lock}. Reading needs no lock.
 *
 * <p>The directory (and the state directory) is created with mode 0700 on the first {@link #put}; files are 0600.
 * Reading a ledger whose directory does not exist finds nothing and creates nothing. Every use checks the directories
 * first ({@link StateDirectory}: real directories, owned by this user, not writable by group or others), and no
 * file inside is followed if it is a symbolic link.
 *
 * <pre>{@code
 * Ledger ledger = new Ledger(config.stateDir());
 * LedgerEntry intent = LedgerEntry.detaching(vf, Optional.of("igbvf"), Optional.empty(), "vfio-pci", true, guest);
 * ledger.put(intent);                                   // before the first sysfs write
 * // ... driver_override, unbind, drivers_probe, verify the link ...
 * ledger.put(intent.withPhase(LedgerEntry.Phase.DETACHED));
 * }</pre>
 */
final class Ledger {

    /** Suffix of entry files. */
    static final String ENTRY_SUFFIX = ".entry";
    /** Marks a temporary file: {@code <BDF>.entry.tmp-<pid>-<n>}. */
    static final String TEMP_MARK = ".tmp-";
    /** Marks a file set aside by {@link #quarantine(Path)}: {@code <name>.corrupt-<UTC time>}. */
    static final String QUARANTINE_MARK = ".corrupt-";

    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** Makes temporary names unique within this process, across all ledgers. */
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private final StateDirectory state;
    private final Path dir;

    /**
     * A ledger in {@code <stateDir>/ledger}. Touches nothing on disk.
     *
     * @param stateDir the state directory ({@link org.sriov4j.SriovConfig#stateDir()})
     */
    Ledger(Path stateDir) {
        this(new StateDirectory(stateDir));
    }

    /**
     * A ledger in the {@code ledger} subdirectory of a checked state directory. Touches nothing on disk.
     *
     * @param state the state directory
     */
    Ledger(StateDirectory state) {
        this.state = Objects.requireNonNull(state, "state");
        this.dir = state.root().resolve("ledger");
    }

    /**
     * Whether the state directory exists at all (a reader of a missing one finds nothing).
     *
     * @return true if there is something at its path
     */
    boolean stateDirectoryExists() {
        return state.exists();
    }

    /**
     * The ledger of the current thread's run ({@link #inRun}) whose directory was found checked and existing, if
     * any: its later accesses in the run do not check it again.
     */
    private static final ThreadLocal<Run> RUN = new ThreadLocal<>();

    /** A run's state: the ledger it found checked. */
    private static final class Run {
        @Nullable Ledger checked;
    }

    /**
     * Runs a sequence of ledger accesses of one caller (a change of many functions) on this thread checking the
     * state directory once: the first access that finds it checked and present is the last to check it until the
     * run ends. The check guards against a state directory that is unsafe as configured (a link, writable by
     * others, owned by another user); a run lasts as long as one change of a few functions, and a single access
     * checks before it opens a file, leaving the same window between the check and the use. Nested runs share the
     * outer one.
     *
     * @param work the accesses
     * @param <T> what they return
     * @return what they returned
     */
    <T> T inRun(java.util.function.Supplier<T> work) {
        if (RUN.get() != null) {
            return work.get();
        }
        RUN.set(new Run());
        try {
            return work.get();
        } finally {
            RUN.remove();
        }
    }

    /** Whether the checked ledger directory exists; throws if the state directory is unsafe. */
    private boolean present() {
        Run run = RUN.get();
        if (run != null && run.checked == this) {
            return true;
        }
        boolean present = state.subdirectory("ledger", false) != null;
        if (present && run != null) {
            run.checked = this;
        }
        return present;
    }

    /**
     * The directory that holds the entries.
     *
     * @return {@code <stateDir>/ledger}
     */
    Path directory() {
        return dir;
    }

    /**
     * The file that holds a function's entry.
     *
     * @param device the function
     * @return {@code <stateDir>/ledger/<BDF>.entry}
     */
    Path file(PciAddress device) {
        return dir.resolve(device + ENTRY_SUFFIX);
    }

    /**
     * Writes (or replaces) the entry of {@code e.device()}, atomically and durably: when this returns, the entry
     * survives a crash of this process and of the host.
     *
     * @param e the entry
     * @throws SriovException if it cannot be written; the previous entry, if any, is then still in place
     */
    void put(LedgerEntry e) {
        put(e, true);
    }

    /**
     * {@link #put}, except that the directory is not forced: the entry replaces the old one atomically and the
     * file's content is on disk, but after a crash of the host (not of this process: the rename is visible at once)
     * the old entry may come back. Only for a record whose loss the old one covers, a completion (a detach's
     * DETACHED after its DETACHING, nothing after REATTACHING), in a run of changes that ends with
     * {@link #syncDirectory()} before it reports success: any later {@link #put} forces the directory too, and with
     * it this rename. Recovery reads the old entry as an interrupted change and completes or undoes it.
     *
     * @param e the entry
     * @throws SriovException if it cannot be written; the previous entry, if any, is then still in place
     */
    void putUnsynced(LedgerEntry e) {
        put(e, false);
    }

    /**
     * Forces the ledger directory: every earlier {@link #putUnsynced} and {@link #removeUnsynced} survives a host
     * crash once this returns.
     *
     * @throws SriovException if it cannot be forced
     */
    void syncDirectory() {
        if (!present()) {
            return;
        }
        try {
            forceDirectory(dir);
        } catch (IOException x) {
            throw failure("sync ledger directory", null, dir, x, "the last changes may not survive a host crash");
        }
    }

    private void put(LedgerEntry e, boolean syncDirectory) {
        Objects.requireNonNull(e, "e");
        byte[] bytes = LedgerFormat.encode(e);
        Path target = file(e.device());
        ensureDirectory(e.device());
        Path tmp = dir.resolve(target.getFileName() + TEMP_MARK + PID + "-" + TEMP_COUNTER.incrementAndGet());
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), FILE_MODE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException x) {
            deleteQuietly(tmp);
            throw failure("write ledger entry", e.device(), target, x, "the previous entry, if any, is unchanged");
        }
        if (!syncDirectory) {
            return;
        }
        try {
            forceDirectory(dir);
        } catch (IOException x) {
            throw failure("write ledger entry", e.device(), dir, x, "the entry is in place but may not survive a "
                    + "host crash");
        }
    }

    /**
     * Reads a function's entry.
     *
     * @param device the function
     * @return the entry, or empty if there is none
     * @throws UnreadableEntryException if the file exists but is damaged or of an unknown version; it is then never
     *     treated as absent (quarantine it to go on)
     * @throws SriovException if it cannot be read
     */
    Optional<LedgerEntry> get(PciAddress device) {
        Path f = file(device);
        if (!present()) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = read(f);
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException x) {
            throw failure("read ledger entry", device, f, x, "");
        }
        try {
            return Optional.of(decode(device, bytes));
        } catch (LedgerFormat.FormatException x) {
            throw new UnreadableEntryException(new Problem(f, Optional.of(device),
                    x.unknownVersion() ? Kind.UNKNOWN_VERSION : Kind.CORRUPT, x.reason()));
        }
    }

    /**
     * Removes a function's entry, durably. Removing an absent entry does nothing.
     *
     * @param device the function
     * @throws SriovException if it cannot be removed
     */
    void remove(PciAddress device) {
        remove(device, true);
    }

    /**
     * {@link #remove}, except that the directory is not forced (see {@link #putUnsynced}: after a host crash the
     * entry may come back, and recovery completes what it records); end the run with {@link #syncDirectory()}.
     *
     * @param device the function
     * @throws SriovException if it cannot be removed
     */
    void removeUnsynced(PciAddress device) {
        remove(device, false);
    }

    private void remove(PciAddress device, boolean syncDirectory) {
        Path f = file(device);
        if (!present()) {
            return;
        }
        try {
            if (Files.deleteIfExists(f) && syncDirectory) {
                forceDirectory(dir);
            }
        } catch (NoSuchFileException x) {
            // the directory does not exist: nothing to remove
        } catch (IOException x) {
            throw failure("remove ledger entry", device, f, x, "");
        }
    }

    /**
     * Reads every entry. A damaged, truncated, unknown-version or unreadable file never makes this throw: it is
     * reported in {@link Scan#problems()}, as is every temporary file left by an interrupted {@link #put} (or caught
     * mid-write by this scan) and every file that does not belong in the directory. Quarantined files are listed but
     * not read.
     *
     * @return the entries (sorted by device) and the problems (sorted by file name)
     * @throws SriovException only if the directory itself cannot be listed
     */
    Scan scan() {
        List<LedgerEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<Path> quarantined = new ArrayList<>();
        if (!present()) {
            return new Scan(List.of(), List.of(), List.of());
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Optional<PciAddress> device = deviceOf(name);
                if (name.contains(QUARANTINE_MARK)) {
                    quarantined.add(f);
                } else if (name.contains(TEMP_MARK)) {
                    problems.add(new Problem(f, device, Kind.STRAY_TEMP, tempReason(name)));
                } else if (name.endsWith(ENTRY_SUFFIX) && device.isPresent()) {
                    readInto(f, device.get(), entries, problems);
                } else {
                    problems.add(new Problem(f, Optional.empty(), Kind.FOREIGN,
                            "not a ledger file (expected <BDF>" + ENTRY_SUFFIX + ")"));
                }
            }
        } catch (NoSuchFileException x) {
            return new Scan(List.of(), List.of(), List.of());
        } catch (IOException x) {
            throw failure("scan ledger", null, dir, x, "");
        } catch (DirectoryIteratorException x) {
            throw failure("scan ledger", null, dir,
                    Objects.requireNonNull(x.getCause(), "a DirectoryIteratorException always has its cause"), "");
        }
        entries.sort(Comparator.comparing(LedgerEntry::device));
        problems.sort(Comparator.comparing(p -> p.file().getFileName().toString()));
        quarantined.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return new Scan(entries, problems, quarantined);
    }

    private void readInto(Path f, PciAddress device, List<LedgerEntry> entries, List<Problem> problems) {
        byte[] bytes;
        try {
            bytes = read(f);
        } catch (NoSuchFileException x) {
            return; // removed since the listing
        } catch (IOException x) {
            problems.add(new Problem(f, Optional.of(device), Kind.UNREADABLE, "cannot read: " + x));
            return;
        }
        try {
            entries.add(decode(device, bytes));
        } catch (LedgerFormat.FormatException x) {
            problems.add(new Problem(f, Optional.of(device),
                    x.unknownVersion() ? Kind.UNKNOWN_VERSION : Kind.CORRUPT, x.reason()));
        }
    }

    /**
     * Sets a file of the ledger directory aside as {@code <name>.corrupt-<UTC time>}, so that the operator still has
     * it but no scan reads it again. Meant for the files of {@link Scan#problems()}; it moves a valid entry just as
     * well, so the caller must hold the function's lock when the file is (or was) an entry.
     *
     * @param file a file directly in {@link #directory()}
     * @return the new name
     * @throws IllegalArgumentException if {@code file} is not directly in the ledger directory
     * @throws SriovException if it cannot be renamed
     */
    Path quarantine(Path file) {
        Path name = file.getFileName();
        Path parent = file.getParent();
        if (name == null || parent == null || !parent.normalize().equals(dir.normalize())
                || name.toString().equals(".") || name.toString().equals("..")) {
            throw new IllegalArgumentException("not a file of the ledger directory " + dir + ": " + file);
        }
        Optional<PciAddress> device = deviceOf(name.toString());
        Path src = dir.resolve(name);
        String stamp = STAMP.format(Instant.now());
        try {
            Path target = dir.resolve(name + QUARANTINE_MARK + stamp);
            for (int n = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
                target = dir.resolve(name + QUARANTINE_MARK + stamp + "-" + n);
            }
            Files.move(src, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
            return target;
        } catch (IOException x) {
            throw failure("quarantine ledger file", device.orElse(null), src, x, "");
        }
    }

    private static String tempReason(String name) {
        OptionalLong pid = tempWriter(name);
        String writer = "an unknown process";
        if (pid.isPresent()) {
            boolean alive = ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
            writer = "process " + pid.getAsLong() + (alive ? " (still running: possibly a write in progress)"
                    : " (gone)");
        }
        return "temporary file of an unfinished write by " + writer + "; it never replaced an entry";
    }

    /** The pid in a temporary file's name ({@code <BDF>.entry.tmp-<pid>-<n>}), if it has one. */
    private static OptionalLong tempWriter(String name) {
        String tail = name.substring(name.lastIndexOf(TEMP_MARK) + TEMP_MARK.length());
        int dash = tail.indexOf('-');
        try {
            return OptionalLong.of(LedgerFormat.pid(dash < 0 ? tail : tail.substring(0, dash)));
        } catch (LedgerFormat.FormatException x) {
            return OptionalLong.empty();
        }
    }

    /**
     * Removes a temporary file of an unfinished {@link #put} whose writer is gone: it never replaced an entry, and no
     * one will rename it now. A file whose writer's pid is alive (the write may be in progress, or the pid was
     * reused) or unknown is kept.
     *
     * @param p a {@link Kind#STRAY_TEMP} problem of {@link #scan()}
     * @return true if the file was removed (or was gone already)
     * @throws SriovException if it cannot be removed
     */
    boolean removeStrayTemp(Problem p) {
        if (p.kind() != Kind.STRAY_TEMP) {
            return false;
        }
        Path name = p.file().getFileName();
        OptionalLong pid = tempWriter(name.toString());
        if (pid.isEmpty() || ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        Path f = dir.resolve(name);
        try {
            Files.deleteIfExists(f);
            forceDirectory(dir);
            return true;
        } catch (IOException x) {
            throw failure("remove temporary ledger file", p.device().orElse(null), f, x, "");
        }
    }

    private static Optional<PciAddress> deviceOf(String name) {
        int dot = name.indexOf(ENTRY_SUFFIX);
        String bdf = dot < 0 ? name : name.substring(0, dot);
        return PciAddress.isValid(bdf) && bdf.equals(PciAddress.parse(bdf).toString())
                ? Optional.of(PciAddress.parse(bdf)) : Optional.empty();
    }

    private static LedgerEntry decode(PciAddress device, byte[] bytes) throws LedgerFormat.FormatException {
        LedgerEntry e = LedgerFormat.decode(bytes);
        if (!e.device().equals(device)) {
            throw new LedgerFormat.FormatException("the file is named for " + device + " but holds the entry of "
                    + e.device());
        }
        return e;
    }

    /** Reads a whole file without following a symbolic link, up to the format's size limit (plus one byte). */
    private static byte[] read(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            int cap = (int) Math.min(ch.size() + 1, LedgerFormat.MAX_FILE_BYTES + 1L);
            ByteBuffer b = ByteBuffer.allocate(Math.max(cap, 1));
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // keep reading
            }
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            return out;
        }
    }

    private void ensureDirectory(PciAddress device) {
        Run run = RUN.get();
        if (run != null && run.checked == this) {
            return;
        }
        state.subdirectory("ledger", true);
        if (run != null) {
            run.checked = this;
        }
    }

    /**
     * Forces a directory's entries to disk (Linux allows fsync on a directory opened read-only).
     *
     * @param d the directory
     * @throws IOException if it cannot be opened or forced
     */
    static void forceDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException x) {
            // a stray temporary file; scan() reports it
        }
    }

    private static SriovException failure(String operation, @Nullable PciAddress device, Path path, IOException x,
            String detail) {
        return new SriovException(operation, device, LedgerFormat.errno(x), path.toString(), detail, x);
    }

    /** What kind of problem a file of the ledger directory has. */
    enum Kind {
        /** Truncated, edited, damaged or not an entry at all although named like one. */
        CORRUPT,
        /** A well-formed entry of a version this code does not read. */
        UNKNOWN_VERSION,
        /** The file could not be read (permissions, a symbolic link, a directory...). */
        UNREADABLE,
        /** A temporary file of a write that did not finish (or was still in progress). */
        STRAY_TEMP,
        /** A file whose name is not that of an entry. */
        FOREIGN
    }

    /**
     * A file of the ledger directory that is not a readable entry.
     *
     * @param file the file
     * @param device the function its name refers to, if any
     * @param kind what is wrong
     * @param reason what is wrong, for people
     */
    record Problem(Path file, Optional<PciAddress> device, Kind kind, String reason) {
        @Override
        public String toString() {
            return file + ": " + kind + ": " + reason;
        }
    }

    /**
     * What {@link #scan()} found.
     *
     * @param entries the valid entries, sorted by device
     * @param problems the files that are not valid entries, sorted by name
     * @param quarantined the files set aside by {@link #quarantine(Path)}, sorted by name
     */
    record Scan(List<LedgerEntry> entries, List<Problem> problems, List<Path> quarantined) {
        /**
         * Copies the lists.
         *
         * @param entries the valid entries
         * @param problems the problems
         * @param quarantined the quarantined files
         */
        Scan {
            entries = List.copyOf(entries);
            problems = List.copyOf(problems);
            quarantined = List.copyOf(quarantined);
        }
    }

    /** A function's entry exists but cannot be used: damaged, truncated or of an unknown version. */
    static final class UnreadableEntryException extends SriovException {
        private static final long serialVersionUID = 1L;
        /** What is wrong with the file. */
        private final transient Problem problem;

        /**
         * Creates the exception.
         *
         * @param problem what is wrong with the file
         */
        UnreadableEntryException(Problem problem) {
            super("read ledger entry", problem.device().orElse(null), null, problem.file().toString(),
                    problem.kind() + ": " + problem.reason(), null);
            this.problem = problem;
        }

        /**
         * What is wrong with the file.
         *
         * @return the problem
         */
        Problem problem() {
            return problem;
        }
    }
}
