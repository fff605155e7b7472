package org.sriov4j.spi.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.sriov4j.Assignment;
import org.sriov4j.FunctionKind;
import org.sriov4j.Lease;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.SysfsNames;

/**
 * The VF lifecycle (docs/design.md, "The lifecycle"): detach, reattach, leases and recovery, with every transition written ahead to the
 * {@link Ledger} and ownership held through {@link FunctionLocks}.
 *
 * <p>Ordering rules that make it safe: the function's lock is taken before anything is checked or changed; an
 * intent is in the ledger before the first sysfs write; a record is removed only after the function is back.
 * A PF and its VFs exclude each other by lock-then-check: whoever holds one lock refuses when it then finds the
 * other held, so two racing callers can both fail but never both succeed.
 */
final class Lifecycle {

    static final String LEASE = "lease";
    static final String RECOVER = "recover";

    private final SysfsAccess sysfs;
    private final Assigner assigner;
    private final Supplier<String> stubDriver;
    private final Ledger ledger;
    private final FunctionLocks locks;

    private final Events events;

    Lifecycle(SriovConfig config, SysfsAccess sysfs, Assigner assigner, Supplier<String> stubDriver, Events events) {
        this.events = events;
        this.sysfs = sysfs;
        this.assigner = assigner;
        this.stubDriver = stubDriver;
        Path state = config.stateDir();
        this.ledger = new Ledger(state);
        this.locks = new FunctionLocks(state);
    }

    private static String self(String guest) {
        return guest.isEmpty() ? "sriov4j (changing it)" : "guest " + guest;
    }

    private @org.jspecify.annotations.Nullable String holderOf(PciAddress f) {
        return locks.holder(f).map(Object::toString).orElse(null);
    }

    private FunctionLock lock(String operation, PciAddress f, String guest) {
        return locks.tryLock(f, self(guest)).orElseThrow(() -> new LeaseUnavailableException(operation, f,
                holderOf(f), f + " is leased or being changed"));
    }

    /** Refuses when the PF of a VF, or a VF of a PF, is held. Call with {@code f}'s own lock held. */
    private void checkRelatives(String operation, PciFunction f) {
        String d = TopologyScanner.dev(f.address());
        if (f.kind() == FunctionKind.VF) {
            PciAddress pf = SysfsNames.linkedAddress(sysfs, d + "/physfn").orElseThrow(() -> new SysfsIoException(
                    "readlink", sysfs.describe(d + "/physfn"), org.sriov4j.Errno.ENOENT, "", null));
            if (locks.isHeld(pf)) {
                throw new LeaseUnavailableException(operation, f.address(), holderOf(pf),
                        "its PF " + pf + " is leased or its VFs are being changed");
            }
        } else if (f.kind() == FunctionKind.PF) {
            for (PciAddress vf : vfsOf(f.address())) {
                if (locks.isHeld(vf)) {
                    throw new LeaseUnavailableException(operation, f.address(), holderOf(vf),
                            "its VF " + vf + " is leased");
                }
            }
        }
    }

    List<PciAddress> vfsOf(PciAddress pf) {
        List<PciAddress> vfs = new ArrayList<>();
        String d = TopologyScanner.dev(pf);
        for (int i = 0;; i++) {
            Optional<PciAddress> vf = SysfsNames.linkedAddress(sysfs, d + "/virtfn" + i);
            if (vf.isEmpty()) {
                return vfs;
            }
            vfs.add(vf.get());
        }
    }

    /**
     * Runs a change of a PF's VFs while holding the PF's lock, refusing while any of its VFs is leased.
     *
     * @param operation for messages
     * @param pf the PF
     * @param change the change
     * @return what the change returned
     */
    <T> T withPfLocked(String operation, PciAddress pf, Supplier<T> change) {
        try (FunctionLock lock = lock(operation, pf, "")) {
            for (PciAddress vf : vfsOf(pf)) {
                if (locks.isHeld(vf)) {
                    throw new LeaseUnavailableException(operation, pf, holderOf(vf),
                            "its VF " + vf + " is leased; release it first");
                }
            }
            return change.get();
        }
    }

    PciFunction detach(PciAddress f) {
        try (FunctionLock lock = lock(Assigner.DETACH, f, "")) {
            PciFunction fn = assigner.describe(Assigner.DETACH, f);
            checkRelatives(Assigner.DETACH, fn);
            detachRecorded(fn, false, "");
            return assigner.describe(Assigner.DETACH, f);
        }
    }

    /** Detaches with the ledger written ahead; a no-op for a function already on the stub driver. */
    private void detachRecorded(PciFunction fn, boolean managed, String guest) {
        String stub = stubDriver.get();
        PciAddress f = fn.address();
        assigner.checkRecordable(Assigner.DETACH, fn);
        if (fn.driver().filter(stub::equals).isPresent()) {
            if (ledger.get(f).isEmpty()) {
                // detached by someone else (an operator, another tool): its original driver is what the backend
                // knows of it (Xen: the toolstack's record), else unknown: then the stub is recorded as original so
                // that nothing of ours ever moves it
                Optional<String> known = assigner.steps().flatMap(s -> s.originalDriverOf(fn));
                ledger.put(entry(f, LedgerEntry.Phase.DETACHED, new Assigner.Original(
                        known.isPresent() ? known : fn.driver(), fn.driverOverride()), false, guest));
            }
            return;
        }
        assigner.checkAssignable(Assigner.DETACH, fn);
        Assigner.Original original = new Assigner.Original(fn.driver(), fn.driverOverride());
        ledger.put(entry(f, LedgerEntry.Phase.DETACHING, original, managed, guest));
        Map<String, String> extras;
        try {
            extras = assigner.detachToStub(fn);
        } catch (SriovException e) {
            if (!e.detail().contains("COULD NOT restore")) {
                ledger.remove(f);
            }
            throw e;
        }
        ledger.put(withExtras(entry(f, LedgerEntry.Phase.DETACHED, original, managed, guest), extras));
        events.emit(new SriovEvent.Detached(f, original.driver(), stubDriver.get()));
    }

    private LedgerEntry entry(PciAddress f, LedgerEntry.Phase phase, Assigner.Original original, boolean managed,
            String guest) {
        ProcessHandle me = ProcessHandle.current();
        return new LedgerEntry(f, phase, original.driver(), original.driverOverride(), stubDriver.get(), managed,
                me.pid(), LedgerEntry.currentProcessStart(), guest.isEmpty() ? Optional.empty() : Optional.of(guest),
                Instant.now(), Map.of());
    }

    PciFunction reattach(PciAddress f) {
        try (FunctionLock lock = lock(Assigner.REATTACH, f, "")) {
            PciFunction fn = assigner.describe(Assigner.REATTACH, f);
            reattachRecorded(fn);
            return assigner.describe(Assigner.REATTACH, f);
        }
    }

    private void reattachRecorded(PciFunction fn) {
        PciAddress f = fn.address();
        Optional<LedgerEntry> e = ledger.get(f);
        if (e.isEmpty()) {
            if (fn.driver().filter(stubDriver.get()::equals).isPresent()) {
                // not ours: give it to whatever the host prefers
                assigner.reattach(f, new Assigner.Original(Optional.empty(), Optional.empty()), Map.of());
                if (sysfs.linkName(TopologyScanner.dev(f) + "/driver").isEmpty()) {
                    sysfs.write("bus/pci/drivers_probe", f.toString());
                }
            }
            return;
        }
        LedgerEntry entry = detachFromGuestIfAny(e.get(), false);
        ledger.put(withPhase(entry, LedgerEntry.Phase.REATTACHING));
        assigner.reattach(f, new Assigner.Original(entry.originalDriver(), entry.originalDriverOverride()),
                entry.extras());
        ledger.remove(f);
        events.emit(new SriovEvent.Reattached(f, entry.originalDriver()));
    }

    /** Ledger extras key: the guest a function is attached to through the backend's steps. */
    static final String GUEST_ATTACHED = "guest.attached";
    static final String ATTACH = "attach to guest";
    static final String DETACH_GUEST = "detach from guest";

    private static LedgerEntry withExtras(LedgerEntry e, Map<String, String> extras) {
        if (extras.isEmpty()) {
            return e;
        }
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>(e.extras());
        m.putAll(extras);
        return new LedgerEntry(e.device(), e.phase(), e.originalDriver(), e.originalDriverOverride(), e.stubDriver(),
                e.managed(), e.ownerPid(), e.ownerStart(), e.guest(), Instant.now(), m);
    }

    private static LedgerEntry withoutExtra(LedgerEntry e, String key) {
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>(e.extras());
        m.remove(key);
        return new LedgerEntry(e.device(), e.phase(), e.originalDriver(), e.originalDriverOverride(), e.stubDriver(),
                e.managed(), e.ownerPid(), e.ownerStart(), e.guest(), Instant.now(), m);
    }

    /**
     * Takes a function away from the guest the ledger says it is attached to, before it goes back to the host. A
     * guest that no longer exists has lost it already. In recovery (the holder died) a guest that still exists
     * loses it too: the function is given back to the host whatever the guest is doing.
     */
    private LedgerEntry detachFromGuestIfAny(LedgerEntry e, boolean recovering) {
        String guest = e.extras().get(GUEST_ATTACHED);
        Optional<org.sriov4j.spi.AssignmentSteps> steps = assigner.steps();
        if (guest == null || steps.isEmpty()) {
            return e;
        }
        if (steps.get().guestExists(guest)) {
            steps.get().detachFromGuest(e.device(), guest);
        }
        LedgerEntry next = withoutExtra(e, GUEST_ATTACHED);
        ledger.put(next);
        if (recovering) {
            System.getLogger(Lifecycle.class.getName()).log(System.Logger.Level.INFO,
                    "recover: {0} detached from guest {1}", e.device(), guest);
        }
        return next;
    }

    /**
     * Attaches a detached function to a running guest through the backend's steps. With {@code held} null the
     * function's lock is taken here (it must not be leased); otherwise the caller's lease holds it.
     */
    void attachToGuest(PciAddress f, String guest, @org.jspecify.annotations.Nullable FunctionLock held) {
        Objects.requireNonNull(guest, "guest");
        LedgerEntry.checkGuest(guest);
        org.sriov4j.spi.AssignmentSteps steps = stepsOrRefuse(ATTACH, f);
        FunctionLock lock = held != null ? held : lock(ATTACH, f, "");
        try {
            LedgerEntry e = ledger.get(f).orElseThrow(() -> new SriovException(ATTACH, f, org.sriov4j.Errno.ENODEV,
                    null, "it is not detached (detach or lease it first)", null));
            String now = e.extras().get(GUEST_ATTACHED);
            if (now != null) {
                if (now.equals(guest)) {
                    return;
                }
                throw new LeaseUnavailableException(ATTACH, f, "guest " + now, "it is attached to guest " + now);
            }
            ledger.put(withExtras(e, Map.of(GUEST_ATTACHED, guest))); // intent first: recover detaches it
            try {
                steps.attachToGuest(f, guest);
            } catch (RuntimeException ex) {
                ledger.put(withoutExtra(ledger.get(f).orElse(e), GUEST_ATTACHED));
                throw ex;
            }
        } finally {
            if (held == null) {
                lock.close();
            }
        }
    }

    /** Detaches a function from the guest it is attached to (a no-op if it is attached to none). */
    void detachFromGuest(PciAddress f, @org.jspecify.annotations.Nullable FunctionLock held) {
        if (assigner.steps().isEmpty()) {
            return; // this backend never attaches to guests (kvm-vfio: the VMM does): nothing to detach
        }
        FunctionLock lock = held != null ? held : lock(DETACH_GUEST, f, "");
        try {
            Optional<LedgerEntry> e = ledger.get(f);
            if (e.isEmpty() || !e.get().extras().containsKey(GUEST_ATTACHED)) {
                return;
            }
            String guest = e.get().extras().get(GUEST_ATTACHED);
            assigner.steps().orElseThrow().detachFromGuest(f, guest);
            ledger.put(withoutExtra(e.get(), GUEST_ATTACHED));
        } finally {
            if (held == null) {
                lock.close();
            }
        }
    }

    /** The guest a function is attached to, as the ledger says. */
    Optional<String> attachedTo(PciAddress f) {
        return ledger.get(f).map(e -> e.extras().get(GUEST_ATTACHED));
    }

    private org.sriov4j.spi.AssignmentSteps stepsOrRefuse(String operation, PciAddress f) {
        return assigner.steps().orElseThrow(() -> new SriovException(operation, f, org.sriov4j.Errno.EOPNOTSUPP,
                null, "this backend does not attach devices to guests: the VMM does (VFIO)", null));
    }

    private static LedgerEntry withPhase(LedgerEntry e, LedgerEntry.Phase phase) {
        return new LedgerEntry(e.device(), phase, e.originalDriver(), e.originalDriverOverride(), e.stubDriver(),
                e.managed(), e.ownerPid(), e.ownerStart(), e.guest(), Instant.now(), e.extras());
    }

    Lease lease(PciAddress f, String guest) {
        Objects.requireNonNull(guest, "guest");
        LedgerEntry.checkGuest(guest); // before anything is locked or written
        FunctionLock lock = lock(LEASE, f, guest);
        try {
            PciFunction fn = assigner.describe(LEASE, f);
            checkRelatives(LEASE, fn);
            boolean managed = fn.driver().filter(stubDriver.get()::equals).isEmpty();
            detachRecorded(fn, managed, guest);
            EngineLease lease = new EngineLease(f, guest, managed, lock);
            events.emit(new SriovEvent.Leased(f, guest, managed));
            return lease;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A lease held by this process. */
    private final class EngineLease implements Lease {
        private final PciAddress device;
        private final String guest;
        private final boolean managed;
        private final FunctionLock lock;
        private boolean held = true;

        EngineLease(PciAddress device, String guest, boolean managed, FunctionLock lock) {
            this.device = device;
            this.guest = guest;
            this.managed = managed;
            this.lock = lock;
        }

        @Override
        public PciAddress device() {
            return device;
        }

        @Override
        public String guest() {
            return guest;
        }

        @Override
        public boolean managed() {
            return managed;
        }

        @Override
        public synchronized boolean isHeld() {
            return held;
        }

        @Override
        public synchronized void attachToGuest(String domain) {
            checkHeld(ATTACH);
            Lifecycle.this.attachToGuest(device, domain, lock);
        }

        @Override
        public synchronized void detachFromGuest() {
            checkHeld(DETACH_GUEST);
            Lifecycle.this.detachFromGuest(device, lock);
        }

        @Override
        public synchronized Optional<String> attachedTo() {
            return held ? Lifecycle.this.attachedTo(device) : Optional.empty();
        }

        private void checkHeld(String operation) {
            if (!held) {
                throw new IllegalStateException(operation + ": the lease of " + device + " is closed");
            }
        }

        @Override
        public synchronized void close() {
            if (!held) {
                return;
            }
            held = false;
            try {
                if (managed) {
                    reattachRecorded(assigner.describe(Assigner.REATTACH, device));
                } else {
                    ledger.get(device).ifPresent(e -> detachFromGuestIfAny(e, false));
                }
            } finally {
                lock.close();
                events.emit(new SriovEvent.Released(device, guest));
            }
        }

        @Override
        public String toString() {
            return "Lease[" + device + " to " + guest + (managed ? ", managed" : "") + (held ? "" : ", released")
                    + "]";
        }
    }

    List<Assignment> assignments() {
        List<Assignment> out = new ArrayList<>();
        for (LedgerEntry e : ledger.scan().entries()) {
            out.add(new Assignment(e.device(), Assignment.Phase.valueOf(e.phase().name()), e.originalDriver(),
                    e.stubDriver(), e.managed(), e.guest(), java.util.OptionalLong.of(e.ownerPid()),
                    locks.holder(e.device()).map(FunctionLocks.Holder::toString),
                    Optional.ofNullable(e.extras().get(GUEST_ATTACHED))));
        }
        out.sort(java.util.Comparator.comparing(Assignment::device));
        return out;
    }

    RecoveryReport recover() {
        List<PciAddress> restored = new ArrayList<>();
        List<PciAddress> stillHeld = new ArrayList<>();
        List<PciAddress> keptDetached = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Ledger.Scan scan = ledger.scan();
        for (Ledger.Problem p : scan.problems()) {
            if (p.kind() == Ledger.Kind.CORRUPT || p.kind() == Ledger.Kind.UNKNOWN_VERSION) {
                problems.add(p + " (set aside as " + ledger.quarantine(p.file()).getFileName() + ")");
            } else {
                problems.add(p.toString());
            }
        }
        for (LedgerEntry e : scan.entries()) {
            Optional<FunctionLock> lock = locks.tryLock(e.device(), "sriov4j recover");
            if (lock.isEmpty()) {
                stillHeld.add(e.device());
                continue;
            }
            try (FunctionLock held = lock.get()) {
                if (!sysfs.exists(TopologyScanner.dev(e.device()))) {
                    problems.add(e.device() + ": recorded as " + e.phase() + " but the function no longer exists"
                            + " (record removed)");
                    ledger.remove(e.device());
                    continue;
                }
                if (e.phase() == LedgerEntry.Phase.DETACHED && !e.managed()) {
                    if (assigner.steps().isPresent() && sysfs.linkName(TopologyScanner.dev(e.device()) + "/driver")
                            .filter(stubDriver.get()::equals).isEmpty()) {
                        // given back by the hypervisor's own tools (xl pci-assignable-remove -r): nothing is left
                        // for us to undo
                        ledger.remove(e.device());
                        restored.add(e.device());
                        continue;
                    }
                    keptDetached.add(e.device());
                    continue;
                }
                LedgerEntry current = detachFromGuestIfAny(e, true);
                ledger.put(withPhase(current, LedgerEntry.Phase.REATTACHING));
                assigner.reattach(e.device(),
                        new Assigner.Original(e.originalDriver(), e.originalDriverOverride()), current.extras());
                ledger.remove(e.device());
                restored.add(e.device());
                events.emit(new SriovEvent.Reattached(e.device(), e.originalDriver()));
            } catch (SriovException ex) {
                problems.add(e.device() + ": could not be given back to "
                        + e.originalDriver().orElse("no driver") + ": " + ex.getMessage());
            }
        }
        return new RecoveryReport(restored, stillHeld, keptDetached, problems);
    }
}
