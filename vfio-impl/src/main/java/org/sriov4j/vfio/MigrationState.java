package org.sriov4j.vfio;

import java.util.Optional;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * The states of the VFIO migration v2 state machine ({@code enum vfio_device_mig_state} in
 * {@code include/uapi/linux/vfio.h}); {@link #value()} is the number the kernel uses.
 */
public enum MigrationState {
    /** The device failed a transition and can only leave this state through a device reset. */
    ERROR(0, -1),
    /** Stopped: no DMA, no interrupts, state not being saved. */
    STOP(1, VfioAbi.MIGRATION_STOP_COPY),
    /** Running normally (the state after open and after a reset). */
    RUNNING(2, VfioAbi.MIGRATION_STOP_COPY),
    /** Stopped, its state is being read from the data fd. */
    STOP_COPY(3, VfioAbi.MIGRATION_STOP_COPY),
    /** Stopped, state is being written into it through the data fd. */
    RESUMING(4, VfioAbi.MIGRATION_STOP_COPY),
    /** Running but not initiating peer-to-peer DMA (needs {@code VFIO_MIGRATION_P2P}). */
    RUNNING_P2P(5, VfioAbi.MIGRATION_STOP_COPY | VfioAbi.MIGRATION_P2P),
    /** Running while an initial part of its state is read (needs {@code VFIO_MIGRATION_PRE_COPY}). */
    PRE_COPY(6, VfioAbi.MIGRATION_STOP_COPY | VfioAbi.MIGRATION_PRE_COPY),
    /** PRE_COPY without initiating peer-to-peer DMA (needs P2P and PRE_COPY). */
    PRE_COPY_P2P(7, VfioAbi.MIGRATION_STOP_COPY | VfioAbi.MIGRATION_P2P | VfioAbi.MIGRATION_PRE_COPY);

    private final int value;
    private final long requiredFlags;

    MigrationState(int value, long requiredFlags) {
        this.value = value;
        this.requiredFlags = requiredFlags;
    }

    /**
     * The kernel's number for this state.
     *
     * @return the {@code VFIO_DEVICE_STATE_*} value
     */
    public int value() {
        return value;
    }

    /**
     * Whether a device whose driver reports these {@code VFIO_MIGRATION_*} flags can be put in this state
     * (the kernel's {@code state_flags_table}); {@link #ERROR} is never a valid target.
     *
     * @param migrationFlags the flags from {@link MigrationSupport#flags()}
     * @return true when supported
     */
    public boolean supportedWith(long migrationFlags) {
        return requiredFlags >= 0 && (migrationFlags & requiredFlags) == requiredFlags;
    }

    /**
     * Whether the state belongs to the saving group (PRE_COPY, PRE_COPY_P2P, STOP_COPY), which shares one data fd.
     *
     * @return true for a saving state
     */
    public boolean saving() {
        return this == PRE_COPY || this == PRE_COPY_P2P || this == STOP_COPY;
    }

    /**
     * The state with a kernel number.
     *
     * @param value a {@code VFIO_DEVICE_STATE_*} value
     * @return the state, empty for an unknown number
     */
    public static Optional<MigrationState> ofValue(int value) {
        for (MigrationState s : values()) {
            if (s.value == value) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
