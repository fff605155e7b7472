package org.sriov4j;

import java.util.List;
import java.util.Objects;

/**
 * What {@link SriovHost#recover()} (or {@link SriovHost#recover(PciAddress)}) found and did.
 *
 * @param restored functions given back to their recorded original driver (a managed lease whose holder is gone, or
 *     an interrupted detach or reattach)
 * @param stillHeld functions left alone because they are held: by a live process (a lease or a change in
 *     progress), or by a lease tied to a live process, or by a durable lease
 * @param keptDetached functions detached on purpose (unmanaged) whose taker is gone: they stay on the stub driver (an
 *     operator's {@code reattach} gives them back)
 * @param problems records that could not be read (a corrupt one is set aside and listed by
 *     {@link SriovHost#ledgerProblems()} from then on), functions that could not be restored, and records kept
 *     because their function cannot be seen; each in one line naming the file or device
 * @param unseen functions whose records were kept because the function cannot be seen in sysfs and is not provably
 *     gone (a wrong sysfs root, a container that does not see the host's /sys, a hot-unplugged device): their records
 *     are never removed on a guess (see {@link SriovHost#recover()} for the rule)
 * @param gone functions provably gone from the host (a VF whose PF is there and has fewer VFs now): their records
 *     (and lock files) were removed
 */
public record RecoveryReport(List<PciAddress> restored, List<PciAddress> stillHeld, List<PciAddress> keptDetached,
        List<String> problems, List<PciAddress> unseen, List<PciAddress> gone) {

    /**
     * Copies the lists.
     *
     * @param restored functions given back to their recorded original driver
     * @param stillHeld functions held by live processes or live leases
     * @param keptDetached functions left detached on purpose
     * @param problems what could not be read or restored
     * @param unseen functions whose records were kept because they cannot be seen
     * @param gone functions provably gone, whose records were removed
     */
    public RecoveryReport {
        restored = List.copyOf(Objects.requireNonNull(restored, "restored"));
        stillHeld = List.copyOf(Objects.requireNonNull(stillHeld, "stillHeld"));
        keptDetached = List.copyOf(Objects.requireNonNull(keptDetached, "keptDetached"));
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
        unseen = List.copyOf(Objects.requireNonNull(unseen, "unseen"));
        gone = List.copyOf(Objects.requireNonNull(gone, "gone"));
    }

    /**
     * A report without unseen or gone functions.
     *
     * @param restored functions given back to their recorded original driver
     * @param stillHeld functions held by live processes or live leases
     * @param keptDetached functions left detached on purpose
     * @param problems what could not be read or restored
     */
    public RecoveryReport(List<PciAddress> restored, List<PciAddress> stillHeld, List<PciAddress> keptDetached,
            List<String> problems) {
        this(restored, stillHeld, keptDetached, problems, List.of(), List.of());
    }

    /**
     * Whether anything needed attention.
     *
     * @return true if nothing was restored and there were no problems
     */
    public boolean clean() {
        return restored.isEmpty() && problems.isEmpty();
    }
}
