package org.sriov4j.spi.internal;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;

/**
 * What sriov4j changed on one PCI function and must undo: one record of the {@link Ledger}.
 *
 * <p>The phases follow an intent-then-outcome scheme. {@link Phase#DETACHING} is written before the first sysfs write
 * of a detach, {@link Phase#DETACHED} once the stub driver is verified bound, {@link Phase#REATTACHING} before a
 * reattach starts; when the reattach is verified the entry is removed. A process that finds an entry whose owner is
 * gone therefore knows what the function looked like before ({@link #originalDriver()},
 * {@link #originalDriverOverride()}) and how far the change got.
 *
 * <p>Every string that ends up in a sysfs path or write is checked here, before anything is written: driver names
 * are 1 to {@value #MAX_DRIVER_NAME} printable ASCII characters without {@code /} or blanks, and neither {@code .}
 * nor {@code ..}. Guest names are 1 to {@value #MAX_GUEST_NAME} printable characters (no control, format or
 * separator characters). Extras keys are 1 to {@value #MAX_EXTRA_KEY} characters of {@code [A-Za-z0-9._-]};
 * extras values are any text of at most {@value #MAX_EXTRA_VALUE} characters; at most {@value #MAX_EXTRAS} extras.
 *
 * @param device the function
 * @param phase how far the change got
 * @param originalDriver the driver bound before sriov4j touched the function; empty if none was bound
 * @param originalDriverOverride the {@code driver_override} before sriov4j touched the function; empty if unset
 * @param stubDriver the driver sriov4j binds for the guest, e.g. {@code vfio-pci} or {@code pciback}
 * @param managed whether the lease detached the function and must give it back when the lease ends (as opposed to
 *     a function the caller detached explicitly and reattaches explicitly)
 * @param ownerPid the process that wrote the entry
 * @param ownerStart when that process started, so that a reused pid is not mistaken for the owner; empty if unknown
 * @param guest the guest the function is meant for, if known
 * @param updated when the entry was written
 * @param extras further backend data, e.g. the Xen domain; sorted by key, unmodifiable
 * @param lease the lease on the function and what keeps it alive, if it is (or was, until its holder went) leased:
 *     for a {@link LeaseHolder.Kind#TAKER} lease the taking process's pid and start time; empty for a function that
 *     is detached but not leased, or in the middle of a change
 */
record LedgerEntry(
        PciAddress device,
        Phase phase,
        Optional<String> originalDriver,
        Optional<String> originalDriverOverride,
        String stubDriver,
        boolean managed,
        long ownerPid,
        Optional<Instant> ownerStart,
        Optional<String> guest,
        Instant updated,
        Map<String, String> extras,
        Optional<LeaseHolder> lease) {

    /** Longest accepted driver name (the kernel allows any length; real names are far shorter). */
    public static final int MAX_DRIVER_NAME = 64;
    /** Longest accepted guest name, in characters (code points). */
    public static final int MAX_GUEST_NAME = 256;
    /** Longest accepted extras key. */
    public static final int MAX_EXTRA_KEY = 64;
    /** Longest accepted extras value, in characters (UTF-16 units). */
    public static final int MAX_EXTRA_VALUE = 4096;
    /** Most extras per entry. */
    public static final int MAX_EXTRAS = 64;

    /** How far a change to a function got. */
    public enum Phase {
        /** A detach is about to start: the function may be on its original driver, unbound, or on the stub. */
        DETACHING,
        /** The function is verified bound to the stub driver. */
        DETACHED,
        /** A reattach is about to start: the function may be on the stub, unbound, or on its original driver. */
        REATTACHING
    }

    /**
     * Checks every field.
     *
     * @param device the function
     * @param phase how far the change got
     * @param originalDriver the driver bound before; empty if none
     * @param originalDriverOverride the {@code driver_override} before; empty if unset
     * @param stubDriver the stub driver
     * @param managed whether the lease must give the function back
     * @param ownerPid the writing process, positive
     * @param ownerStart when that process started, if known
     * @param guest the guest, if known
     * @param updated when written
     * @param extras backend data; copied
     * @param lease the lease and its holder, if leased
     * @throws IllegalArgumentException if a name, the pid or an extra is not acceptable (see the class comment), or
     *     a lease has no guest
     * @throws NullPointerException if an argument or an extras key or value is null
     */
    public LedgerEntry {
        Objects.requireNonNull(lease, "lease");
        if (lease.isPresent() && Objects.requireNonNull(guest, "guest").isEmpty()) {
            throw new IllegalArgumentException("a leased function's entry names its guest");
        }
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(originalDriver, "originalDriver").ifPresent(d -> checkDriver("originalDriver", d));
        Objects.requireNonNull(originalDriverOverride, "originalDriverOverride")
                .ifPresent(d -> checkDriver("originalDriverOverride", d));
        checkDriver("stubDriver", Objects.requireNonNull(stubDriver, "stubDriver"));
        if (ownerPid <= 0) {
            throw new IllegalArgumentException("ownerPid must be positive: " + ownerPid);
        }
        Objects.requireNonNull(ownerStart, "ownerStart");
        Objects.requireNonNull(guest, "guest").ifPresent(LedgerEntry::checkGuest);
        Objects.requireNonNull(updated, "updated");
        Objects.requireNonNull(extras, "extras");
        if (extras.size() > MAX_EXTRAS) {
            throw new IllegalArgumentException("at most " + MAX_EXTRAS + " extras, got " + extras.size());
        }
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : extras.entrySet()) {
            checkExtraKey(Objects.requireNonNull(e.getKey(), "extras key"));
            String v = Objects.requireNonNull(e.getValue(), "extras value");
            if (v.length() > MAX_EXTRA_VALUE) {
                throw new IllegalArgumentException("extras value of '" + e.getKey() + "' longer than "
                        + MAX_EXTRA_VALUE + " characters");
            }
            copy.put(e.getKey(), v);
        }
        extras = Collections.unmodifiableMap(copy);
    }

    /**
     * An entry without a lease (what every entry was before leases were recorded).
     *
     * @param device the function
     * @param phase how far the change got
     * @param originalDriver the driver bound before; empty if none
     * @param originalDriverOverride the {@code driver_override} before; empty if unset
     * @param stubDriver the stub driver
     * @param managed whether the lease must give the function back
     * @param ownerPid the writing process, positive
     * @param ownerStart when that process started, if known
     * @param guest the guest, if known
     * @param updated when written
     * @param extras backend data; copied
     */
    LedgerEntry(PciAddress device, Phase phase, Optional<String> originalDriver,
            Optional<String> originalDriverOverride, String stubDriver, boolean managed, long ownerPid,
            Optional<Instant> ownerStart, Optional<String> guest, Instant updated, Map<String, String> extras) {
        this(device, phase, originalDriver, originalDriverOverride, stubDriver, managed, ownerPid, ownerStart, guest,
                updated, extras, Optional.empty());
    }

    /**
     * This entry leased to a guest (or no longer leased), owned by this process and stamped now.
     *
     * @param holder what keeps the lease alive; empty when the lease ended (the guest is then cleared too)
     * @param leaseGuest the guest; ignored when {@code holder} is empty
     * @param isManaged whether the function goes back to the host when the lease ends
     * @return the new entry
     */
    LedgerEntry withLease(Optional<LeaseHolder> holder, String leaseGuest, boolean isManaged) {
        return new LedgerEntry(device, phase, originalDriver, originalDriverOverride, stubDriver, isManaged,
                ProcessHandle.current().pid(), currentProcessStart(),
                holder.isPresent() ? Optional.of(leaseGuest) : Optional.empty(), Instant.now(), extras, holder);
    }

    /**
     * This entry with further extras (replacing those of the same keys), stamped now.
     *
     * @param more the extras to add
     * @return the new entry
     */
    LedgerEntry withExtras(Map<String, String> more) {
        if (more.isEmpty()) {
            return this;
        }
        TreeMap<String, String> m = new TreeMap<>(extras);
        m.putAll(more);
        return new LedgerEntry(device, phase, originalDriver, originalDriverOverride, stubDriver, managed, ownerPid,
                ownerStart, guest, Instant.now(), m, lease);
    }

    /**
     * This entry without one extra, stamped now.
     *
     * @param key the key
     * @return the new entry
     */
    LedgerEntry withoutExtra(String key) {
        TreeMap<String, String> m = new TreeMap<>(extras);
        m.remove(key);
        return new LedgerEntry(device, phase, originalDriver, originalDriverOverride, stubDriver, managed, ownerPid,
                ownerStart, guest, Instant.now(), m, lease);
    }

    /**
     * This entry in another phase, otherwise unchanged (owner included), stamped now.
     *
     * @param next the new phase
     * @return the new entry
     */
    LedgerEntry inPhase(Phase next) {
        return new LedgerEntry(device, next, originalDriver, originalDriverOverride, stubDriver, managed, ownerPid,
                ownerStart, guest, Instant.now(), extras, lease);
    }

    /**
     * The intent record written before a detach starts, owned by this process and stamped now.
     *
     * @param device the function
     * @param originalDriver the driver bound now; empty if none
     * @param originalDriverOverride the {@code driver_override} now; empty if unset
     * @param stubDriver the stub driver that will be bound
     * @param managed whether the lease must give the function back
     * @param guest the guest, if known
     * @return a {@link Phase#DETACHING} entry without extras
     * @throws IllegalArgumentException if a name is not acceptable
     */
    public static LedgerEntry detaching(PciAddress device, Optional<String> originalDriver,
            Optional<String> originalDriverOverride, String stubDriver, boolean managed, Optional<String> guest) {
        return new LedgerEntry(device, Phase.DETACHING, originalDriver, originalDriverOverride, stubDriver, managed,
                ProcessHandle.current().pid(), currentProcessStart(), guest, Instant.now(), Map.of());
    }

    /**
     * This entry in another phase, now owned by this process and stamped now (a process that finishes a dead
     * process's work takes the entry over).
     *
     * @param next the new phase
     * @return the new entry
     */
    public LedgerEntry withPhase(Phase next) {
        return new LedgerEntry(device, next, originalDriver, originalDriverOverride, stubDriver, managed,
                ProcessHandle.current().pid(), currentProcessStart(), guest, Instant.now(), extras, lease);
    }

    /**
     * This entry with one extra set (or replaced), otherwise unchanged.
     *
     * @param key the key, {@code [A-Za-z0-9._-]{1,64}}
     * @param value the value
     * @return the new entry
     * @throws IllegalArgumentException if the key or value is not acceptable
     */
    public LedgerEntry withExtra(String key, String value) {
        TreeMap<String, String> m = new TreeMap<>(extras);
        m.put(key, value);
        return new LedgerEntry(device, phase, originalDriver, originalDriverOverride, stubDriver, managed, ownerPid,
                ownerStart, guest, updated, m, lease);
    }

    /**
     * Whether the process that wrote this entry still runs: a process with {@link #ownerPid()} is alive and, when both
     * start times are known, started at {@link #ownerStart()}. When a start time is unknown a live pid counts as the
     * owner (the cautious answer: a live owner's work must not be undone).
     *
     * <p>This is a hint for reports. Whether the owner still holds the function is answered by the lock
     * ({@link FunctionLocks}), which the kernel frees when its holder dies.
     *
     * @return true if the owner looks alive
     */
    public boolean ownerAlive() {
        Optional<ProcessHandle> h = ProcessHandle.of(ownerPid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        Optional<Instant> start = h.get().info().startInstant();
        return ownerStart.isEmpty() || start.isEmpty() || ownerStart.get().equals(start.get());
    }

    /**
     * When this process started, as {@link ProcessHandle.Info#startInstant()} reports it (from
     * {@code /proc/self/stat} field 22 on Linux), which is what other processes see for it too.
     *
     * @return the start time, if the platform reports it
     */
    public static Optional<Instant> currentProcessStart() {
        return CurrentProcess.START;
    }

    /** Holds the current process's start time, looked up once. */
    private static final class CurrentProcess {
        static final Optional<Instant> START = ProcessHandle.current().info().startInstant();
    }

    /**
     * Checks a driver name: 1 to {@value #MAX_DRIVER_NAME} printable ASCII characters, no {@code /}, not {@code .}
     * or {@code ..} (it becomes a path component under {@code /sys/bus/pci/drivers}).
     *
     * @param what the field name for the message
     * @param name the name
     * @throws IllegalArgumentException if the name is not acceptable
     */
    static void checkDriver(String what, String name) {
        if (name.isEmpty() || name.length() > MAX_DRIVER_NAME) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_DRIVER_NAME + " characters: "
                    + quote(name));
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException(what + " must not be " + quote(name));
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/') {
                throw new IllegalArgumentException(what + " must be printable ASCII without '/' or blanks: "
                        + quote(name));
            }
        }
    }

    /**
     * Checks a guest name: 1 to {@value #MAX_GUEST_NAME} code points, none of them a control, format (e.g. bidi
     * override), line or paragraph separator, unassigned code point or lone surrogate.
     */
    static void checkGuest(String name) {
        int n = name.codePointCount(0, name.length());
        if (n == 0 || n > MAX_GUEST_NAME) {
            throw new IllegalArgumentException("guest name must be 1 to " + MAX_GUEST_NAME + " characters, got " + n);
        }
        for (int i = 0; i < name.length();) {
            int cp = name.codePointAt(i);
            switch (Character.getType(cp)) {
                case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.UNASSIGNED,
                        Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR ->
                    throw new IllegalArgumentException("guest name must be printable: " + quote(name));
                default -> i += Character.charCount(cp);
            }
        }
    }

    private static void checkExtraKey(String key) {
        if (key.isEmpty() || key.length() > MAX_EXTRA_KEY) {
            throw new IllegalArgumentException("extras key must be 1 to " + MAX_EXTRA_KEY + " characters: "
                    + quote(key));
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                throw new IllegalArgumentException("extras key must be of [A-Za-z0-9._-]: " + quote(key));
            }
        }
    }

    /** Quotes a rejected value for a message, escaping control characters and cutting it short. */
    private static String quote(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "\"" + LedgerFormat.escape(cut) + "\"";
    }
}
