package org.sriov4j.vfio;

import static org.sriov4j.vfio.MigrationState.ERROR;
import static org.sriov4j.vfio.MigrationState.PRE_COPY;
import static org.sriov4j.vfio.MigrationState.PRE_COPY_P2P;
import static org.sriov4j.vfio.MigrationState.RESUMING;
import static org.sriov4j.vfio.MigrationState.RUNNING;
import static org.sriov4j.vfio.MigrationState.RUNNING_P2P;
import static org.sriov4j.vfio.MigrationState.STOP;
import static org.sriov4j.vfio.MigrationState.STOP_COPY;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migration v2 FSM as the kernel defines it ({@code vfio_mig_get_next_state} in
 * {@code drivers/vfio/vfio_main.c}): the next state on the way from one state to another, skipping states the
 * device does not support, and which arcs open a new data fd. Used by {@link DeviceMigration} to walk a transition
 * arc by arc and by the test fake to validate them.
 */
final class MigrationFsm {
    private MigrationFsm() {
    }

    /** {@code vfio_from_fsm_table[from][to]}, indexed by kernel values 0..7 (ERROR, STOP, RUNNING, ...). */
    private static final MigrationState[][] NEXT = new MigrationState[8][8];

    private static void row(MigrationState from, MigrationState... nextByTarget) {
        // nextByTarget is in kernel order: STOP, RUNNING, STOP_COPY, RESUMING, RUNNING_P2P, PRE_COPY, PRE_COPY_P2P
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

    /**
     * The next state on the way from {@code from} to {@code to}, like the kernel's {@code vfio_mig_get_next_state}.
     *
     * @param from current state
     * @param to target
     * @param flags the device's {@code VFIO_MIGRATION_*} flags
     * @return the next state; empty when the kernel would refuse ({@code EINVAL}): the target or the current state
     *     is ERROR or unsupported
     */
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

    /**
     * The arcs from one state to another (each element is the state after one arc).
     *
     * @param from current state
     * @param to target
     * @param flags the device's flags
     * @return the states visited, ending with {@code to}; empty when {@code from == to}
     * @throws IllegalArgumentException when the kernel would refuse the transition
     */
    static List<MigrationState> path(MigrationState from, MigrationState to, long flags) {
        List<MigrationState> p = new ArrayList<>();
        MigrationState s = from;
        while (s != to) {
            MigrationState n = next(s, to, flags).orElseThrow(() -> new IllegalArgumentException(
                    "no transition " + from + " -> " + to + " with migration flags 0x" + Long.toHexString(flags)));
            p.add(n);
            s = n;
        }
        return p;
    }

    /**
     * Whether a single arc is one of the kernel's FSM arcs for these flags.
     *
     * @param from current state
     * @param to the state after the arc
     * @param flags the device's flags
     * @return true for a valid single arc
     */
    static boolean isArc(MigrationState from, MigrationState to, long flags) {
        return from != to && next(from, to, flags).filter(n -> n == to).isPresent();
    }

    /**
     * Whether an arc opens a new data fd: RUNNING → PRE_COPY, RUNNING_P2P → PRE_COPY_P2P, STOP → STOP_COPY (saving)
     * and STOP → RESUMING (resuming). Moves inside the saving group keep the fd.
     *
     * @param from before
     * @param to after
     * @return true when the kernel returns a new {@code data_fd}
     */
    static boolean opensDataFd(MigrationState from, MigrationState to) {
        return (to.saving() && !from.saving()) || (from == STOP && to == RESUMING);
    }
}
