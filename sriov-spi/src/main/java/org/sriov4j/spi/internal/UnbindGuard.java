package org.sriov4j.spi.internal;

import org.sriov4j.PciAddress;

/**
 * Called before a function is unbound from its driver, or removed with its PF's VFs: refuses when the unbind could
 * block in the kernel ({@link VfioHolders}: a VFIO device still open).
 */
@FunctionalInterface
interface UnbindGuard {

    /** Checks nothing. */
    UnbindGuard NONE = (operation, f) -> { };

    /**
     * Refuses when unbinding {@code f} could block.
     *
     * @param operation for the message
     * @param f the function
     * @throws org.sriov4j.DeviceInUseException if it could
     */
    void beforeUnbind(String operation, PciAddress f);

    /**
     * {@link #beforeUnbind(String, PciAddress)} for a function whose driver was just read (under its lock): a guard
     * that cares only about one driver need not read it again.
     *
     * @param operation for the message
     * @param f the function
     * @param driver its driver as just read
     * @throws org.sriov4j.DeviceInUseException if unbinding it could block
     */
    default void beforeUnbind(String operation, PciAddress f, java.util.Optional<String> driver) {
        beforeUnbind(operation, f);
    }
}
