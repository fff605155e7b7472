package org.sriov4j.vfio;

import org.sriov4j.Errno;

/**
 * The documented refusals of the VFIO backend: for each, the {@link Errno} a {@link VfioException} carries and
 * whether sriov4j refuses the request itself ({@link VfioException#rejectedBeforeKernel()}) or passes on the kernel's
 * answer. The same expectations hold on the real kernel (Linux 6.12, checked by the real-kernel suite) and on the
 * test fake of the kernel (checked by this module's unit tests).
 *
 * <p>Example: <pre>{@code
 * try {
 *     domain.map(iova, ram.address(), ram.length(), DmaAccess.READ_WRITE);
 * } catch (VfioException e) {
 *     if (VfioError.OVERLAPPING_MAP.matches(e)) { ... pick another IOVA ... }
 * }
 * }</pre>
 */
public enum VfioError {
    /** A map whose IOVA range overlaps an existing mapping: {@code EEXIST}, refused by sriov4j (the kernel agrees). */
    OVERLAPPING_MAP(Errno.EEXIST, true),
    /**
     * A map whose IOVA, host address or length is not a multiple of the smallest IOMMU page size: {@code EINVAL},
     * refused by sriov4j (the kernel agrees).
     */
    UNALIGNED_MAP(Errno.EINVAL, true),
    /**
     * A map that does not lie inside one of the IOVA ranges the kernel reported (e.g. the MSI window
     * {@code 0xfee00000}): {@code EINVAL}, refused by sriov4j (the kernel agrees).
     */
    MAP_OUTSIDE_IOVA_RANGES(Errno.EINVAL, true),
    /**
     * Opening an IOMMU group that another domain or process holds open: {@code EBUSY}, from the kernel's
     * {@code open} of {@code /dev/vfio/N}.
     */
    GROUP_ALREADY_OPEN(Errno.EBUSY, false),
    /**
     * Attaching an IOMMU group in which another device is bound to a host driver: {@code EPERM}, refused by sriov4j
     * after {@code VFIO_GROUP_GET_STATUS} reported it not viable (the kernel's {@code SET_CONTAINER} would fail with
     * {@code EPERM} too).
     */
    GROUP_NOT_VIABLE(Errno.EPERM, true),
    /**
     * Opening a function that is not bound to vfio-pci (or does not exist, or has no IOMMU group): {@code ENODEV},
     * refused by sriov4j from sysfs before anything is opened ({@link IommuDomain#openDevice(org.sriov4j.PciAddress)}).
     */
    NOT_BOUND_TO_VFIO_PCI(Errno.ENODEV, true),
    /**
     * {@link IommuApi#IOMMUFD}: opening a device whose cdev another descriptor has already bound (another domain or
     * process): {@code EINVAL}, from the kernel's {@code VFIO_DEVICE_BIND_IOMMUFD} (the cdev path never opens a
     * device twice). The legacy path's counterpart is {@link #GROUP_ALREADY_OPEN}.
     */
    DEVICE_ALREADY_BOUND(Errno.EINVAL, false);

    private final Errno errno;
    private final boolean beforeKernel;

    VfioError(Errno errno, boolean beforeKernel) {
        this.errno = errno;
        this.beforeKernel = beforeKernel;
    }

    /**
     * The error number the exception carries.
     *
     * @return the errno
     */
    public Errno errno() {
        return errno;
    }

    /**
     * Whether sriov4j refuses the request itself.
     *
     * @return the expected {@link VfioException#rejectedBeforeKernel()}
     */
    public boolean rejectedBeforeKernel() {
        return beforeKernel;
    }

    /**
     * Whether a failure is this refusal: a {@link VfioException} with this errno and this
     * {@link VfioException#rejectedBeforeKernel()}.
     *
     * @param failure a failure
     * @return true when it matches
     */
    public boolean matches(Throwable failure) {
        return failure instanceof VfioException e && e.errnoNumber().orElse(0) == errno.number()
                && e.rejectedBeforeKernel() == beforeKernel;
    }
}
