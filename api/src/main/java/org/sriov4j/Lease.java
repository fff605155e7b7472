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
     * What the PF's vendor compatibility matrix said about the guest's VF driver when the lease was taken
     * ({@link LeaseOptions#guestVfDriver()}): COMPATIBLE, or UNKNOWN (reported, not refused, unless the lease was
     * strict). An INCOMPATIBLE verdict never gets this far: the lease is refused.
     *
     * @return the verdict; empty when no guest VF driver was given (or for a lease {@link SriovHost#adopt(String)}
     *     returned: the verdict is not recorded)
     */
    default Optional<CompatibilityVerdict> compatibility() {
        return Optional.empty();
    }

    /**
     * Changes some of the leased VF's network settings through its PF, as
     * {@link SriovHost#configureVf(PciAddress, VfNetConfig)} does for a VF that is not leased (which refuses a leased
     * one): only the settings {@code changes} has, one kernel setting after the other, the vendor plugin's known
     * refusals checked before anything changes, the settings already changed restored if the kernel refuses one. The
     * VF's settings before sriov4j's first change (at the lease, or here) are saved in the ledger once, and restored
     * when the lease ends, however it ends. A migration's destination applies the settings it carries over this way
     * ({@code org.sriov4j.migration.LeaseNetActions}).
     *
     * @param changes the settings to change; the others stay as they are (no secure defaults are added)
     * @return the VF's settings afterwards
     * @throws IllegalStateException if the lease is closed
     * @throws VfNetConfigException if a setting is refused, or the function is not a VF of a PF with a netdev
     * @throws UnsupportedOperationException if this implementation does not change settings (the default)
     */
    default VfNetConfig configureVf(VfNetConfig changes) {
        throw new UnsupportedOperationException("not supported by " + getClass().getName());
    }

    /**
     * Attaches the leased function to a running guest through the hypervisor's toolstack (Xen: {@code xl pci-attach
     * DOMAIN BDF}). The ledger records the guest first, so that {@link SriovHost#recover()} detaches the function
     * from it if this process dies; {@link #close()} detaches it too. Attaching again to the same guest changes
     * nothing. The {@link GuestHook}s run around it (prepare, the backend's action, commit; abort on failure). With
     * kvm-vfio the backend's action is the VMM's own {@link GuestPlugActuator} (e.g. QMP {@code device_add}); without
     * one this is refused ({@link SriovHost#backendFeatures()} then lacks {@link BackendFeature#HOT_PLUG}).
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
     * @throws HotplugException if a hook vetoed, threw or overran (nothing was attached)
     * @throws SriovException {@link Errno#EOPNOTSUPP} if the backend does not attach devices to guests (kvm-vfio
     *     without a {@link GuestPlugActuator}: the message says so); otherwise what the hypervisor or the actuator
     *     refused (the Xen backend's exceptions say which: no such domain, passthrough not enabled, no IOMMU, already
     *     assigned); the hooks prepared were aborted and nothing is attached
     */
    void attachToGuest(String domain);

    /**
     * Detaches the leased function from the guest it is attached to (Xen: {@code xl pci-detach}; kvm-vfio: the
     * {@link GuestPlugActuator}'s unplug), with the {@link GuestHook}s around it in reverse order; it stays leased
     * and on the stub driver. A no-op if it is attached to no guest.
     *
     * @throws IllegalStateException if the lease is closed
     * @throws HotplugException if a hook vetoed, threw or overran (it stays attached)
     * @throws SriovException if the hypervisor or the actuator refused (it stays attached)
     */
    void detachFromGuest();

    /**
     * Takes the function out of its guest because the host wants it back (the kernel's VFIO device request, an
     * operator's unbind): the unplug of {@link #detachFromGuest()} with the hooks, the whole of it bounded by
     * {@code grace}. If the guest has not given the function up by then, or the unplug fails, the
     * {@code surpriseRemoval} fallback runs (a VMM passes what closes the function's VFIO device, so that the
     * kernel can complete the unbind; the guest loses the device without its consent), the hooks already prepared
     * are aborted, the ledger no longer records the attachment, and a {@link HotplugPhase#SURPRISE_REMOVAL} event
     * and a warning in the log say so. Hook vetoes are ignored here ({@link HotplugContext#forced()}). The lease
     * stays held: close it to give the function back.
     *
     * <p>{@code org.sriov4j.vfio.DeviceRequests} calls this when the kernel signals a VFIO REQ.
     *
     * @param grace how long the guest may take to eject the function
     * @param surpriseRemoval what to run when it does not; must not throw
     * @return what happened
     * @throws IllegalStateException if the lease is closed
     * @throws UnsupportedOperationException from a {@code Lease} implemented outside sriov4j (a test double) that
     *         does not override it; every lease the engine hands out does
     */
    default UnplugOutcome detachFromGuest(java.time.Duration grace, Runnable surpriseRemoval) {
        throw new UnsupportedOperationException("not supported by " + getClass().getName());
    }

    /**
     * Registers how this process gives up its own use of the function's VFIO device (closes it), for when sriov4j is
     * about to unbind the function from vfio-pci while this process still holds the device, and
     * {@link SriovConfig#holderWait()} lets the unbind wait: the wait starts by running {@code release}, as the
     * kernel's VFIO request would ask. Without it (or with a zero wait) such an unbind is refused with
     * {@link DeviceInUseException}. {@code org.sriov4j.vfio.DeviceRequests} registers itself here.
     *
     * @param release closes this process's descriptors of the device; must not throw
     * @return a handle whose {@code close()} unregisters it
     */
    default AutoCloseable onDeviceRequest(Runnable release) {
        java.util.Objects.requireNonNull(release, "release");
        return () -> { };
    }

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
