package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.sriov4j.PciAddress;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.spi.SysfsAccess;

/**
 * {@link org.sriov4j.SriovHost#recover()} and {@link org.sriov4j.SriovHost#recover(PciAddress)}: finishes or rolls
 * back what dead processes left, function by function, each under its lock (see {@link Lifecycle} for the ordering
 * rules and {@code docs/leases.md} for what may be removed).
 *
 * <ul>
 *   <li>A function whose lock a live process holds, or whose record names a live lease (durable, or tied to a process
 *       that runs), is left alone ({@link RecoveryReport#stillHeld()}).
 *   <li>A function sysfs does not show keeps its record unless it is provably gone ({@link #provablyGone}); then the
 *       record and the free lock file go ({@link RecoveryReport#gone()}), else it is reported
 *       ({@link RecoveryReport#unseen()}).
 *   <li>A function detached on purpose (unmanaged) stays detached; its stale lease, if any, is cleared.
 *   <li>Everything else goes back to its recorded original driver (after leaving the guest it is attached to).
 *   <li>A temporary file whose writer is gone is removed; a corrupt record is set aside; other unusable files are
 *       reported and left in place.
 * </ul>
 */
final class Recovery {

    private final Lifecycle lifecycle;
    private final SysfsAccess sysfs;
    private final Assigner assigner;
    private final Supplier<String> stubDriver;
    private final Ledger ledger;
    private final FunctionLocks locks;
    private final Events events;

    Recovery(Lifecycle lifecycle, SysfsAccess sysfs, Assigner assigner, Supplier<String> stubDriver, Ledger ledger,
            FunctionLocks locks, Events events) {
        this.lifecycle = lifecycle;
        this.sysfs = sysfs;
        this.assigner = assigner;
        this.stubDriver = stubDriver;
        this.ledger = ledger;
        this.locks = locks;
        this.events = events;
    }

    /** Collects a {@link RecoveryReport}. */
    private static final class Report {
        final List<PciAddress> restored = new ArrayList<>();
        final List<PciAddress> stillHeld = new ArrayList<>();
        final List<PciAddress> keptDetached = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final List<PciAddress> unseen = new ArrayList<>();
        final List<PciAddress> gone = new ArrayList<>();

        RecoveryReport build() {
            return new RecoveryReport(restored, stillHeld, keptDetached, problems, unseen, gone);
        }
    }

    /**
     * Recovers every function of the ledger.
     *
     * @return what was found and done
     */
    RecoveryReport recover() {
        Report r = new Report();
        Ledger.Scan scan = ledger.scan();
        for (Ledger.Problem p : scan.problems()) {
            handleProblem(p, r);
        }
        java.util.Set<PciAddress> recorded = new java.util.HashSet<>();
        for (LedgerEntry e : scan.entries()) {
            recorded.add(e.device());
            recoverEntry(e.device(), r);
        }
        // lock files of functions that are provably gone and have no record (VFs removed since): housekeeping,
        // removed only when free and safely (FunctionLocks#removeIfFree)
        for (PciAddress f : locks.devicesWithLockFiles()) {
            if (!recorded.contains(f) && !sysfs.exists(TopologyScanner.dev(f)) && provablyGone(f)) {
                locks.removeIfFree(f);
            }
        }
        return r.build();
    }

    /**
     * Recovers one function.
     *
     * @param f the function
     * @return what was found and done for it
     */
    RecoveryReport recover(PciAddress f) {
        Objects.requireNonNull(f, "f");
        Report r = new Report();
        Ledger.Scan scan = ledger.scan();
        for (Ledger.Problem p : scan.problems()) {
            if (p.device().equals(Optional.of(f))) {
                handleProblem(p, r);
            }
        }
        if (scan.entries().stream().anyMatch(e -> e.device().equals(f))) {
            recoverEntry(f, r);
        }
        return r.build();
    }

    /**
     * A file of the ledger that is not a usable entry: a temporary file whose writer is gone is removed (it never
     * replaced an entry); a corrupt entry is set aside (under its function's lock); everything else is reported and
     * left in place (an entry of a newer version is that version's to act on).
     */
    private void handleProblem(Ledger.Problem p, Report r) {
        switch (p.kind()) {
            case STRAY_TEMP -> {
                if (!ledger.removeStrayTemp(p)) {
                    r.problems.add(p.toString());
                }
            }
            case CORRUPT -> {
                Optional<FunctionLock> lock = p.device().isPresent()
                        ? locks.tryLock(p.device().get(), "sriov4j recover") : Optional.empty();
                if (p.device().isPresent() && lock.isEmpty()) {
                    r.problems.add(p + " (left in place: the function is held by a live process)");
                    return;
                }
                try {
                    r.problems.add(p + " (set aside as " + ledger.quarantine(p.file()).getFileName()
                            + "; its function was not given back: check it, then delete that file)");
                } finally {
                    lock.ifPresent(FunctionLock::close);
                }
            }
            default -> r.problems.add(p.toString());
        }
    }

    private void recoverEntry(PciAddress f, Report r) {
        Optional<FunctionLock> lock = locks.tryLock(f, "sriov4j recover");
        if (lock.isEmpty()) {
            r.stillHeld.add(f);
            return;
        }
        boolean gone = false;
        Optional<LedgerEntry> seen = Optional.empty();
        try {
            try (FunctionLock held = lock.get()) {
                seen = ledger.get(f); // read again under the lock: the scan may be stale
                if (seen.isEmpty()) {
                    return;
                }
                LedgerEntry e = seen.get();
                if (Lifecycle.liveRecordedLease(e)) {
                    r.stillHeld.add(f);
                    return;
                }
                if (!sysfs.exists(TopologyScanner.dev(f))) {
                    if (provablyGone(f)) {
                        ledger.remove(f);
                        r.gone.add(f);
                        gone = true;
                    } else {
                        r.unseen.add(f);
                        r.problems.add(f + ": recorded as " + e.phase() + " (original driver "
                                + e.originalDriver().orElse("none") + ") but "
                                + sysfs.describe(TopologyScanner.dev(f)) + " does not exist and the function is not "
                                + "provably gone: record kept (is the sysfs root the host's? if the device is gone for "
                                + "good, delete " + ledger.file(f) + ")");
                    }
                    return;
                }
                if (e.phase() == LedgerEntry.Phase.DETACHED && !e.managed()) {
                    if (assigner.steps().isPresent() && sysfs.linkName(TopologyScanner.dev(f) + "/driver")
                            .filter(stubDriver.get()::equals).isEmpty()) {
                        // given back by the hypervisor's own tools (xl pci-assignable-remove -r): nothing is left
                        // for us to undo but the VF network settings sriov4j changed
                        lifecycle.restoreNet(Lifecycle.RECOVER, e);
                        ledger.remove(f);
                        r.restored.add(f);
                        return;
                    }
                    LedgerEntry now = e;
                    if (now.extras().containsKey(VfNetIdentity.BY_LEASE)) {
                        now = lifecycle.restoreNet(Lifecycle.RECOVER, now); // what the dead holder's lease set
                    }
                    if (now.lease().isPresent()) {
                        ledger.put(now.withLease(Optional.empty(), "", false)); // its lessee is gone
                    }
                    r.keptDetached.add(f);
                    return;
                }
                LedgerEntry current = lifecycle.restoreNet(Lifecycle.RECOVER, lifecycle.detachFromGuestIfAny(e, true));
                ledger.put(current.inPhase(LedgerEntry.Phase.REATTACHING));
                assigner.reattach(f, new Assigner.Original(e.originalDriver(), e.originalDriverOverride()),
                        current.extras());
                ledger.remove(f);
                r.restored.add(f);
                events.emit(new SriovEvent.Reattached(f, e.originalDriver()));
            } catch (Ledger.UnreadableEntryException ex) {
                r.problems.add(ex.problem().toString()); // damaged since the scan: set aside by the next recover
            } catch (SriovException ex) {
                r.problems.add(f + ": could not be given back to "
                        + seen.flatMap(LedgerEntry::originalDriver).orElse("no driver") + ": " + ex.getMessage());
            }
        } finally {
            if (gone) {
                locks.removeIfFree(f); // only a free lock file is removed, and safely (see FunctionLocks)
            }
        }
    }

    /**
     * Whether a function that sysfs does not show is provably gone from the host, so that its record may go: it is
     * the VF at some index {@code i} of a PF that sysfs does show (computed from the PF's {@code sriov_offset},
     * {@code sriov_stride} and {@code sriov_totalvfs}, as the kernel routes VFs), and that PF's
     * {@code sriov_numvfs} is {@code i} or less (SR-IOV disabled or fewer VFs). Anything else (no PCI devices at all:
     * a wrong sysfs root; a PF that is gone too; a plain function) is not proof.
     */
    boolean provablyGone(PciAddress f) {
        if (!sysfs.exists("bus/pci/devices")) {
            return false;
        }
        for (String name : sysfs.list("bus/pci/devices")) {
            if (!PciAddress.isValid(name)) {
                continue;
            }
            PciAddress pf = PciAddress.parse(name);
            String d = TopologyScanner.dev(pf);
            if (pf.domain() != f.domain() || !sysfs.exists(d + "/sriov_totalvfs")) {
                continue;
            }
            try {
                int total = Integer.parseInt(sysfs.read(d + "/sriov_totalvfs").trim());
                int num = Integer.parseInt(sysfs.read(d + "/sriov_numvfs").trim());
                int offset = Integer.parseInt(sysfs.read(d + "/sriov_offset").trim());
                int stride = Integer.parseInt(sysfs.read(d + "/sriov_stride").trim());
                if (offset <= 0 || stride <= 0) {
                    continue;
                }
                int index = f.routingId() - pf.routingId() - offset;
                if (index >= 0 && index % stride == 0 && index / stride < total) {
                    return index / stride >= num;
                }
            } catch (NumberFormatException | SriovException x) {
                // this PF proves nothing
            }
        }
        return false;
    }
}
