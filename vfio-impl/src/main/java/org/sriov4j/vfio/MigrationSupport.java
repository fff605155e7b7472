package org.sriov4j.vfio;

import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * What the device's driver offers for VFIO migration v2 ({@code VFIO_DEVICE_FEATURE_MIGRATION}).
 *
 * @param supported whether the driver implements migration at all
 * @param flags the raw {@code VFIO_MIGRATION_*} bits (0 when unsupported)
 * @param reason a human explanation, e.g. why it is unsupported
 */
public record MigrationSupport(boolean supported, long flags, String reason) {

    /**
     * STOP, STOP_COPY and RESUMING are supported.
     *
     * @return the STOP_COPY flag
     */
    public boolean stopCopy() {
        return (flags & VfioAbi.MIGRATION_STOP_COPY) != 0;
    }

    /**
     * RUNNING_P2P is supported.
     *
     * @return the P2P flag
     */
    public boolean p2p() {
        return (flags & VfioAbi.MIGRATION_P2P) != 0;
    }

    /**
     * PRE_COPY (and PRE_COPY_P2P with {@link #p2p()}) is supported.
     *
     * @return the PRE_COPY flag
     */
    public boolean preCopy() {
        return (flags & VfioAbi.MIGRATION_PRE_COPY) != 0;
    }

    /**
     * This capability as a device profile records it ({@link org.sriov4j.migration.DeviceProfile#withVfioMigration}).
     *
     * <pre>{@code
     * DeviceProfile p = MigrationHost.of(host).profile(vf).withVfioMigration(device.migration().toProfile());
     * }</pre>
     *
     * @return the profile's capability
     */
    public org.sriov4j.migration.DeviceProfile.VfioMigration toProfile() {
        return supported ? org.sriov4j.migration.DeviceProfile.VfioMigration.ofFlags(flags)
                : org.sriov4j.migration.DeviceProfile.VfioMigration.unsupported();
    }
}
