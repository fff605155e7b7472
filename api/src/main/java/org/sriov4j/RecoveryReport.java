package org.sriov4j;

import java.util.List;
import java.util.Objects;

/**
 * What {@link SriovHost#recover()} found and did.
 *
 * @param restored functions given back to their recorded original driver (a dead owner's managed lease, or an
 *     interrupted detach or reattach)
 * @param stillHeld functions whose records belong to live processes, left alone
 * @param keptDetached functions a dead process detached unmanaged: they stay on the stub driver (an operator's
 *     {@code reattach} gives them back)
 * @param problems records that could not be read (set aside) or functions that could not be restored, each in
 *     one line naming the file or device
 */
public record RecoveryReport(List<PciAddress> restored, List<PciAddress> stillHeld, List<PciAddress> keptDetached,
        List<String> problems) {

    /**
     * Copies the lists.
     *
     * @param restored functions given back to their recorded original driver
     * @param stillHeld functions whose records belong to live processes
     * @param keptDetached functions left detached on purpose
     * @param problems what could not be read or restored
     */
    public RecoveryReport {
        restored = List.copyOf(Objects.requireNonNull(restored, "restored"));
        stillHeld = List.copyOf(Objects.requireNonNull(stillHeld, "stillHeld"));
        keptDetached = List.copyOf(Objects.requireNonNull(keptDetached, "keptDetached"));
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
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
