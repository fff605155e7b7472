package org.sriov4j;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A VF network setting was refused: by the kernel (the PF driver's errno), or before anything was changed because
 * the PF's vendor plugin knows the device refuses it, or because the PF has no netdev or no such VF. The message names
 * the setting, the VF (its address and index on its PF) and the errno; after a partial change it also says which
 * settings were restored.
 */
public final class VfNetConfigException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The setting concerned, or null when the failure concerns no single setting (the PF has no netdev). */
    private final VfNetConfig.@Nullable Setting setting;
    /** The VF's index on its PF, or -1 if unknown. */
    private final int vfIndex;

    /**
     * Creates the exception.
     *
     * @param operation what was being done, e.g. {@code "configure VF"}
     * @param vf the VF
     * @param vfIndex its index on its PF, or -1 if unknown
     * @param setting the setting concerned, if one
     * @param errno the errno (the kernel's, or the one the kernel would give)
     * @param detail further explanation, e.g. what was restored
     * @param cause the cause, if any
     */
    public VfNetConfigException(String operation, PciAddress vf, int vfIndex, VfNetConfig.@Nullable Setting setting,
            @Nullable Errno errno, String detail, @Nullable Throwable cause) {
        this(operation, vf, vfIndex, setting, errno, detail, cause, null);
    }

    /**
     * Creates the exception of a change that rolled back.
     *
     * @param operation what was being done, e.g. {@code "configure VF"}
     * @param vf the VF
     * @param vfIndex its index on its PF, or -1 if unknown
     * @param setting the setting concerned, if one
     * @param errno the errno (the kernel's, or the one the kernel would give)
     * @param detail further explanation, including what was restored
     * @param cause the cause, if any
     * @param rollback what was set back and what could not be, if anything was to be set back
     */
    public VfNetConfigException(String operation, PciAddress vf, int vfIndex, VfNetConfig.@Nullable Setting setting,
            @Nullable Errno errno, String detail, @Nullable Throwable cause, @Nullable RollbackOutcome rollback) {
        super(operation, vf, errno, null, (setting == null ? "" : "setting " + setting.ipName() + " of ")
                + "VF " + (vfIndex < 0 ? "?" : Integer.toString(vfIndex)) + (detail.isEmpty() ? "" : ": " + detail),
                cause, rollback);
        this.setting = setting;
        this.vfIndex = vfIndex;
    }

    /**
     * The setting that was refused.
     *
     * @return it, or empty when the failure concerns no single setting
     */
    public Optional<VfNetConfig.Setting> setting() {
        return Optional.ofNullable(setting);
    }

    /**
     * The VF's index on its PF.
     *
     * @return the index, or -1 if unknown
     */
    public int vfIndex() {
        return vfIndex;
    }
}
