package org.sriov4j;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The root of sriov4j's unchecked exceptions.
 *
 * <p>Besides its message, every instance carries structured fields a caller can act on: the operation that
 * failed, and where known the device, the kernel's errno and the sysfs or device path involved. The message always
 * names all of those that are present.
 */
public class SriovException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The operation that failed. */
    private final String operation;
    /** The device concerned, or null. */
    private final @Nullable PciAddress device;
    /** The kernel's errno, or null. */
    private final @Nullable Errno errno;
    /** The sysfs or device path involved, or null. */
    private final @Nullable String path;
    /** The explanation beyond operation, device, errno and path; may be empty. */
    private final String detail;
    /** What the undo of a failed multi-step change achieved, or null; not serialized (the message says it). */
    private final transient @Nullable RollbackOutcome rollback;

    /**
     * Creates an exception.
     *
     * @param operation what was being done, e.g. {@code "enable VFs"} or {@code "read"}
     * @param device the device concerned, if any
     * @param errno the kernel's error, if the failure came from the kernel
     * @param path the file concerned, if any
     * @param detail further explanation (may be empty)
     * @param cause the cause, if any
     */
    public SriovException(String operation, @Nullable PciAddress device, @Nullable Errno errno,
            @Nullable String path, String detail, @Nullable Throwable cause) {
        this(operation, device, errno, path, detail, cause, null);
    }

    /**
     * Creates the exception of a failed multi-step change, with what its undo achieved.
     *
     * @param operation what was being done, e.g. {@code "detach"}
     * @param device the device concerned, if any
     * @param errno the kernel's error, if the failure came from the kernel
     * @param path the file concerned, if any
     * @param detail further explanation, including what the rollback restored (may be empty)
     * @param cause the cause, if any
     * @param rollback what was restored and what could not be, if the change rolled back
     */
    public SriovException(String operation, @Nullable PciAddress device, @Nullable Errno errno,
            @Nullable String path, String detail, @Nullable Throwable cause, @Nullable RollbackOutcome rollback) {
        super(compose(operation, device, errno, path, detail), cause);
        this.operation = operation;
        this.device = device;
        this.errno = errno;
        this.path = path;
        this.detail = detail;
        this.rollback = rollback;
    }

    /**
     * Creates an exception with only an operation and a detail.
     *
     * @param operation what was being done
     * @param detail what went wrong
     */
    public SriovException(String operation, String detail) {
        this(operation, null, null, null, detail, null);
    }

    private static String compose(String operation, @Nullable PciAddress device, @Nullable Errno errno,
            @Nullable String path, String detail) {
        StringBuilder b = new StringBuilder(operation);
        if (device != null) {
            b.append(" ").append(device);
        }
        b.append(" failed");
        if (errno != null) {
            b.append(": ").append(errno.name()).append(" (").append(errno.message()).append(")");
        }
        if (path != null) {
            b.append(errno != null ? " at " : ": at ").append(path);
        }
        if (!detail.isEmpty()) {
            b.append(errno != null || path != null ? "; " : ": ").append(detail);
        }
        return b.toString();
    }

    /**
     * The explanation beyond the operation, device, errno and path, e.g. what was restored after a failure.
     *
     * @return the detail; empty when there is none
     */
    public String detail() {
        return detail;
    }

    /**
     * What the undo of the failed change achieved: present when the operation had completed steps to undo (or
     * tried), empty otherwise. Decide on this, not on the message: {@link RollbackOutcome#complete()} is false when
     * something is left half-done.
     *
     * @return the rollback's outcome, if the change rolled back
     */
    public Optional<RollbackOutcome> rollback() {
        return Optional.ofNullable(rollback);
    }

    /**
     * The operation that failed.
     *
     * @return e.g. {@code "read"}, {@code "enable VFs"}
     */
    public String operation() {
        return operation;
    }

    /**
     * The device concerned.
     *
     * @return the device, if the failure concerns one
     */
    public Optional<PciAddress> device() {
        return Optional.ofNullable(device);
    }

    /**
     * The kernel's error.
     *
     * @return the errno, if the failure came from a system call
     */
    public Optional<Errno> errno() {
        return Optional.ofNullable(errno);
    }

    /**
     * The file concerned.
     *
     * @return the path (as seen by the kernel, e.g. {@code /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs}), if any
     */
    public Optional<String> path() {
        return Optional.ofNullable(path);
    }
}
