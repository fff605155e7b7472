package org.sriov4j;

import java.util.Optional;

/**
 * Exclusive use of one PCI function by one guest, across every thread and process on the host that uses sriov4j.
 * Taken with {@link SriovHost#lease(PciAddress, String)}; ends with {@link #close()}, or when the holding process
 * dies (the kernel drops its lock; {@link SriovHost#recover()} then gives a managed function back). A lease taken
 * with {@link SriovHost#lease(PciAddress, String, LeaseHolder)} can outlive the process that took it: it is tied to
 * another process, or durable ({@link #holder()}); a later process gets it back with {@link SriovHost#adopt(String)}.
 *
 * <pre>{@code
 * try (Lease lease = host.lease(vf, "vm-42")) {
 *     // vf is on vfio-pci (or pciback) and no one else can lease it
 * } // managed: back on its original host driver
 * }</pre>
 */
public interface Lease extends AutoCloseable {

    /**
     * The leased function.
     *
     * @return its address
     */
    PciAddress device();

    /**
     * The guest the function is leased to.
     *
     * @return the guest's name
     */
    String guest();

    /**
     * Whether the lease detached the function from its host driver and gives it back when it ends (libvirt's
     * "managed"), as opposed to a function that was already detached with {@link SriovHost#detach(PciAddress)}
     * and stays on the stub driver.
     *
     * @return true if managed
     */
    boolean managed();

    /**
     * Whether the lease is still held.
     *
     * @return false once closed; for a lease tied to another process, also false once that process has exited
     */
    boolean isHeld();

    /**
     * What keeps this lease alive: the process that took it ({@link LeaseHolder.Kind#TAKER}), another process, or
     * nothing but an explicit release ({@link LeaseHolder.Kind#DURABLE}).
     *
     * @return the holder; the default implementation returns {@link LeaseHolder#taker()}
     */
    default LeaseHolder holder() {
        return LeaseHolder.taker();
    }

    /**
     * Attaches the leased function to a running guest through the hypervisor's toolstack (Xen: {@code xl pci-attach
     * DOMAIN BDF}). The ledger records the guest first, so that {@link SriovHost#recover()} detaches the function
     * from it if this process dies; {@link #close()} detaches it too. Attaching again to the same guest changes
     * nothing. With kvm-vfio the VMM attaches the device itself (VFIO), and this is refused.
     *
     * <pre>{@code
     * try (Lease lease = host.lease(vf, "vm-42")) {
     *     lease.attachToGuest("vm-42");   // Xen domain name
     *     ...
     *     lease.detachFromGuest();
     * }
     * }</pre>
     *
     * @param domain the guest's name in the hypervisor (Xen domain name or id)
     * @throws IllegalStateException if the lease is closed
     * @throws IllegalArgumentException if {@code domain} is not a valid name
     * @throws LeaseUnavailableException if the function is attached to another guest
     * @throws SriovException {@link Errno#EOPNOTSUPP} if the backend does not attach devices to guests; otherwise
     *     what the hypervisor refused (the Xen backend's exceptions say which: no such domain, passthrough not
     *     enabled, no IOMMU, already assigned)
     */
    void attachToGuest(String domain);

    /**
     * Detaches the leased function from the guest it is attached to (Xen: {@code xl pci-detach}); it stays leased
     * and on the stub driver. A no-op if it is attached to no guest.
     *
     * @throws IllegalStateException if the lease is closed
     * @throws SriovException if the hypervisor refused
     */
    void detachFromGuest();

    /**
     * The guest the function is attached to through {@link #attachToGuest(String)}, as the ledger records it.
     *
     * @return the guest, or empty if none (or the lease is closed)
     */
    default Optional<String> attachedTo() {
        return Optional.empty();
    }

    /**
     * Ends the lease: a function attached to a guest is detached from it; a managed function goes back to its
     * original host driver; then the lock is released. Idempotent. This ends a lease of any {@link #holder() kind}:
     * closing a durable lease (taken here or {@linkplain SriovHost#adopt(String) adopted}) releases it for good;
     * {@link SriovHost#close()} does not end leases of kinds other than {@link LeaseHolder.Kind#TAKER}.
     *
     * @throws SriovException if the function could not be given back (the lease is released anyway, and the
     *     ledger keeps the record so that {@link SriovHost#recover()} can retry)
     */
    @Override
    void close();
}
