package org.sriov4j.vfio.testing.internal;

import static org.sriov4j.vfio.testing.internal.FakeVfioKernel.*;

import java.nio.ByteBuffer;
import org.sriov4j.vfio.MigrationState;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * VFIO migration v2's device features (drivers/vfio/vfio_main.c and a driver's set_state loop, as mlx5's):
 * MIG_DEVICE_STATE walked arc by arc ({@link MigrationArcs}), the data fd opened by the last arc, MIG_DATA_SIZE.
 */
final class MigrationRules {
    private MigrationRules() {
    }

    /**
     * vfio_main.c vfio_ioctl_device_feature_migration_data_size: ENOTTY without mig_ops (handled by the caller),
     * then vfio_check_feature(flags, argsz - 8, GET, 8): SET EINVAL, PROBE 0, neither GET nor SET EINVAL, data
     * shorter than 8 bytes EINVAL; then the driver's migration_get_data_size, in any state.
     */
    static int migDataSize(FakeVfioKernel k, FakeDevice d, int flags, int argsz, ByteBuffer b) {
        if ((flags & VfioAbi.DEVICE_FEATURE_SET) != 0) {
            return -EINVAL;
        }
        if ((flags & VfioAbi.DEVICE_FEATURE_PROBE) != 0) {
            return 0;
        }
        if ((flags & VfioAbi.DEVICE_FEATURE_GET) == 0
                || argsz - VfioAbi.DeviceFeature.SIZE < VfioAbi.MigDataSize.SIZE) {
            return -EINVAL;
        }
        if (d.dataSizeErrno != 0) {
            return -d.dataSizeErrno;
        }
        b.putLong(VfioAbi.DeviceFeature.DATA + VfioAbi.MigDataSize.STOP_COPY_LENGTH,
                d.stopCopyLength >= 0 ? d.stopCopyLength : d.stopCopyData.length);
        return 0;
    }

    static int migDeviceState(FakeVfioKernel k, FakeDevice d, int flags, int argsz, ByteBuffer b) {
        if ((flags & VfioAbi.DEVICE_FEATURE_PROBE) != 0) {
            return 0;
        }
        if (argsz < VfioAbi.DeviceFeature.SIZE + VfioAbi.MigState.SIZE) {
            return -EINVAL;
        }
        int at = VfioAbi.DeviceFeature.DATA;
        if ((flags & VfioAbi.DEVICE_FEATURE_GET) != 0) {
            b.putInt(at + VfioAbi.MigState.DEVICE_STATE, d.migState.value());
            b.putInt(at + VfioAbi.MigState.DATA_FD, -1);
            return 0;
        }
        if ((flags & VfioAbi.DEVICE_FEATURE_SET) == 0) {
            return -EINVAL;
        }
        MigrationState target = MigrationState.ofValue(b.getInt(at + VfioAbi.MigState.DEVICE_STATE)).orElse(null);
        if (target == null) {
            return -EINVAL;
        }
        int dataFd = -1;
        while (d.migState != target) {
            MigrationState from = d.migState;
            MigrationState next = MigrationArcs.next(from, target, d.migrationFlags).orElse(null);
            if (next == null) {
                return -EINVAL;
            }
            Integer fail = d.failArc.get(from + "->" + next);
            if (fail != null) {
                if (d.errorOnFailure) {
                    d.endSession();
                    d.migState = MigrationState.ERROR;
                }
                return -fail;
            }
            if (dataFd >= 0) {
                return -EINVAL; // an arc that opens a data fd must be the last (mlx5: WARN_ON)
            }
            if (MigrationArcs.opensDataFd(from, next)) {
                d.endSession();
                d.session = new MigrationDataFd(d, next == MigrationState.RESUMING);
                dataFd = k.newFd(d.session);
            } else if (from == MigrationState.RESUMING) {
                d.resumed = d.session == null ? null : d.session.received.toByteArray();
                d.endSession();
            } else if (from.saving() && !next.saving()) {
                d.endSession();
            }
            d.arcsTaken.add(from + "->" + next);
            d.migState = next;
        }
        b.putInt(at + VfioAbi.MigState.DATA_FD, dataFd);
        return 0;
    }
}
