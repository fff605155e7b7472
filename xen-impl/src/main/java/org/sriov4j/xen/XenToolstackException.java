package org.sriov4j.xen;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovException;

/**
 * The Xen toolstack ({@code xl}, {@code xenstore-*}) refused or failed, with libxl's reason as a {@link Kind}.
 * The message quotes the command and libxl's error lines.
 */
public final class XenToolstackException extends SriovException {

    private static final long serialVersionUID = 1L;

    /** Why the toolstack refused, read from libxl's error lines. */
    public enum Kind {
        /** The domain does not exist ({@code ... is an invalid domain identifier}). */
        NO_SUCH_DOMAIN,
        /**
         * The domain was not created with {@code passthrough="enabled"} (or a PCI device):
         * {@code xc_assign_device failed: Operation not supported}.
         */
        PASSTHROUGH_NOT_ENABLED,
        /** Xen has no IOMMU: {@code failed to quarantine}, {@code passthrough not supported on this platform}. */
        NO_IOMMU,
        /** The device is assigned to a domain already, or is not assignable (not on pciback). */
        ALREADY_ASSIGNED,
        /** The device is not attached to the domain. */
        NOT_ATTACHED,
        /** The command did not finish in time. */
        TIMEOUT,
        /** Any other failure. */
        FAILED
    }

    /** Why the toolstack refused. */
    private final Kind kind;

    /**
     * Creates the exception.
     *
     * @param kind why
     * @param operation what was being done, e.g. {@code xl pci-attach}
     * @param device the function, if any
     * @param detail the command and libxl's lines
     * @param cause the cause, if any
     */
    public XenToolstackException(Kind kind, String operation, @Nullable PciAddress device, String detail,
            @Nullable Throwable cause) {
        this(kind, operation, device, detail, cause, null);
    }

    /**
     * Creates the exception of a change that rolled back.
     *
     * @param kind why
     * @param operation what was being done, e.g. {@code detach}
     * @param device the function, if any
     * @param detail the command, libxl's lines and what was restored
     * @param cause the cause, if any
     * @param rollback what was restored and what could not be, if the change rolled back
     */
    public XenToolstackException(Kind kind, String operation, @Nullable PciAddress device, String detail,
            @Nullable Throwable cause, @Nullable RollbackOutcome rollback) {
        super(operation, device, errnoOf(kind), null, detail, cause, rollback);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    private static @Nullable Errno errnoOf(Kind kind) {
        switch (kind) {
            case NO_SUCH_DOMAIN:
                return Errno.ENOENT;
            case PASSTHROUGH_NOT_ENABLED:
                return Errno.EOPNOTSUPP;
            case NO_IOMMU:
                return Errno.ENODEV;
            case ALREADY_ASSIGNED:
                return Errno.EBUSY;
            case NOT_ATTACHED:
                return Errno.ENODEV;
            case TIMEOUT:
                return Errno.ETIMEDOUT;
            default:
                return null;
        }
    }

    /**
     * Why the toolstack refused.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }
}
