package org.sriov4j.spi;

import java.util.Map;
import java.util.Optional;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;

/**
 * A backend's own way of taking a function from the host and giving it back, and of handing it to a running guest
 * (Xen: pciback slots and {@code xl}). A backend without them ({@link HypervisorBackendProvider#assignmentSteps}
 * empty) gets the engine's {@code driver_override} steps, and the VMM attaches the device itself (VFIO).
 *
 * <p>The engine calls these with the function's lock held and the ledger written ahead; each method is a
 * transaction (a failed step undoes the completed ones) and every failure is a
 * {@link org.sriov4j.SriovException} naming the step.
 */
public interface AssignmentSteps {

    /**
     * Checks that {@code f} may be handed to a guest (IOMMU present, or the unsafe option set).
     *
     * @param operation for messages
     * @param f the function
     * @throws org.sriov4j.SriovException if it may not
     */
    void checkAssignable(String operation, PciFunction f);

    /**
     * Moves {@code f} from its host driver (or none) onto the stub driver.
     *
     * @param f the function, as described just before
     * @return backend data to keep in the ledger with the function (passed back to {@link #reattach})
     */
    Map<String, String> detach(PciFunction f);

    /**
     * The original driver of a function found on the stub driver without a ledger record (made assignable by the
     * hypervisor's own tools), if the backend can tell.
     *
     * @param f the function
     * @return its original driver, or empty if unknown
     */
    Optional<String> originalDriverOf(PciFunction f);

    /**
     * Gives {@code f} back: off the stub driver, its {@code driver_override} restored, bound to its original
     * driver (left unbound if it had none and the backend knows of none).
     *
     * @param f the function
     * @param originalDriver what it was on
     * @param originalDriverOverride its original {@code driver_override}
     * @param extras what {@link #detach} returned
     */
    void reattach(PciAddress f, Optional<String> originalDriver, Optional<String> originalDriverOverride,
            Map<String, String> extras);

    /**
     * Attaches a detached function to a running guest.
     *
     * @param f the function, on the stub driver
     * @param guest the guest (e.g. a Xen domain name)
     * @throws org.sriov4j.SriovException if the guest or the hypervisor refuses
     */
    void attachToGuest(PciAddress f, String guest);

    /**
     * Detaches a function from a guest.
     *
     * @param f the function
     * @param guest the guest it is attached to
     * @throws org.sriov4j.SriovException if the hypervisor refuses
     */
    void detachFromGuest(PciAddress f, String guest);

    /**
     * Whether a guest exists (is running or paused).
     *
     * @param guest the guest
     * @return true if it exists
     */
    boolean guestExists(String guest);
}
