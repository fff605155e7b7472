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
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.FunctionKind;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.LedgerProblem;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.RecoveryReport;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.SysfsNames;

/**
 * The VF lifecycle (docs/design.md, "The lifecycle"; leases and recovery: docs/leases.md): detach, reattach,
 * leases and recovery, with every transition written ahead to the
 * {@link Ledger} and ownership held through {@link FunctionLocks}.
 *
 * <p>Ordering rules that make it safe: the function's lock is taken before anything is checked or changed; an
 * intent is in the ledger before the first sysfs write; a record is removed only after the function is back, or
 * when the function is provably gone from the host ({@link #provablyGone}).
 * A PF and its VFs exclude each other by lock-then-check: whoever holds one lock refuses when it then finds the
 * other held, so two racing callers can both fail but never both succeed.
 *
 * <p>Leases: a {@link LeaseHolder.Kind#TAKER} lease holds the function's lock for its whole life. A
 * {@link LeaseHolder.Kind#PROCESS} or {@link LeaseHolder.Kind#DURABLE} lease holds it only while it is taken: the
 * lease is written into the function's ledger entry before the lock is released, and every later taker of the lock
 * reads the entry and refuses while that lease is alive (see {@link FunctionLocks}, "Leases that no process holds the
 * lock of"). Whatever takes a function's lock ({@link #lock}) therefore checks the entry too; only the lease's own
 * {@link Lease#close()} (and its attach/detach) goes past a live recorded lease.
 */
final class Lifecycle {

    static final String LEASE = "lease";
    static final String RECOVER = "recover";

    private final SysfsAccess sysfs;
    private final Assigner assigner;
    private final Supplier<String> stubDriver;
    private final Ledger ledger;
    private final FunctionLocks locks;
    private final Recovery recovery;

    private final Events events;
    private final Hotplug hotplug;
    /** VF network settings (MAC, VLAN...): saved in the ledger, restored before a function goes back. */
    private final @org.jspecify.annotations.Nullable VfNetIdentity net;

    Lifecycle(SriovConfig config, SysfsAccess sysfs, Assigner assigner, Supplier<String> stubDriver, Events events,
            Hotplug hotplug, @org.jspecify.annotations.Nullable VfNetIdentity net) {
        this.net = net;
        this.events = events;
        this.hotplug = hotplug;
        this.sysfs = sysfs;
        this.assigner = assigner;
        this.stubDriver = stubDriver;
        Path state = config.stateDir();
        this.ledger = new Ledger(state);
        this.locks = new FunctionLocks(state);
        this.recovery = new Recovery(this, sysfs, assigner, stubDriver, ledger, locks, events);
    }

    private static String self(String guest) {
        return guest.isEmpty() ? "sriov4j (changing it)" : "guest " + guest;
    }

    private @org.jspecify.annotations.Nullable String holderOf(PciAddress f) {
        Optional<String> lockHolder = locks.holder(f).map(Object::toString);
        if (lockHolder.isPresent()) {
            return lockHolder.get();
        }
        return recordedLiveLease(f).map(Lifecycle::describeLease).orElse(null);
    }

    private static String describeLease(LedgerEntry e) {
        LeaseHolder h = e.lease().orElseThrow();
        return "guest " + e.guest().orElse("?") + ", " + switch (h.kind()) {
            case DURABLE -> "durable lease";
            case PROCESS -> "lease tied to pid " + h.pid().orElse(-1);
            case TAKER -> "lease of pid " + h.pid().orElse(-1);
        };
    }

    /**
     * Takes a function's lock, then refuses if its ledger entry records a live lease that no process holds the lock
     * of (lock-then-check). Refuses a function that does not exist before creating anything (no lock file or state
     * directory is made for a nonexistent BDF).
     */
    private FunctionLock lock(String operation, PciAddress f, String guest) {
        return lockChecked(operation, f, guest).lock();
    }

    /** A function's lock and its ledger entry as read under it. */
    private record Locked(FunctionLock lock, Optional<LedgerEntry> entry) {
    }

    /** {@link #lock}, with the entry it read (no second read for the caller). */
    private Locked lockChecked(String operation, PciAddress f, String guest) {
        FunctionLock lock = lockOnly(operation, f, guest);
        try {
            Optional<LedgerEntry> e = ledger.get(f);
            if (e.isPresent() && liveRecordedLease(e.get())) {
                throw new LeaseUnavailableException(operation, f, describeLease(e.get()),
                        f + " is leased to guest " + e.get().guest().orElse("?"));
            }
            return new Locked(lock, e);
        } catch (RuntimeException x) {
            lock.close();
            throw x;
        }
    }

    /** Takes a function's lock without looking at its ledger entry (the lease's own operations, recovery). */
    private FunctionLock lockOnly(String operation, PciAddress f, String guest) {
        if (!sysfs.exists(TopologyScanner.dev(f))) {
            throw new DeviceNotFoundException(operation, f, "no such PCI function under "
                    + sysfs.describe("bus/pci/devices"));
        }
        return locks.tryLock(f, self(guest)).orElseThrow(() -> new LeaseUnavailableException(operation, f,
                holderOf(f), f + " is leased or being changed"));
    }

    /**
     * Whether an entry records a lease that is alive without its lock: a durable one, or one tied to a process that
     * runs and started when recorded. (A {@link LeaseHolder.Kind#TAKER} lease is alive exactly while its taker holds
     * the lock, which the lock itself answers.)
     */
    static boolean liveRecordedLease(LedgerEntry e) {
        return e.lease().filter(Lifecycle::alive).isPresent();
    }

    private static boolean alive(LeaseHolder h) {
        return switch (h.kind()) {
            case DURABLE -> true;
            case TAKER -> false;
            case PROCESS -> processRuns(h);
        };
    }

    /** Whether the process of a PROCESS holder runs and started at the recorded time (a reused pid does not count). */
    private static boolean processRuns(LeaseHolder h) {
        Optional<ProcessHandle> p = ProcessHandle.of(h.pid().orElseThrow());
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        Optional<Instant> start = p.get().info().startInstant();
        // a start time the platform does not report now: the cautious answer is "alive" (never reclaim on a guess)
        return start.isEmpty() || start.equals(h.processStart());
    }

    private Optional<LedgerEntry> recordedLiveLease(PciAddress f) {
        try {
            return ledger.get(f).filter(Lifecycle::liveRecordedLease);
        } catch (Ledger.UnreadableEntryException x) {
            return Optional.empty();
        }
    }

    /** Whether a function is held: by a process (its lock) or by a live lease recorded in its entry. */
    private boolean held(PciAddress f) {
        return locks.isHeld(f) || recordedLiveLease(f).isPresent();
    }

    /**
     * Refuses when the PF of a VF, or a VF of a PF, is held. Call with {@code f}'s own lock held.
     *
     * @param described the function and its PF (a VF's {@code physfn}, read when it was described)
     */
    private void checkRelatives(String operation, TopologyScanner.Described described) {
        PciFunction f = described.function();
        String d = TopologyScanner.dev(f.address());
        if (f.kind() == FunctionKind.VF) {
            PciAddress pf = described.pf().orElseThrow(() -> new SysfsIoException(
                    "readlink", sysfs.describe(d + "/physfn"), org.sriov4j.Errno.ENOENT, "", null));
            if (held(pf)) {
                throw new LeaseUnavailableException(operation, f.address(), holderOf(pf),
                        "its PF " + pf + " is leased or its VFs are being changed");
            }
        } else if (f.kind() == FunctionKind.PF) {
            for (PciAddress vf : vfsOf(f.address())) {
                if (held(vf)) {
                    throw new LeaseUnavailableException(operation, f.address(), holderOf(vf),
                            "its VF " + vf + " is leased");
                }
            }
        }
    }

    /**
     * Refuses to take a PF with VFs from the host: unbinding its driver makes the kernel disable SR-IOV, which
     * destroys every VF (and the lease of any). Call with the PF's lock held.
     */
    private void checkNoVfs(String operation, PciFunction f) {
        if (f.kind() != FunctionKind.PF) {
            return;
        }
        List<PciAddress> vfs = vfsOf(f.address());
        if (!vfs.isEmpty()) {
            throw new SriovException(operation, f.address(), Errno.EBUSY, null, "it is a PF with " + vfs.size()
                    + " VF" + (vfs.size() == 1 ? "" : "s") + " (" + vfs.stream().map(PciAddress::toString)
                    .collect(java.util.stream.Collectors.joining(", ")) + "): unbinding its driver would destroy them;"
                    + " disable its VFs first (disable-vfs)", null);
        }
    }

    /**
     * Refuses to go on from an entry left in the middle of a detach or reattach by a process that died: what the
     * function looks like now is not what it was. Call with the lock held.
     */
    private Optional<LedgerEntry> settledEntry(String operation, PciAddress f) {
        return settled(operation, f, ledger.get(f));
    }

    /** {@link #settledEntry} for the entry as read under the lock. */
    private Optional<LedgerEntry> settled(String operation, PciAddress f, Optional<LedgerEntry> e) {
        if (e.isPresent() && e.get().phase() != LedgerEntry.Phase.DETACHED) {
            throw new SriovException(operation, f, Errno.EBUSY, ledger.file(f).toString(), "a " + e.get().phase()
                    + " of it was interrupted (its process died); run recover for it first", null);
        }
        return e;
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
            Optional<LedgerEntry> own = ledger.get(pf);
            if (own.isPresent()) {
                throw new SriovException(operation, pf, Errno.EBUSY, null, "it is " + (own.get().lease().isPresent()
                        ? "leased" : "detached") + " (on " + own.get().stubDriver() + "); its VFs cannot change until"
                        + " it is given back (release or reattach it first)", null);
            }
            for (PciAddress vf : vfsOf(pf)) {
                if (held(vf)) {
                    throw new LeaseUnavailableException(operation, pf, holderOf(vf),
                            "its VF " + vf + " is leased; release it first");
                }
            }
            return change.get();
        }
    }

    /**
     * Detaches one function. The function is described once, under its lock; its entry is read once (by the lock's
     * check) and handed on; what it looks like afterwards is what the detach wrote and verified
     * ({@link Assigner#afterDetach}).
     */
    PciFunction detach(PciAddress f) {
        Locked locked = lockChecked(Assigner.DETACH, f, "");
        try (FunctionLock lock = locked.lock()) {
            TopologyScanner.Described described = assigner.describeForChange(Assigner.DETACH, f);
            checkRelatives(Assigner.DETACH, described);
            return detachChecked(described, locked.entry(), null);
        }
    }

    /** The rest of a detach once the function is locked, described and its relatives checked. */
    private PciFunction detachChecked(TopologyScanner.Described described, Optional<LedgerEntry> entry,
            @org.jspecify.annotations.Nullable Batch batch) {
        PciFunction fn = described.function();
        PciAddress f = fn.address();
        checkNoVfs(Assigner.DETACH, fn);
        Optional<LedgerEntry> prev = settled(Assigner.DETACH, f, entry);
        if (prev.isPresent() && (prev.get().managed() || prev.get().lease().isPresent())) {
            // a lease whose holder is gone: the function is now detached on purpose, for nobody
            LedgerEntry next = prev.get().withLease(Optional.empty(), "", false);
            ledger.put(next);
            prev = Optional.of(next);
        }
        detachRecorded(fn, false, "", prev, batch);
        return assigner.afterDetach(fn);
    }

    /**
     * What a run of changes of many functions shares: each IOMMU group's members, listed once, and whether a
     * completion record was written without forcing the ledger directory (forced once at the end of the run).
     */
    private static final class Batch {
        final Map<Integer, List<PciAddress>> groups = new java.util.HashMap<>();
        boolean unsynced;
    }

    /**
     * Detaches many functions, each with its own outcome (see {@code SriovHost.detachAll}). Per function exactly
     * what {@link #detach(PciAddress)} does, in this order: its lock taken and its entry checked; described; its
     * relatives checked; its intent written and forced to disk before its first kernel write; its kernel writes; its
     * completion. Shared: the VFs of one PF are all locked before that PF is looked at once (lock-then-check holds
     * for each of them: a changer of the PF that locked it before the look is seen, one that locks it after finds
     * every VF held); each IOMMU group's members are listed once; a completion record is renamed into place without
     * forcing the directory, which the next function's intent forces anyway, and the directory is forced once at the
     * end, before this returns (a host crash in between finds the intent and recovery undoes or completes it, as
     * after any interrupted detach). Each function's lock is released as soon as it is done.
     */
    List<org.sriov4j.FunctionOutcome> detachAll(List<PciAddress> functions) {
        checkDistinct(functions);
        return ledger.inRun(() -> detachRun(functions));
    }

    private List<org.sriov4j.FunctionOutcome> detachRun(List<PciAddress> functions) {
        int n = functions.size();
        org.sriov4j.FunctionOutcome[] out = new org.sriov4j.FunctionOutcome[n];
        Locked[] locked = new Locked[n];
        TopologyScanner.Described[] described = new TopologyScanner.Described[n];
        Batch batch = new Batch();
        try {
            for (int i = 0; i < n; i++) {
                PciAddress f = functions.get(i);
                try {
                    locked[i] = lockChecked(Assigner.DETACH, f, "");
                    described[i] = assigner.describeForChange(Assigner.DETACH, f);
                } catch (SriovException e) {
                    out[i] = org.sriov4j.FunctionOutcome.failed(f, e);
                    release(locked, i);
                }
            }
            // every VF of the run is locked now: each of their PFs is looked at once
            Map<PciAddress, PfLook> pfLooks = new java.util.HashMap<>();
            for (int i = 0; i < n; i++) {
                if (locked[i] == null) {
                    continue;
                }
                PciAddress f = functions.get(i);
                try {
                    TopologyScanner.Described d = described[i];
                    if (d.function().kind() == FunctionKind.VF && d.pf().isPresent()) {
                        PciAddress pf = d.pf().get();
                        PfLook look = pfLooks.computeIfAbsent(pf, p -> held(p) ? new PfLook(true, holderOf(p))
                                : new PfLook(false, null));
                        if (look.held()) {
                            throw new LeaseUnavailableException(Assigner.DETACH, f, look.holder(),
                                    "its PF " + pf + " is leased or its VFs are being changed");
                        }
                    } else {
                        checkNoVfs(Assigner.DETACH, d.function()); // a PF with VFs: refused as such, not as "held"
                        checkRelatives(Assigner.DETACH, d);
                    }
                    out[i] = org.sriov4j.FunctionOutcome.succeeded(detachChecked(d, locked[i].entry(), batch));
                } catch (SriovException e) {
                    out[i] = org.sriov4j.FunctionOutcome.failed(f, e);
                } finally {
                    release(locked, i);
                }
            }
        } finally {
            for (int i = 0; i < n; i++) {
                release(locked, i);
            }
            if (batch.unsynced) {
                ledger.syncDirectory(); // before any success is reported
            }
        }
        return List.of(out);
    }

    /**
     * Gives many functions back, each with its own outcome (see {@code SriovHost.reattachAll}): per function exactly
     * what {@link #reattach(PciAddress)} does (its lock, its entry marked REATTACHING and forced to disk before its
     * first kernel write, its kernel writes), except that the removal of its entry does not force the directory: the
     * next function's mark forces it anyway, and the directory is forced once at the end, before this returns (a
     * host crash in between finds the mark and recovery completes the reattach).
     */
    List<org.sriov4j.FunctionOutcome> reattachAll(List<PciAddress> functions) {
        checkDistinct(functions);
        return ledger.inRun(() -> reattachRun(functions));
    }

    private List<org.sriov4j.FunctionOutcome> reattachRun(List<PciAddress> functions) {
        List<org.sriov4j.FunctionOutcome> out = new ArrayList<>(functions.size());
        Batch batch = new Batch();
        try {
            for (PciAddress f : functions) {
                try {
                    Locked locked = lockChecked(Assigner.REATTACH, f, "");
                    try (FunctionLock lock = locked.lock()) {
                        PciFunction fn = assigner.describe(Assigner.REATTACH, f);
                        out.add(org.sriov4j.FunctionOutcome.succeeded(reattachRecorded(fn, locked.entry(), batch)));
                    }
                } catch (SriovException e) {
                    out.add(org.sriov4j.FunctionOutcome.failed(f, e));
                }
            }
        } finally {
            if (batch.unsynced) {
                ledger.syncDirectory();
            }
        }
        return List.copyOf(out);
    }

    /** What the one look at a PF in a run found. */
    private record PfLook(boolean held, @org.jspecify.annotations.Nullable String holder) {
    }

    private static void release(Locked[] locked, int i) {
        if (locked[i] != null) {
            Locked l = locked[i];
            locked[i] = null;
            l.lock().close();
        }
    }

    private static void checkDistinct(List<PciAddress> functions) {
        java.util.Set<PciAddress> seen = new java.util.HashSet<>();
        for (PciAddress f : functions) {
            if (!seen.add(Objects.requireNonNull(f, "function"))) {
                throw new IllegalArgumentException(f + " is named twice");
            }
        }
    }

    /**
     * Detaches with the ledger written ahead; a no-op for a function already on the stub driver.
     *
     * @param current the function's entry as it is in the ledger now (read under its lock)
     */
    private void detachRecorded(PciFunction fn, boolean managed, String guest, Optional<LedgerEntry> current,
            @org.jspecify.annotations.Nullable Batch batch) {
        String stub = stubDriver.get();
        PciAddress f = fn.address();
        assigner.checkRecordable(Assigner.DETACH, fn);
        if (fn.driver().filter(stub::equals).isPresent()) {
            if (current.isEmpty()) {
                // detached by someone else (an operator, another tool): its original driver is what the backend
                // knows of it (Xen: the toolstack's record), else unknown: then the stub is recorded as original so
                // that nothing of ours ever moves it
                Optional<String> known = assigner.steps().flatMap(s -> s.originalDriverOf(fn));
                ledger.put(entry(f, LedgerEntry.Phase.DETACHED, new Assigner.Original(
                        known.isPresent() ? known : fn.driver(), fn.driverOverride()), false, guest));
            }
            return;
        }
        if (batch != null) {
            assigner.checkAssignable(Assigner.DETACH, fn, batch.groups);
        } else {
            assigner.checkAssignable(Assigner.DETACH, fn);
        }
        Assigner.Original original = new Assigner.Original(fn.driver(), fn.driverOverride());
        ledger.put(entry(f, LedgerEntry.Phase.DETACHING, original, managed, guest));
        Map<String, String> extras;
        try {
            extras = assigner.detachToStub(fn);
        } catch (SriovException e) {
            if (e.rollback().map(RollbackOutcome::complete).orElse(true)) {
                ledger.remove(f);
            }
            throw e;
        }
        LedgerEntry done = withExtras(entry(f, LedgerEntry.Phase.DETACHED, original, managed, guest), extras);
        if (batch != null) {
            ledger.putUnsynced(done); // the run forces the directory before it reports success
            batch.unsynced = true;
        } else {
            ledger.put(done);
        }
        events.emit(new SriovEvent.Detached(f, original.driver(), stubDriver.get()));
    }

    private LedgerEntry entry(PciAddress f, LedgerEntry.Phase phase, Assigner.Original original, boolean managed,
            String guest) {
        return new LedgerEntry(f, phase, original.driver(), original.driverOverride(), stubDriver.get(), managed,
                ProcessHandle.current().pid(), LedgerEntry.currentProcessStart(),
                guest.isEmpty() ? Optional.empty() : Optional.of(guest), Instant.now(), Map.of());
    }

    /**
     * Gives one function back. Described once under its lock, its entry read once (by the lock's check); what it
     * looks like afterwards is what the reattach restored and verified ({@link Assigner#afterReattach}).
     */
    PciFunction reattach(PciAddress f) {
        Locked locked = lockChecked(Assigner.REATTACH, f, "");
        try (FunctionLock lock = locked.lock()) {
            PciFunction fn = assigner.describe(Assigner.REATTACH, f);
            return reattachRecorded(fn, locked.entry(), null);
        }
    }

    private void reattachRecorded(PciFunction fn) {
        reattachRecorded(fn, ledger.get(fn.address()), null);
    }

    /**
     * Gives a function back to what its entry records (one that is on the stub without an entry: to whatever the
     * host prefers).
     *
     * @param fn the function as described just before, under its lock
     * @param e its entry as read under the lock
     * @return the function now
     */
    private PciFunction reattachRecorded(PciFunction fn, Optional<LedgerEntry> e,
            @org.jspecify.annotations.Nullable Batch batch) {
        PciAddress f = fn.address();
        if (e.isEmpty()) {
            if (fn.driver().filter(stubDriver.get()::equals).isPresent()) {
                // not ours: give it to whatever the host prefers
                assigner.reattach(f, new Assigner.Original(Optional.empty(), Optional.empty()), Map.of());
                if (sysfs.linkName(TopologyScanner.dev(f) + "/driver").isEmpty()) {
                    sysfs.write("bus/pci/drivers_probe", f.toString());
                }
                return assigner.describeAfter(Assigner.REATTACH, fn);
            }
            return fn; // not detached: nothing to do
        }
        LedgerEntry entry = restoreNet(Assigner.REATTACH, detachFromGuestIfAny(e.get(), false));
        ledger.put(entry.inPhase(LedgerEntry.Phase.REATTACHING));
        Assigner.Original original = new Assigner.Original(entry.originalDriver(), entry.originalDriverOverride());
        assigner.reattach(fn, original, entry.extras());
        if (batch != null) {
            ledger.removeUnsynced(f); // the run forces the directory before it reports success
            batch.unsynced = true;
        } else {
            ledger.remove(f);
        }
        events.emit(new SriovEvent.Reattached(f, entry.originalDriver()));
        return assigner.afterReattach(fn, original);
    }

    /** Ledger extras key: the guest a function is attached to through the backend's steps. */
    static final String GUEST_ATTACHED = "guest.attached";
    static final String ATTACH = "attach to guest";
    static final String DETACH_GUEST = "detach from guest";

    private static LedgerEntry withExtras(LedgerEntry e, Map<String, String> extras) {
        return e.withExtras(extras);
    }

    private static LedgerEntry withoutExtra(LedgerEntry e, String key) {
        return e.withoutExtra(key);
    }

    /**
     * Takes a function away from the guest the ledger says it is attached to, before it goes back to the host. A
     * guest that no longer exists has lost it already. In recovery (the holder died) a guest that still exists
     * loses it too: the function is given back to the host whatever the guest is doing.
     */
    LedgerEntry detachFromGuestIfAny(LedgerEntry e, boolean recovering) {
        String guest = e.extras().get(GUEST_ATTACHED);
        if (guest == null) {
            return e;
        }
        if (!hotplug.canPlug()) {
            // attached by a process that had a plug actuator; this one has none: the guest keeps whatever it has
            // until the VFIO device is closed (the unbind refuses while it is open)
            System.getLogger(Lifecycle.class.getName()).log(System.Logger.Level.WARNING,
                    "{0} is recorded as attached to guest {1}, but this host cannot unplug it ({2}); the record is"
                            + " dropped", e.device(), guest, hotplug.missing());
        } else if (hotplug.guestExists(guest)) {
            hotplug.unplug(e.device(), guest, recovering);
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
        if (!hotplug.canPlug()) {
            throw new SriovException(ATTACH, f, org.sriov4j.Errno.EOPNOTSUPP, null, hotplug.missing(), null);
        }
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
                hotplug.plug(f, guest);
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
        if (held == null && !sysfs.exists(TopologyScanner.dev(f))) {
            throw new DeviceNotFoundException(DETACH_GUEST, f, "no such PCI function under "
                    + sysfs.describe("bus/pci/devices"));
        }
        if (!hotplug.canPlug() && attachedTo(f).isEmpty()) {
            return; // this host never attaches to guests (kvm-vfio without an actuator) and nothing is recorded
        }
        FunctionLock lock = held != null ? held : lock(DETACH_GUEST, f, "");
        try {
            Optional<LedgerEntry> e = ledger.get(f);
            if (e.isEmpty() || !e.get().extras().containsKey(GUEST_ATTACHED)) {
                return;
            }
            String guest = e.get().extras().get(GUEST_ATTACHED);
            if (!hotplug.canPlug()) {
                throw new SriovException(DETACH_GUEST, f, org.sriov4j.Errno.EOPNOTSUPP, null, "it is recorded as "
                        + "attached to guest " + guest + ", but " + hotplug.missing(), null);
            }
            hotplug.unplug(f, guest, false);
            ledger.put(withoutExtra(e.get(), GUEST_ATTACHED));
        } finally {
            if (held == null) {
                lock.close();
            }
        }
    }

    /**
     * Unplugs a leased function because the host wants it back, bounded by {@code grace}, with the surprise-removal
     * fallback; the ledger stops recording the attachment either way.
     */
    org.sriov4j.UnplugOutcome requestedUnplug(PciAddress f, java.time.Duration grace, Runnable surpriseRemoval) {
        Optional<LedgerEntry> e = ledger.get(f);
        if (e.isEmpty() || !e.get().extras().containsKey(GUEST_ATTACHED)) {
            return org.sriov4j.UnplugOutcome.NOT_ATTACHED;
        }
        String guest = e.get().extras().get(GUEST_ATTACHED);
        org.sriov4j.UnplugOutcome outcome = hotplug.requested(f, guest, grace, surpriseRemoval);
        ledger.put(withoutExtra(ledger.get(f).orElse(e.get()), GUEST_ATTACHED));
        return outcome;
    }

    /** The guest a function is attached to, as the ledger says. */
    Optional<String> attachedTo(PciAddress f) {
        return ledger.get(f).map(e -> e.extras().get(GUEST_ATTACHED));
    }


    Lease lease(PciAddress f, String guest, LeaseHolder holder) {
        return lease(f, guest, holder, null);
    }

    /**
     * A lease; with {@code netConfig}, the VF's network settings are applied (with the secure defaults) before it is
     * recorded as leased and returned.
     */
    Lease lease(PciAddress f, String guest, LeaseHolder holder,
            org.sriov4j.@org.jspecify.annotations.Nullable VfNetConfig netConfig) {
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(holder, "holder");
        LedgerEntry.checkGuest(guest); // before anything is locked or written
        if (holder.kind() == LeaseHolder.Kind.PROCESS && !processRuns(holder)) {
            throw new IllegalArgumentException("process " + holder.pid().orElse(-1) + " (started "
                    + holder.processStart().map(Object::toString).orElse("?") + ") does not run");
        }
        Locked locked = lockChecked(LEASE, f, guest);
        FunctionLock lock = locked.lock();
        try {
            TopologyScanner.Described described = assigner.describeForChange(LEASE, f);
            PciFunction fn = described.function();
            checkRelatives(LEASE, described);
            checkNoVfs(LEASE, fn);
            Optional<LedgerEntry> prev = settled(LEASE, f, locked.entry());
            if (prev.isPresent() && prev.get().lease().isPresent()
                    && prev.get().extras().containsKey(GUEST_ATTACHED)) {
                // a previous lease whose holder is gone (else lock() would have refused) left the function attached to
                // its guest: take it away from that guest first, as recover would
                prev = Optional.of(detachFromGuestIfAny(prev.get(), true));
            }
            boolean onStub = fn.driver().filter(stubDriver.get()::equals).isPresent();
            // a function whose previous lease ended with its holder keeps that lease's "managed": it goes back then
            boolean managed = prev.map(LedgerEntry::managed).orElse(!onStub);
            if (netConfig != null) {
                // known refusals before the detach
                netOrRefuse(LEASE, f).check(LEASE, f, netConfig.withSecureDefaults());
            }
            detachRecorded(fn, managed, guest, prev, null);
            if (netConfig != null) {
                // before the entry names the lease: a lease that could not be set up is never recorded as live
                applyLeaseNet(f, managed, netConfig);
            }
            LeaseHolder recorded = holder.kind() == LeaseHolder.Kind.TAKER
                    ? new LeaseHolder(LeaseHolder.Kind.TAKER, java.util.OptionalLong.of(ProcessHandle.current().pid()),
                            LedgerEntry.currentProcessStart())
                    : holder;
            // the entry names this lease (guest, holder, owner) whether or not this lease detached the function
            ledger.put(ledger.get(f).orElseThrow().withLease(Optional.of(recorded), guest, managed));
            events.emit(new SriovEvent.Leased(f, guest, managed));
            if (holder.kind() == LeaseHolder.Kind.TAKER) {
                return new EngineLease(f, guest, managed, lock);
            }
            lock.close(); // the entry holds the lease from now on
            return new RecordedLease(f, guest, recorded);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The live process-tied and durable leases of a guest, as lease objects of this process. */
    List<Lease> adopt(String guest) {
        Objects.requireNonNull(guest, "guest");
        LedgerEntry.checkGuest(guest);
        List<Lease> out = new ArrayList<>();
        for (LedgerEntry e : ledger.scan().entries()) {
            if (e.guest().equals(Optional.of(guest)) && liveRecordedLease(e)) {
                out.add(new RecordedLease(e.device(), guest, e.lease().orElseThrow()));
            }
        }
        return out;
    }

    /** Ends a lease whose holder (this process's lease, or the caller of a recorded lease's close) is done. */
    private void endLease(PciAddress device) {
        Optional<LedgerEntry> e = ledger.get(device);
        if (e.isEmpty()) {
            return;
        }
        if (e.get().managed()) {
            reattachRecorded(assigner.describe(Assigner.REATTACH, device));
        } else {
            LedgerEntry next = detachFromGuestIfAny(e.get(), false);
            if (next.extras().containsKey(VfNetIdentity.BY_LEASE)) {
                next = restoreNet(Assigner.REATTACH, next); // what this lease set; the VF stays detached
            }
            ledger.put(next.withLease(Optional.empty(), "", false)); // detached, leased to nobody
        }
    }

    /** A lease held by this process (its lock). */
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
        public LeaseHolder holder() {
            return new LeaseHolder(LeaseHolder.Kind.TAKER, java.util.OptionalLong.of(ProcessHandle.current().pid()),
                    LedgerEntry.currentProcessStart());
        }

        @Override
        public synchronized org.sriov4j.VfNetConfig configureVf(org.sriov4j.VfNetConfig changes) {
            Objects.requireNonNull(changes, "changes");
            checkHeld(VfNetIdentity.CONFIGURE);
            return configureLeased(device, changes);
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
        public synchronized org.sriov4j.UnplugOutcome detachFromGuest(java.time.Duration grace,
                Runnable surpriseRemoval) {
            Objects.requireNonNull(grace, "grace");
            Objects.requireNonNull(surpriseRemoval, "surpriseRemoval");
            checkHeld(DETACH_GUEST);
            return Lifecycle.this.requestedUnplug(device, grace, surpriseRemoval);
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
                endLease(device);
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

    /**
     * A lease that no process holds the lock of: tied to another process, or durable. Its state is its ledger entry;
     * this object only names it, so any process can have one ({@link #adopt}). Each operation takes the function's
     * lock for its own duration and checks that the entry still records this very lease.
     */
    private final class RecordedLease implements Lease {
        private final PciAddress device;
        private final String guest;
        private final LeaseHolder holder;
        private boolean closed;

        RecordedLease(PciAddress device, String guest, LeaseHolder holder) {
            this.device = device;
            this.guest = guest;
            this.holder = holder;
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
        public LeaseHolder holder() {
            return holder;
        }

        private Optional<LedgerEntry> mine() {
            return ledger.get(device).filter(e -> e.lease().equals(Optional.of(holder))
                    && e.guest().equals(Optional.of(guest)));
        }

        @Override
        public boolean managed() {
            return mine().map(LedgerEntry::managed).orElse(false);
        }

        @Override
        public synchronized boolean isHeld() {
            return !closed && mine().filter(Lifecycle::liveRecordedLease).isPresent();
        }

        private FunctionLock lockMine(String operation) {
            if (closed) {
                throw new IllegalStateException(operation + ": the lease of " + device + " is closed");
            }
            FunctionLock lock = lockOnly(operation, device, guest);
            if (mine().filter(Lifecycle::liveRecordedLease).isEmpty()) {
                lock.close();
                throw new IllegalStateException(operation + ": the lease of " + device + " to " + guest
                        + " has ended");
            }
            return lock;
        }

        @Override
        public synchronized org.sriov4j.VfNetConfig configureVf(org.sriov4j.VfNetConfig changes) {
            Objects.requireNonNull(changes, "changes");
            try (FunctionLock lock = lockMine(VfNetIdentity.CONFIGURE)) {
                return configureLeased(device, changes);
            }
        }

        @Override
        public synchronized void attachToGuest(String domain) {
            try (FunctionLock lock = lockMine(ATTACH)) {
                Lifecycle.this.attachToGuest(device, domain, lock);
            }
        }

        @Override
        public synchronized void detachFromGuest() {
            try (FunctionLock lock = lockMine(DETACH_GUEST)) {
                Lifecycle.this.detachFromGuest(device, lock);
            }
        }

        @Override
        public synchronized Optional<String> attachedTo() {
            return isHeld() ? Lifecycle.this.attachedTo(device) : Optional.empty();
        }

        /**
         * Ends the lease for good (from whichever process): gives a managed function back, or leaves it detached and
         * leased to nobody. A lease that already ended (its process exited and recover gave the function back, or
         * another process released it) is left as it is.
         *
         * @throws LeaseUnavailableException if another process is changing the function right now (try again)
         */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            try (FunctionLock lock = lockOnly(LEASE, device, guest)) {
                closed = true;
                if (mine().isPresent()) {
                    endLease(device);
                    events.emit(new SriovEvent.Released(device, guest));
                }
            }
        }

        @Override
        public String toString() {
            return "Lease[" + device + " to " + guest + ", " + holder + (closed ? ", released" : "") + "]";
        }
    }

    List<Assignment> assignments() {
        List<Assignment> out = new ArrayList<>();
        for (LedgerEntry e : ledger.scan().entries()) {
            Optional<FunctionLocks.Holder> lockHolder = locks.holder(e.device());
            out.add(new Assignment(e.device(), Assignment.Phase.valueOf(e.phase().name()), e.originalDriver(),
                    e.stubDriver(), e.managed(), e.guest(), java.util.OptionalLong.of(e.ownerPid()),
                    lockHolder.map(FunctionLocks.Holder::toString),
                    Optional.ofNullable(e.extras().get(GUEST_ATTACHED)), liveLease(e, lockHolder)));
        }
        out.sort(java.util.Comparator.comparing(Assignment::device));
        return out;
    }

    /**
     * What keeps a function's lease alive now: a live recorded lease (process-tied or durable), else the process the
     * kernel names as the lock's owner for a taker lease (with its pid and start time only when the lock file's text
     * was written by that very process), else nothing.
     */
    private static Optional<LeaseHolder> liveLease(LedgerEntry e, Optional<FunctionLocks.Holder> lockHolder) {
        if (liveRecordedLease(e)) {
            return e.lease();
        }
        if (lockHolder.isEmpty() || e.lease().filter(l -> l.kind() == LeaseHolder.Kind.TAKER).isEmpty()) {
            return Optional.empty(); // not leased, or its lease is over (holder gone); a change may be in progress
        }
        FunctionLocks.Holder h = lockHolder.get();
        return Optional.of(h.confirmed() && h.pid().isPresent()
                ? new LeaseHolder(LeaseHolder.Kind.TAKER, h.pid(), h.processStart())
                : new LeaseHolder(LeaseHolder.Kind.TAKER, java.util.OptionalLong.empty(), Optional.empty()));
    }

    /** The ledger's unusable files: problems of a scan and the files set aside. */
    List<LedgerProblem> ledgerProblems() {
        Ledger.Scan scan = ledger.scan();
        List<LedgerProblem> out = new ArrayList<>();
        for (Ledger.Problem p : scan.problems()) {
            out.add(new LedgerProblem(p.file(), p.device(), LedgerProblem.Kind.valueOf(p.kind().name()),
                    p.reason()));
        }
        for (Path q : scan.quarantined()) {
            String name = q.getFileName().toString();
            String bdf = name.substring(0, Math.max(0, name.indexOf(Ledger.ENTRY_SUFFIX)));
            Optional<PciAddress> device = PciAddress.isValid(bdf) ? Optional.of(PciAddress.parse(bdf))
                    : Optional.empty();
            out.add(new LedgerProblem(q, device, LedgerProblem.Kind.QUARANTINED, "a corrupt record set aside by "
                    + "recover; its function was not given back: check it (reattach), then delete this file"));
        }
        out.sort(java.util.Comparator.comparing(p -> p.file().getFileName().toString()));
        return out;
    }

    RecoveryReport recover() {
        return recovery.recover();
    }

    RecoveryReport recover(PciAddress f) {
        return recovery.recover(f);
    }

    // ---- VF network settings (VfNetIdentity): the few places the lifecycle calls it ----

    /** Restores the VF network settings saved in an entry (none: the entry unchanged). */
    LedgerEntry restoreNet(String operation, LedgerEntry e) {
        if (!e.extras().containsKey(VfNetIdentity.SAVED) && !e.extras().containsKey(VfNetIdentity.BY_LEASE)) {
            return e;
        }
        return netOrRefuse(operation, e.device()).restoreRecorded(operation, e, ledger);
    }

    private VfNetIdentity netOrRefuse(String operation, PciAddress f) {
        if (net == null) {
            throw new SriovException(operation, f, org.sriov4j.Errno.EOPNOTSUPP, null,
                    "this engine makes no VF network settings", null);
        }
        return net;
    }

    /** Applies a lease's settings; on failure the function goes back as it was, and the failure is thrown. */
    private void applyLeaseNet(PciAddress f, boolean managed, org.sriov4j.VfNetConfig netConfig) {
        try {
            netOrRefuse(LEASE, f).applyRecorded(LEASE, f, netConfig.withSecureDefaults(), ledger, true);
        } catch (RuntimeException e) {
            if (managed) { // give the function back (restoring what the rollback could not, if anything)
                try {
                    reattachRecorded(assigner.describe(Assigner.REATTACH, f));
                } catch (RuntimeException undo) {
                    e.addSuppressed(undo);
                }
            } // a function detached before stays so; what the rollback could not set back stays recorded
            throw e;
        }
    }

    /**
     * Changes a VF's network settings under its lock; a VF in the ledger (detached by sriov4j) has its settings
     * before the first change saved there, others are the operator's and are not recorded.
     */
    org.sriov4j.VfNetConfig configureVf(PciAddress f, org.sriov4j.VfNetConfig changes) {
        VfNetIdentity n = netOrRefuse(VfNetIdentity.CONFIGURE, f);
        Locked locked = lockChecked(VfNetIdentity.CONFIGURE, f, "");
        try (FunctionLock lock = locked.lock()) {
            if (locked.entry().isPresent()) {
                return n.applyRecorded(VfNetIdentity.CONFIGURE, f, changes, ledger, false);
            }
            return n.apply(VfNetIdentity.CONFIGURE, f, changes, before -> { });
        }
    }

    /**
     * Changes a leased VF's network settings; the caller holds the lease's lock. The settings before sriov4j's first
     * change are saved in the entry (once) and marked as the lease's, so the end of the lease sets them back.
     */
    private org.sriov4j.VfNetConfig configureLeased(PciAddress f, org.sriov4j.VfNetConfig changes) {
        return netOrRefuse(VfNetIdentity.CONFIGURE, f).applyRecorded(VfNetIdentity.CONFIGURE, f, changes, ledger,
                true);
    }

    /** The VF network settings saved for a function. */
    Optional<org.sriov4j.VfNetConfig> savedNet(PciAddress f) {
        return ledger.get(f).flatMap(VfNetIdentity::saved);
    }
}
