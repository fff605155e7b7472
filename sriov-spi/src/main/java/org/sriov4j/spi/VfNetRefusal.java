package org.sriov4j.spi;

import java.util.Objects;
import org.sriov4j.Errno;

/**
 * A VF network setting a device refuses, as its {@link VendorPlugin} knows before asking the kernel: the errno the
 * kernel would give and why.
 *
 * @param errno the errno the PF driver returns for it
 * @param reason why, for people (e.g. {@code "igb has no VF link-state control"})
 */
public record VfNetRefusal(Errno errno, String reason) {

    /**
     * Checks the values.
     *
     * @param errno the errno
     * @param reason why
     */
    public VfNetRefusal {
        Objects.requireNonNull(errno, "errno");
        Objects.requireNonNull(reason, "reason");
    }
}
