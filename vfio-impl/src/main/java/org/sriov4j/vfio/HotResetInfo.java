package org.sriov4j.vfio;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * What a hot reset (secondary bus or slot reset) of an assigned device would affect, from
 * {@code VFIO_DEVICE_GET_PCI_HOT_RESET_INFO}. A function-level reset ({@link AssignedDevice#reset()}) affects only
 * the device; a hot reset resets every function below the same bridge or slot, and the kernel allows it only when
 * the caller owns all of them.
 *
 * @param resettable whether the kernel offers a slot or bus reset for the device at all
 * @param devices the functions a hot reset would reset (the device itself included); empty when not resettable
 * @param flags the raw {@code VFIO_PCI_HOT_RESET_FLAG_*} bits (0 on the group path)
 * @param reason a human explanation (why it is not resettable, or a summary)
 */
public record HotResetInfo(boolean resettable, List<Dependent> devices, int flags, String reason) {

    /**
     * One function a hot reset would affect.
     *
     * @param address its PCI address
     * @param id its IOMMU group number, or with {@link HotResetInfo#iommufdDeviceIds()} its iommufd device id (0: owned
     *     through a shared group, {@code -1}: not owned by the caller)
     */
    public record Dependent(PciAddress address, int id) {
        /**
         * A dependent function.
         *
         * @param address its address
         * @param id its group (or iommufd device id)
         */
        public Dependent {
            Objects.requireNonNull(address, "address");
        }
    }

    /**
     * The info.
     *
     * @param resettable whether a slot or bus reset exists
     * @param devices the affected functions (copied)
     * @param flags the raw flags
     * @param reason a human explanation
     */
    public HotResetInfo {
        devices = List.copyOf(devices);
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The kernel offers no slot or bus reset for the device ({@code ENODEV}), or one of the affected functions has
     * no IOMMU group ({@code EPERM}).
     *
     * @param reason why
     * @return the info
     */
    static HotResetInfo notResettable(String reason) {
        return new HotResetInfo(false, List.of(), 0, reason);
    }

    /**
     * Whether {@link Dependent#id()} holds iommufd device ids ({@code VFIO_PCI_HOT_RESET_FLAG_DEV_ID}, a device opened
     * through its cdev) rather than IOMMU group numbers.
     *
     * @return the DEV_ID flag
     */
    public boolean iommufdDeviceIds() {
        return (flags & VfioAbi.PCI_HOT_RESET_FLAG_DEV_ID) != 0;
    }

    /**
     * The IOMMU groups a hot reset would affect: all of them must be open in this process for the kernel to allow
     * it. Empty with {@link #iommufdDeviceIds()}.
     *
     * @return the group numbers, sorted
     */
    public Set<Integer> iommuGroups() {
        Set<Integer> groups = new TreeSet<>();
        if (!iommufdDeviceIds()) {
            devices.forEach(d -> groups.add(d.id()));
        }
        return groups;
    }
}
