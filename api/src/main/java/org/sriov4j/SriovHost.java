package org.sriov4j;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.sriov4j.bootstrap.SriovHostFactory;

/**
 * The SR-IOV view of one Linux host: the entry point of sriov4j.
 *
 * <pre>{@code
 * try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
 *     Topology t = host.topology();
 *     t.physicalFunctions().forEach(pf -> System.out.println(pf.address() + ": " + pf.numVfs() + " VFs"));
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe. Every method throws {@link SriovException} (unchecked) on failure, with the
 * device, operation, errno and path where they are known.
 */
public interface SriovHost extends AutoCloseable {

    /**
     * Opens the host described by {@code config}, using the engine found through {@link ServiceLoader}.
     *
     * @param config the configuration
     * @return the open host; close it when done
     * @throws EngineUnavailableException if no engine is on the class path or module path, or more than one is
     * @throws SriovException if the host cannot be opened
     */
    static SriovHost open(SriovConfig config) {
        List<SriovHostFactory> factories = new ArrayList<>();
        ServiceLoader.load(SriovHostFactory.class, SriovHost.class.getClassLoader()).forEach(factories::add);
        if (factories.isEmpty()) {
            throw new EngineUnavailableException("open host",
                    "no sriov4j engine found: add sriov4j-spi with a backend (sriov4j-vfio or sriov4j-xen)");
        }
        if (factories.size() > 1) {
            throw new EngineUnavailableException("open host", "more than one sriov4j engine found: "
                    + factories.stream().map(f -> f.getClass().getName()).toList());
        }
        return factories.get(0).open(config);
    }

    /**
     * The configuration this host was opened with.
     *
     * @return the configuration
     */
    SriovConfig config();

    /**
     * Scans the host's physical and virtual functions. Equivalent to {@code topology(ScanScope.SRIOV)}.
     *
     * @return a new immutable snapshot
     * @throws SriovException if sysfs cannot be read or holds malformed content
     */
    default Topology topology() {
        return topology(ScanScope.SRIOV);
    }

    /**
     * Scans the host. Devices that disappear while the scan runs (VFs being removed) are left out, never an error.
     *
     * @param scope which functions to describe
     * @return a new immutable snapshot
     * @throws SriovException if sysfs cannot be read or holds malformed content (the message names the file and
     *     quotes its content)
     */
    Topology topology(ScanScope scope);

    /**
     * Describes one function and what it belongs to, without scanning the rest of the host: the function; for a VF
     * its PF; for a PF its VFs; and the IOMMU group of each. A device elsewhere whose sysfs is malformed does not
     * fail it (a {@link #topology(ScanScope)} of the whole host would). The default scans the whole host.
     *
     * @param function the function
     * @return a snapshot of scope {@link ScanScope#ALL_FUNCTIONS} holding those functions only; without the
     *     function if it does not exist
     * @throws SriovException if the sysfs of the function or of those it belongs to cannot be read or is malformed
     */
    default Topology topologyOf(PciAddress function) {
        java.util.Objects.requireNonNull(function, "function");
        return topology(ScanScope.ALL_FUNCTIONS);
    }

    /**
     * Enables exactly {@code count} VFs on a PF, with the {@linkplain VfEnableOptions#defaults() default options}.
     *
     * @param pf the physical function
     * @param count the number of VFs wanted, 0 to its {@code sriov_totalvfs}
     * @return the PF as it is afterwards
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws SriovException as described for {@link #enableVfs(PciAddress, int, VfEnableOptions)}
     */
    default PhysicalFunction enableVfs(PciAddress pf, int count) {
        return enableVfs(pf, count, VfEnableOptions.defaults());
    }

    /**
     * Enables exactly {@code count} VFs on a PF, following the kernel's rules: the count is checked against
     * {@code sriov_totalvfs} before anything is written; the same count as now is a no-op (the VFs are not
     * re-created); a different non-zero count goes through 0 first (the kernel refuses to change a non-zero count
     * with {@code EBUSY}); each write is bounded by the timeout, and the call returns only when every
     * {@code virtfnN} link and each VF's {@code physfn} link exist. {@code count == 0} disables SR-IOV.
     *
     * <p>On failure nothing is left half-done: a count that was changed through 0 is written back, and an autoprobe
     * setting that was changed is restored; the exception says what was restored, or what could not be.
     *
     * @param pf the physical function
     * @param count the number of VFs wanted, 0 to its {@code sriov_totalvfs}
     * @param options autoprobe and timeout
     * @return the PF as it is afterwards, with its VFs in index order
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws DeviceNotFoundException if there is no such PCI function
     * @throws SriovException {@link Errno#ENOENT} if the function is not an SR-IOV PF or its PF driver is not bound;
     *     {@link Errno#ERANGE} if {@code count} exceeds {@code sriov_totalvfs} (nothing is written);
     *     {@link Errno#ETIMEDOUT} if a write or the wait for the VFs took longer than the timeout; otherwise the
     *     kernel's errno (e.g. {@link Errno#ENOSPC} when the device has no interrupt vectors left)
     */
    PhysicalFunction enableVfs(PciAddress pf, int count, VfEnableOptions options);

    /**
     * Disables SR-IOV on a PF: writes 0 to {@code sriov_numvfs} (when it is not 0 already) and waits, bounded by
     * the {@linkplain VfEnableOptions#DEFAULT_TIMEOUT default timeout}, until the VFs are gone.
     *
     * @param pf the physical function
     * @return the PF as it is afterwards (no VFs)
     * @throws DeviceNotFoundException if there is no such PCI function
     * @throws SriovException {@link Errno#ENOENT} if it is not an SR-IOV PF; {@link Errno#ETIMEDOUT} if the
     *     kernel took longer than the timeout; otherwise the kernel's errno
     */
    PhysicalFunction disableVfs(PciAddress pf);

    /**
     * Takes a function away from the host for guest use, unmanaged: it is moved onto the backend's stub driver
     * ({@code vfio-pci} for kvm-vfio, {@code pciback} for Xen) and stays there until {@link #reattach(PciAddress)},
     * whatever happens to the process. The original driver and {@code driver_override} are recorded in the ledger
     * first. Detaching a function that is already on the stub driver changes nothing.
     *
     * @param function the function
     * @return the function as it is afterwards
     * @throws DeviceNotFoundException if there is no such function
     * @throws GroupNotViableException if another member of its IOMMU group is on a host driver (each is named)
     * @throws LeaseUnavailableException if it is leased
     * @throws SriovException if the host has no IOMMU (unless {@link SriovConfig#allowUnsafeAssignmentWithoutIommu()}),
     *     or a step failed: the completed steps are undone and the message says what was restored
     */
    PciFunction detach(PciAddress function);

    /**
     * Gives a detached function back to the host: reset, unbound from the stub driver, its original
     * {@code driver_override} restored, and bound to exactly its original driver (or left unbound if it had
     * none); then its ledger record is removed.
     *
     * @param function the function
     * @return the function as it is afterwards
     * @throws DeviceNotFoundException if there is no such function
     * @throws LeaseUnavailableException if it is leased
     * @throws SriovException if a step failed (the ledger keeps the record, so it can be retried)
     */
    PciFunction reattach(PciAddress function);

    /**
     * Leases a function to a guest. If the function is on a host driver, the lease detaches it (managed) and gives
     * it back when it ends; if it was detached already, it stays detached when the lease ends.
     *
     * @param function the function
     * @param guest the guest's name, for records and messages
     * @return the lease; close it to end it
     * @throws LeaseUnavailableException if the function, its PF or one of its VFs is leased already
     * @throws SriovException as {@link #detach(PciAddress)} for a managed lease
     */
    Lease lease(PciAddress function, String guest);

    /**
     * A pool of the VFs that match any of {@code selectors}, to lease one without naming it. The pool keeps no
     * state: it looks at a fresh {@link #topology()} at each call and leases with {@link #lease(PciAddress, String)}.
     *
     * <pre>{@code
     * VfPool pool = host.pool(VfSelector.parse("ens1f0#0-3,6"));
     * try (Lease lease = pool.lease("vm-42")) { ... }
     * }</pre>
     *
     * @param selectors the selectors, at least one ({@link VfSelector#any()} for every VF)
     * @return the pool
     * @throws IllegalArgumentException if there is no selector
     */
    default VfPool pool(VfSelector... selectors) {
        return new SelectorPool(this, List.of(selectors));
    }

    /**
     * Finishes or rolls back what dead processes left: every function a dead process detached as part of a managed
     * lease, or was in the middle of detaching or reattaching, goes back to its recorded original driver (first
     * detached from the guest the ledger says it is attached to, if that guest still exists: the holder is dead,
     * so the guest loses the device; a guest that no longer exists has lost it already); stale
     * records and locks are cleared; leases of live processes are left alone. Corrupt ledger files are reported
     * and set aside, never fatal. Safe to run at any time; {@code open} runs it.
     *
     * @return what was found and done
     */
    RecoveryReport recover();

    /**
     * Every function sriov4j's ledger records as taken from the host (detached, or in the middle of a detach or
     * reattach), with who holds it now. Unreadable ledger files are left out ({@link #recover()} reports them).
     *
     * @return the assignments, sorted by address
     */
    List<Assignment> assignments();

    /**
     * The id of the hypervisor backend this host uses ({@code kvm-vfio}, {@code xen-pciback}), chosen on first use
     * (explicitly with {@link SriovConfig.Builder#backend(String)}, else the available one of highest priority).
     *
     * @return the backend id
     * @throws EngineUnavailableException if no backend is available
     */
    String backendId();

    /**
     * What the backend can do: a VMM checks {@link BackendFeature#USER_SPACE_DMA_MAPPING} before it maps guest
     * memory (absent on Xen: the hypervisor owns the IOMMU) and a migration planner checks
     * {@link BackendFeature#LIVE_MIGRATION_STATE_TRANSFER} (absent: unplug before, re-plug after).
     *
     * @return the features
     * @throws EngineUnavailableException if no backend is available
     */
    java.util.Set<BackendFeature> backendFeatures();

    /**
     * Attaches a detached function (not leased) to a running guest, as {@link Lease#attachToGuest(String)} does
     * for a leased one: for operators and the command line. The function stays detached when it is detached from
     * the guest; {@link #recover()} leaves it alone (it is not managed), {@link #reattach(PciAddress)} detaches it
     * from the guest first.
     *
     * @param function the function, detached with {@link #detach(PciAddress)}
     * @param domain the guest's name in the hypervisor (Xen domain name or id)
     * @throws LeaseUnavailableException if it is leased, or attached to another guest
     * @throws SriovException {@link Errno#ENODEV} if it is not detached; {@link Errno#EOPNOTSUPP} if the backend
     *     does not attach devices to guests; otherwise what the hypervisor refused
     */
    void attachToGuest(PciAddress function, String domain);

    /**
     * Detaches a function (not leased) from the guest it is attached to; it stays detached. A no-op if it is
     * attached to no guest.
     *
     * @param function the function
     * @throws LeaseUnavailableException if it is leased
     * @throws SriovException if the hypervisor refused
     */
    void detachFromGuest(PciAddress function);

    /**
     * Subscribes to the changes this host object makes.
     *
     * @param listener called after each change, on the thread that made it; exceptions it throws are logged and
     *     otherwise ignored
     * @return the subscription; its {@code close()} ends it and throws nothing
     */
    Subscription subscribe(Consumer<? super SriovEvent> listener);

    /**
     * Ends every lease still held through this host object (managed functions go back to their host drivers) and
     * releases what it holds. Detached functions stay detached.
     *
     * @throws SriovException if a managed function could not be given back (its record stays for
     *     {@link #recover()})
     */
    @Override
    void close();
}
