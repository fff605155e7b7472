package org.sriov4j.vfio;

import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;

/**
 * A migration state transition failed. Says which arc the kernel refused ({@link #from()} → {@link #to()}), and
 * what the recover-else-reset rule made of it ({@link #outcome()}, {@link #stateNow()}).
 */
public final class MigrationException extends VfioException {
    private static final long serialVersionUID = 1L;

    /** What happened to the device after the failed arc. */
    public enum Outcome {
        /** The device reached the recovery state. */
        RECOVERED,
        /** Recovery failed; the device was reset and is RUNNING. */
        RESET,
        /** Recovery and reset failed (or the device has no reset): the device is in ERROR. */
        ERROR
    }

    /** The state the failed arc started from. */
    private final MigrationState from;
    /** The state the failed arc was to reach. */
    private final MigrationState to;
    /** What the recovery achieved. */
    private final Outcome outcome;
    /** The device's state after the recovery. */
    private final MigrationState stateNow;

    MigrationException(@Nullable PciAddress device, int errno, MigrationState from, MigrationState to,
            Outcome outcome, MigrationState stateNow, String detail) {
        super(VfioError.MIGRATION_FAILED, "VFIO migration " + from + " -> " + to, device, errno, null,
                detail + "; "
                + switch (outcome) {
                    case RECOVERED -> "recovered to " + stateNow;
                    case RESET -> "recovery failed, device reset (now RUNNING)";
                    case ERROR -> "recovery and reset failed, device is in ERROR";
                }, false);
        this.from = from;
        this.to = to;
        this.outcome = outcome;
        this.stateNow = stateNow;
    }

    /**
     * The state before the failed arc.
     *
     * @return the arc's start
     */
    public MigrationState from() {
        return from;
    }

    /**
     * The state the failed arc was going to.
     *
     * @return the arc's end
     */
    public MigrationState to() {
        return to;
    }

    /**
     * Whether the device recovered, was reset, or is in ERROR.
     *
     * @return the outcome
     */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The device's migration state after recovery or reset.
     *
     * @return the state now
     */
    public MigrationState stateNow() {
        return stateNow;
    }
}
