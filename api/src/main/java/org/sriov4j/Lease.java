package org.sriov4j;

/**
 * Exclusive use of one PCI function by one guest, across every thread and process on the host that uses sriov4j.
 * Taken with {@link SriovHost#lease(PciAddress, String)}; ends with {@link #close()}, or when the holding process
 * dies (the kernel drops its lock; {@link SriovHost#recover()} then gives a managed function back).
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
     * @return false once closed
     */
    boolean isHeld();

    /**
     * Ends the lease: a managed function goes back to its original host driver; then the lock is released.
     * Idempotent.
     *
     * @throws SriovException if the function could not be given back (the lease is released anyway, and the
     *     ledger keeps the record so that {@link SriovHost#recover()} can retry)
     */
    @Override
    void close();
}
