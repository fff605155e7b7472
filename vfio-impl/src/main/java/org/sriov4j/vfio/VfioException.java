package org.sriov4j.vfio;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/**
 * A VFIO operation failed: either the kernel refused a system call, or sriov4j refused a request before the kernel
 * saw it because the kernel would have refused it (an unaligned or overlapping DMA mapping, an IOVA outside the
 * ranges the kernel reported). In the second case {@link #rejectedBeforeKernel()} is true and {@link #errno()} is
 * the error the kernel would have returned.
 *
 * <p>Example: <pre>{@code
 * try {
 *     domain.map(iova, memory.address(), memory.length(), DmaAccess.READ_WRITE);
 * } catch (VfioException e) {
 *     if (e.errno().orElse(null) == Errno.EEXIST) { ... overlaps an existing mapping ... }
 * }
 * }</pre>
 */
public class VfioException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The raw errno value, 0 when none. */
    private final int errnoNumber;
    /** True when sriov4j refused the request itself. */
    private final boolean rejectedBeforeKernel;

    VfioException(String operation, @Nullable PciAddress device, int errnoNumber, @Nullable String path,
            String detail, boolean rejectedBeforeKernel) {
        super(operation, device, errnoNumber == 0 ? null : Errno.ofNumber(errnoNumber).orElse(null), path,
                composeDetail(errnoNumber, detail, rejectedBeforeKernel), null);
        this.errnoNumber = errnoNumber;
        this.rejectedBeforeKernel = rejectedBeforeKernel;
    }

    private static String composeDetail(int errno, String detail, boolean before) {
        StringBuilder b = new StringBuilder();
        if (errno != 0 && Errno.ofNumber(errno).isEmpty()) {
            b.append("errno ").append(errno);
        }
        if (!detail.isEmpty()) {
            b.append(b.length() > 0 ? "; " : "").append(detail);
        }
        if (before) {
            b.append(b.length() > 0 ? " " : "").append("(rejected by sriov4j before the kernel saw it)");
        }
        return b.toString();
    }

    /**
     * A failed system call.
     *
     * @param operation e.g. {@code "VFIO_IOMMU_MAP_DMA"}
     * @param device the device, if any
     * @param path the device node, if any
     * @param negativeErrno the system call's result ({@code -errno})
     * @param detail more explanation (may be empty)
     * @return the exception
     */
    static VfioException kernel(String operation, @Nullable PciAddress device, @Nullable String path,
            long negativeErrno, String detail) {
        return new VfioException(operation, device, (int) -negativeErrno, path, detail, false);
    }

    /**
     * A request refused before the kernel saw it.
     *
     * @param operation the operation
     * @param device the device, if any
     * @param errno the error the kernel would have returned
     * @param detail what is wrong
     * @return the exception
     */
    static VfioException rejected(String operation, @Nullable PciAddress device, Errno errno, String detail) {
        return new VfioException(operation, device, errno.number(), null, detail, true);
    }

    /**
     * The raw errno value, also for numbers {@link Errno} does not name (e.g. 75, {@code EOVERFLOW}).
     *
     * @return the errno, if the failure has one
     */
    public Optional<Integer> errnoNumber() {
        return errnoNumber == 0 ? Optional.empty() : Optional.of(errnoNumber);
    }

    /**
     * Whether sriov4j refused the request itself, without making the system call.
     *
     * @return true when the kernel never saw the request
     */
    public boolean rejectedBeforeKernel() {
        return rejectedBeforeKernel;
    }
}
