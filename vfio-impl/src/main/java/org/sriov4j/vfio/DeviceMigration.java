package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sriov4j.Errno;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * The VFIO migration v2 state machine of one assigned device ({@code VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE}).
 * Obtained from {@link AssignedDevice#migrationControl()}.
 *
 * <p>{@link #transition(MigrationState)} walks the kernel's FSM one arc at a time (the path the kernel's
 * {@code vfio_mig_get_next_state} computes, skipping states the device does not support). An arc that opens a data
 * fd (RUNNING → PRE_COPY, RUNNING_P2P → PRE_COPY_P2P, STOP → STOP_COPY, STOP → RESUMING) yields a
 * {@link MigrationStream}. When an arc fails, the recover-else-reset rule of QEMU's {@code hw/vfio/migration.c}
 * applies: go to the recovery state; if that fails too, reset the device (which puts it in RUNNING); if that fails,
 * the device is in ERROR. The {@link MigrationException} says which arc failed and what happened.
 *
 * <p>Example (source): <pre>{@code
 * DeviceMigration m = dev.migrationControl();
 * try (MigrationStream s = m.transition(MigrationState.STOP_COPY).orElseThrow()) {
 *     s.input().transferTo(out);
 * }
 * m.transition(MigrationState.STOP);
 * }</pre>
 */
public final class DeviceMigration {
    private final DeviceFd fd;
    private final MigrationSupport support;

    DeviceMigration(DeviceFd fd, MigrationSupport support) {
        this.fd = fd;
        this.support = support;
    }

    /**
     * The probe result this state machine was made from.
     *
     * @return the support (always {@code supported()})
     */
    public MigrationSupport support() {
        return support;
    }

    /**
     * The driver's {@code VFIO_MIGRATION_*} flags.
     *
     * @return STOP_COPY (1), P2P (2), PRE_COPY (4) bits
     */
    public long flags() {
        return support.flags();
    }

    /**
     * The states this device can be put in (ERROR excluded).
     *
     * @return the states
     */
    public Set<MigrationState> supportedStates() {
        Set<MigrationState> s = EnumSet.noneOf(MigrationState.class);
        for (MigrationState m : MigrationState.values()) {
            if (m.supportedWith(flags())) {
                s.add(m);
            }
        }
        return s;
    }

    /**
     * The single arcs of the kernel's FSM this device supports, as {@code FROM -> TO} strings.
     *
     * @return the arcs
     */
    public List<String> supportedArcs() {
        List<String> arcs = new java.util.ArrayList<>();
        for (MigrationState a : supportedStates()) {
            for (MigrationState b : supportedStates()) {
                if (MigrationFsm.isArc(a, b, flags())) {
                    arcs.add(a + " -> " + b);
                }
            }
        }
        return arcs;
    }

    /**
     * The device's current state ({@code VFIO_DEVICE_FEATURE} GET MIG_DEVICE_STATE).
     *
     * @return the state
     */
    public MigrationState state() {
        checkOpen();
        ByteBuffer b = featureBuffer(VfioAbi.DEVICE_FEATURE_GET);
        int r = fd.sys().ioctl(fd.fd(), VfioAbi.DEVICE_FEATURE, b);
        if (r < 0) {
            throw VfioException.kernel("VFIO_DEVICE_FEATURE", fd.address(), fd.path(), r,
                    "MIG_DEVICE_STATE GET");
        }
        int v = b.getInt(VfioAbi.DeviceFeature.DATA + VfioAbi.MigState.DEVICE_STATE);
        return MigrationState.ofValue(v).orElseThrow(() -> VfioException.kernel("VFIO_DEVICE_FEATURE",
                fd.address(), fd.path(), -Errno.EIO.number(), "unknown migration state " + v));
    }

    /**
     * Moves the device to {@code target}, recovering to the state it is in now if an arc fails.
     *
     * @param target the state to reach
     * @return the data fd when an arc of this transition opened one and the device is still in that session (a
     *     saving state or RESUMING); empty otherwise, including moves inside the saving group, which keep using the
     *     stream an earlier transition returned
     * @throws VfioException {@code EINVAL} (before the kernel) when the target is ERROR or unsupported
     * @throws MigrationException when an arc fails
     */
    public Optional<MigrationStream> transition(MigrationState target) {
        return transition(target, state());
    }

    /**
     * Moves the device to {@code target} arc by arc; on a failed arc, goes to {@code recovery}, else resets.
     *
     * @param target the state to reach
     * @param recovery where to go if an arc fails ({@link MigrationState#ERROR}: no recovery, reset at once)
     * @return the data fd the transition opened, if any
     * @throws VfioException {@code EINVAL} (before the kernel) when the target is ERROR or unsupported
     * @throws MigrationException when an arc fails, with the outcome of the recovery
     */
    public Optional<MigrationStream> transition(MigrationState target, MigrationState recovery) {
        if (target == MigrationState.ERROR || !target.supportedWith(flags())) {
            throw VfioException.rejected(VfioError.INVALID_REQUEST, "VFIO migration -> " + target, fd.address(),
                    Errno.EINVAL,
                    "the device does not support " + target + " (migration flags 0x" + Long.toHexString(flags())
                            + ")");
        }
        MigrationState now = state();
        if (now == MigrationState.ERROR) {
            throw VfioException.rejected(VfioError.INVALID_REQUEST, "VFIO migration -> " + target, fd.address(),
                    Errno.EINVAL,
                    "the device is in ERROR; only a reset leaves it");
        }
        MigrationStream stream = null;
        for (MigrationState next : MigrationFsm.path(now, target, flags())) {
            int r = setState(next);
            if (r == Integer.MIN_VALUE) {
                if (stream != null) {
                    stream.close();
                }
                throw recover(now, next, recovery);
            }
            if (MigrationFsm.opensDataFd(now, next)) {
                if (stream != null) {
                    stream.close();
                }
                if (r < 0) {
                    throw VfioException.kernel("VFIO_DEVICE_FEATURE", fd.address(), fd.path(),
                            -Errno.EIO.number(), "the arc " + now + " -> " + next + " returned no data fd");
                }
                stream = new MigrationStream(fd.sys(), fd.address(), r, next == MigrationState.RESUMING);
            } else if (stream != null && !next.saving() && next != MigrationState.RESUMING) {
                stream.close();
                stream = null;
            }
            now = next;
        }
        return Optional.ofNullable(stream);
    }

    /**
     * {@code VFIO_MIG_GET_PRECOPY_INFO} through a stream opened by a PRE_COPY transition.
     *
     * @param stream the PRE_COPY data fd
     * @return initial and dirty bytes
     */
    public PreCopyInfo preCopyInfo(MigrationStream stream) {
        return stream.preCopyInfo();
    }

    /**
     * {@code VFIO_DEVICE_FEATURE_MIG_DATA_SIZE}: the driver's estimate of how many bytes the STOP_COPY phase will
     * produce on the data fd (include/uapi/linux/vfio.h: "the estimated data length that will be required to
     * complete stop copy"), e.g. to judge how long the stop (downtime) will last before leaving PRE_COPY.
     *
     * <p>The kernel allows the query in every migration state ("Can be called on each device state"; vfio_main.c
     * does not look at the state), with or without a data fd open; it is GET only. The number is an estimate, not a
     * promise: mlx5 reports the device's current total state size from firmware, so it moves as the device runs,
     * and the stream may end up shorter or longer. Every migration driver must implement it
     * (vfio_pci_core_register_device refuses a driver without {@code migration_get_data_size}), but the feature came
     * after the migration v2 API itself: an older kernel answers {@code ENOTTY}.
     *
     * @return bytes, an estimate (never negative in practice; the kernel's value is an unsigned long)
     * @throws VfioException {@code ENOTTY} on a kernel without the feature, or the driver's error (e.g. {@code EIO}
     *     when the device cannot be queried)
     * @throws IllegalStateException when the device is closed
     */
    public long estimatedStopCopySize() {
        checkOpen();
        ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE + VfioAbi.MigDataSize.SIZE);
        b.putInt(VfioAbi.DeviceFeature.FLAGS, VfioAbi.DEVICE_FEATURE_GET | VfioAbi.DEVICE_FEATURE_MIG_DATA_SIZE);
        int r = fd.sys().ioctl(fd.fd(), VfioAbi.DEVICE_FEATURE, b);
        if (r < 0) {
            throw VfioException.kernel("VFIO_DEVICE_FEATURE", fd.address(), fd.path(), r, "MIG_DATA_SIZE GET"
                    + (r == -Errno.ENOTTY.number() ? " (this kernel has no VFIO_DEVICE_FEATURE_MIG_DATA_SIZE)" : ""));
        }
        return b.getLong(VfioAbi.DeviceFeature.DATA + VfioAbi.MigDataSize.STOP_COPY_LENGTH);
    }

    /** SET one state: the data fd (or -1 when none), or {@link Integer#MIN_VALUE} with {@code lastErrno} set. */
    private int setState(MigrationState s) {
        checkOpen();
        ByteBuffer b = featureBuffer(VfioAbi.DEVICE_FEATURE_SET);
        b.putInt(VfioAbi.DeviceFeature.DATA + VfioAbi.MigState.DEVICE_STATE, s.value());
        b.putInt(VfioAbi.DeviceFeature.DATA + VfioAbi.MigState.DATA_FD, -1);
        int r = fd.sys().ioctl(fd.fd(), VfioAbi.DEVICE_FEATURE, b);
        if (r < 0) {
            lastErrno = -r;
            return Integer.MIN_VALUE;
        }
        return b.getInt(VfioAbi.DeviceFeature.DATA + VfioAbi.MigState.DATA_FD);
    }

    private int lastErrno;

    private MigrationException recover(MigrationState from, MigrationState to, MigrationState recovery) {
        int errno = lastErrno;
        String detail = "the kernel refused the arc " + from + " -> " + to;
        if (recovery != MigrationState.ERROR && recovery.supportedWith(flags())) {
            try {
                MigrationState now = state();
                if (now != MigrationState.ERROR) {
                    boolean ok = true;
                    for (MigrationState n : MigrationFsm.path(now, recovery, flags())) {
                        int fdOrErr = setState(n);
                        if (fdOrErr == Integer.MIN_VALUE) {
                            ok = false;
                            break;
                        }
                        if (fdOrErr >= 0) {
                            fd.sys().close(fdOrErr);
                        }
                    }
                    if (ok) {
                        return new MigrationException(fd.address(), errno, from, to,
                                MigrationException.Outcome.RECOVERED, recovery, detail);
                    }
                }
            } catch (RuntimeException e) {
                // fall through to the reset
            }
        }
        try {
            fd.reset();
            return new MigrationException(fd.address(), errno, from, to, MigrationException.Outcome.RESET,
                    MigrationState.RUNNING, detail);
        } catch (RuntimeException e) {
            return new MigrationException(fd.address(), errno, from, to, MigrationException.Outcome.ERROR,
                    MigrationState.ERROR, detail + "; reset: " + e.getMessage());
        }
    }

    private void checkOpen() {
        if (fd.isClosed()) {
            throw new IllegalStateException("device " + fd.address() + " is closed");
        }
    }

    private static ByteBuffer featureBuffer(int op) {
        ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE + VfioAbi.MigState.SIZE);
        b.putInt(VfioAbi.DeviceFeature.FLAGS, op | VfioAbi.DEVICE_FEATURE_MIG_DEVICE_STATE);
        return b;
    }
}
