package org.sriov4j.vfio;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;

/**
 * What went wrong in the VFIO backend: every {@link VfioException} carries exactly one kind
 * ({@link VfioException#kind()}), chosen where it is thrown, never inferred from its errno or message. Switch on it;
 * the message is for people. Where a kind always comes with one errno, {@link #errno()} names it. The same kinds
 * come out of the real kernel (Linux 6.12, checked by the real-kernel suite) and out of the test fake of the kernel
 * (checked by this module's unit tests).
 *
 * <p>Example: <pre>{@code
 * try {
 *     domain.map(iova, ram.address(), ram.length(), DmaAccess.READ_WRITE);
 * } catch (VfioException e) {
 *     switch (e.kind()) {
 *         case OVERLAPPING_MAP -> ... pick another IOVA ...
 *         case NO_IOMMU -> ... this host cannot assign devices ...
 *         default -> throw e;
 *     }
 * }
 * }</pre>
 */
public enum VfioError {
    /** A map whose IOVA range overlaps an existing mapping: {@code EEXIST}, refused by sriov4j (the kernel agrees). */
    OVERLAPPING_MAP(Errno.EEXIST),
    /**
     * A map whose IOVA, host address or length is not a multiple of the smallest IOMMU page size: {@code EINVAL},
     * refused by sriov4j (the kernel agrees).
     */
    UNALIGNED_MAP(Errno.EINVAL),
    /**
     * A map that does not lie inside one of the IOVA ranges the kernel reported (e.g. the MSI window
     * {@code 0xfee00000}): {@code EINVAL}, refused by sriov4j (the kernel agrees).
     */
    MAP_OUTSIDE_IOVA_RANGES(Errno.EINVAL),
    /** An unmap of a range in which nothing is mapped: {@code ENOENT}, refused by sriov4j. */
    NOT_MAPPED(Errno.ENOENT),
    /**
     * Opening an IOMMU group that another domain or process holds open: {@code EBUSY}, from the kernel's
     * {@code open} of {@code /dev/vfio/N} (or, through iommufd, its bind of a group open through {@code /dev/vfio/N}).
     */
    GROUP_ALREADY_OPEN(Errno.EBUSY),
    /**
     * Attaching an IOMMU group in which another device is bound to a host driver: {@code EPERM}, refused by sriov4j
     * after {@code VFIO_GROUP_GET_STATUS} (or, through iommufd, sysfs) reported it not viable (the kernel would fail
     * with {@code EPERM} too).
     */
    GROUP_NOT_VIABLE(Errno.EPERM),
    /**
     * Opening a function that is not bound to vfio-pci (or does not exist): {@code ENODEV}, refused by sriov4j from
     * sysfs before anything is opened ({@link IommuDomain#openDevice(org.sriov4j.PciAddress)}).
     */
    NOT_BOUND_TO_VFIO_PCI(Errno.ENODEV),
    /**
     * The host has no IOMMU that VFIO can use: the function has no IOMMU group in sysfs, or the container offers no
     * type1v2 IOMMU. {@code ENODEV}, refused by sriov4j. Nothing can be assigned safely on such a host.
     */
    NO_IOMMU(Errno.ENODEV),
    /**
     * {@link IommuApi#IOMMUFD} was asked for but the kernel offers no iommufd ({@code /dev/iommu} missing:
     * {@code ENOENT}, {@code ENODEV} or {@code ENXIO}) or no VFIO device cdev for the function ({@code ENODEV},
     * refused by sriov4j). The legacy container may still work ({@link VfioSystem#newDomain()} falls back to it).
     */
    IOMMUFD_UNAVAILABLE(null),
    /**
     * {@link IommuApi#IOMMUFD}: opening a device whose cdev another descriptor has already bound (another domain or
     * process): {@code EINVAL}, from the kernel's {@code VFIO_DEVICE_BIND_IOMMUFD} (the cdev path never opens a
     * device twice). The legacy path's counterpart is {@link #GROUP_ALREADY_OPEN}.
     */
    DEVICE_ALREADY_BOUND(Errno.EINVAL),
    /**
     * The device or kernel does not offer what was asked: no reset, a region that cannot be mmapped, an interrupt
     * index that is not maskable, migration without a migration driver, an unknown VFIO API version. The errno is
     * the kernel's answer to the same request ({@code EINVAL} or {@code ENOTTY}).
     */
    NOT_SUPPORTED(null),
    /**
     * A request sriov4j refused because its arguments cannot be right: a length of 0, no access, a range that
     * wraps around or splits a mapping, more eventfds than vectors, a migration target the device is not in a state
     * to reach. {@code EINVAL}, refused by sriov4j.
     */
    INVALID_REQUEST(Errno.EINVAL),
    /** The handle (e.g. a migration stream) was closed while the operation waited on it: {@code EBADF}. */
    CLOSED(Errno.EBADF),
    /**
     * A migration arc failed; the exception is a {@link MigrationException} saying what the recovery made of it.
     * The errno is the kernel's.
     */
    MIGRATION_FAILED(null),
    /**
     * Any other failure of a system call (the errno is the kernel's), or a kernel answer sriov4j cannot use (a short
     * read, an unmapped size that differs from the mapping table; no errno, or {@code EIO}).
     */
    SYSTEM_CALL_FAILED(null);

    private final @Nullable Errno errno;

    VfioError(@Nullable Errno errno) {
        this.errno = errno;
    }

    /**
     * The error number every exception of this kind carries.
     *
     * @return the errno; empty when it varies with the system call that failed
     */
    public Optional<Errno> errno() {
        return Optional.ofNullable(errno);
    }

    /**
     * Whether a failure is of this kind: a {@link VfioException} whose {@link VfioException#kind()} is this.
     *
     * @param failure a failure
     * @return true when it is
     */
    public boolean matches(Throwable failure) {
        return failure instanceof VfioException e && e.kind() == this;
    }
}
