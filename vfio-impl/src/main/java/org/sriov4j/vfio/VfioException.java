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
 * the error the kernel would have returned. {@link #kind()} says what went wrong as a value to switch on
 * ({@link VfioError}); the message is for people and names each fact once.
 *
 * <p>Example: <pre>{@code
 * try {
 *     domain.map(iova, memory.address(), memory.length(), DmaAccess.READ_WRITE);
 * } catch (VfioException e) {
 *     if (e.kind() == VfioError.OVERLAPPING_MAP) { ... pick another IOVA ... }
 * }
 * }</pre>
 */
public class VfioException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The raw errno value, 0 when none. */
    private final int errnoNumber;
    /** True when sriov4j refused the request itself. */
    private final boolean rejectedBeforeKernel;
    /** What went wrong. */
    private final VfioError kind;

    VfioException(VfioError kind, String operation, @Nullable PciAddress device, int errnoNumber,
            @Nullable String path, String detail, boolean rejectedBeforeKernel) {
        super(operation, device, errnoNumber == 0 ? null : Errno.ofNumber(errnoNumber).orElse(null), path,
                composeDetail(errnoNumber, detail, rejectedBeforeKernel), null);
        this.errnoNumber = errnoNumber;
        this.rejectedBeforeKernel = rejectedBeforeKernel;
        this.kind = kind;
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
     * A failed system call that has no more specific kind ({@link VfioError#SYSTEM_CALL_FAILED}).
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
        return kernel(VfioError.SYSTEM_CALL_FAILED, operation, device, path, negativeErrno, detail);
    }

    /**
     * A failed system call of a known kind.
     *
     * @param kind what the failure means where it was thrown
     * @param operation e.g. {@code "open VFIO group 6"}
     * @param device the device, if any
     * @param path the device node, if any
     * @param negativeErrno the system call's result ({@code -errno})
     * @param detail more explanation (may be empty)
     * @return the exception
     */
    static VfioException kernel(VfioError kind, String operation, @Nullable PciAddress device,
            @Nullable String path, long negativeErrno, String detail) {
        return new VfioException(kind, operation, device, (int) -negativeErrno, path, detail, false);
    }

    /**
     * A request refused before the kernel saw it.
     *
     * @param kind what is wrong, as a value
     * @param operation the operation
     * @param device the device, if any
     * @param errno the error the kernel would have returned
     * @param detail what is wrong
     * @return the exception
     */
    static VfioException rejected(VfioError kind, String operation, @Nullable PciAddress device, Errno errno,
            String detail) {
        return new VfioException(kind, operation, device, errno.number(), null, detail, true);
    }

    /**
     * What went wrong, chosen where the exception was thrown.
     *
     * @return the kind
     */
    public VfioError kind() {
        return kind;
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
