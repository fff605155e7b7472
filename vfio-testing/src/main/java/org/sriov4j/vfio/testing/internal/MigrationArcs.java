package org.sriov4j.vfio.testing.internal;

import static org.sriov4j.vfio.MigrationState.ERROR;
import static org.sriov4j.vfio.MigrationState.PRE_COPY;
import static org.sriov4j.vfio.MigrationState.PRE_COPY_P2P;
import static org.sriov4j.vfio.MigrationState.RESUMING;
import static org.sriov4j.vfio.MigrationState.RUNNING;
import static org.sriov4j.vfio.MigrationState.RUNNING_P2P;
import static org.sriov4j.vfio.MigrationState.STOP;
import static org.sriov4j.vfio.MigrationState.STOP_COPY;

import java.util.Optional;
import org.sriov4j.vfio.MigrationState;

/**
 * The kernel's side of VFIO migration v2's state machine: {@code vfio_mig_get_next_state} (drivers/vfio/vfio_main.c,
 * Linux 6.12), the next arc a driver takes towards a target state, skipping states the device's migration flags do
 * not support. The fake keeps its own copy of the kernel's table rather than the library's, so that the library's
 * walk is checked against the kernel's, not against itself.
 */
final class MigrationArcs {
    private static final MigrationState[][] NEXT = new MigrationState[8][8];

    private MigrationArcs() {
    }

    private static void row(MigrationState from, MigrationState... nextByTarget) {
        // targets in the kernel's order: STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P
        NEXT[from.value()][ERROR.value()] = ERROR;
        for (int i = 0; i < nextByTarget.length; i++) {
            NEXT[from.value()][i + 1] = nextByTarget[i];
        }
    }

    static {
        row(STOP, STOP, RUNNING_P2P, STOP_COPY, RESUMING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P);
        row(RUNNING, RUNNING_P2P, RUNNING, RUNNING_P2P, RUNNING_P2P, RUNNING_P2P, PRE_COPY, RUNNING_P2P);
        row(STOP_COPY, STOP, STOP, STOP_COPY, STOP, STOP, STOP, STOP);
        row(RESUMING, STOP, STOP, STOP, RESUMING, STOP, STOP, STOP);
        row(RUNNING_P2P, STOP, RUNNING, STOP, STOP, RUNNING_P2P, RUNNING, PRE_COPY_P2P);
        row(PRE_COPY, RUNNING, RUNNING, PRE_COPY_P2P, RUNNING, RUNNING, PRE_COPY, PRE_COPY_P2P);
        row(PRE_COPY_P2P, RUNNING_P2P, RUNNING_P2P, STOP_COPY, RUNNING_P2P, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P);
        for (int i = 0; i < 8; i++) {
            NEXT[ERROR.value()][i] = ERROR;
        }
    }

    /** The next state on the way from {@code from} to {@code to}; empty when the kernel refuses ({@code EINVAL}). */
    static Optional<MigrationState> next(MigrationState from, MigrationState to, long flags) {
        if (from == ERROR || to == ERROR || !to.supportedWith(flags) || !from.supportedWith(flags)) {
            return Optional.empty();
        }
        MigrationState n = NEXT[from.value()][to.value()];
        while (!n.supportedWith(flags)) {
            n = NEXT[n.value()][to.value()];
        }
        return Optional.of(n);
    }

    /** Whether the arc opens a data fd: into a saving state from a non-saving one, or STOP to RESUMING. */
    static boolean opensDataFd(MigrationState from, MigrationState to) {
        return (to.saving() && !from.saving()) || (from == STOP && to == RESUMING);
    }
}
