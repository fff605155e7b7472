package org.sriov4j;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A function cannot be leased because it, or its PF or one of its VFs, is leased already (by this or another
 * process), or because a change to its PF is in progress.
 */
public final class LeaseUnavailableException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** Who holds the conflicting lease, as it described itself, or null if unknown. */
    private final @Nullable String holder;

    /**
     * Creates the exception.
     *
     * @param operation what was being done
     * @param device the function asked for
     * @param holder who holds it, if known
     * @param detail which function is held
     */
    public LeaseUnavailableException(String operation, PciAddress device, @Nullable String holder, String detail) {
        super(operation, device, Errno.EBUSY, null, detail + (holder == null ? "" : " (held by " + holder + ")"),
                null);
        this.holder = holder;
    }

    /**
     * Who holds the conflicting lease.
     *
     * @return the holder's description (process id, guest), if known
     */
    public Optional<String> holder() {
        return Optional.ofNullable(holder);
    }
}
