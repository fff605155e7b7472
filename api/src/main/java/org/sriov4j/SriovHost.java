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
     * @throws LeaseUnavailableException if the PF or one of its VFs is leased (any kind of lease), or being changed
     * @throws SriovException {@link Errno#EBUSY} if the PF itself is detached or leased (its VF count cannot change
     *     until it is given back); {@link Errno#ENOENT} if the function is not an SR-IOV PF or its PF driver is not
     *     bound;
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
     * @throws LeaseUnavailableException if the PF or one of its VFs is leased (any kind of lease), or being changed
     * @throws SriovException {@link Errno#EBUSY} if the PF itself is detached or leased;
     *     {@link Errno#ENOENT} if it is not an SR-IOV PF; {@link Errno#ETIMEDOUT} if the
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
     *     or a step failed: the completed steps are undone and the message says what was restored;
     *     {@link Errno#EBUSY} for a PF that has VFs (they are named; unbinding the PF driver would destroy them), or
     *     a function whose last detach or reattach was interrupted by a process that died (run
     *     {@link #recover(PciAddress)} first)
     */
    PciFunction detach(PciAddress function);

    /**
     * Gives a detached function back to the host: unbound from the stub driver (refused while its VFIO device is
     * open; vfio-pci has reset it when it was last closed, another stub such as pci-stub has it reset first), its
     * original {@code driver_override} restored, and bound to exactly its original driver (or left unbound if it had
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
     * {@link #detach(PciAddress)} for many functions in one call, each with its own outcome: a function that is
     * refused or fails does not stop the others. Each function keeps every guarantee of the single call: its lock
     * is held while it changes, its original driver and {@code driver_override} are in the ledger, durably, before
     * the first kernel write for it, and a failure undoes its completed steps. What does not depend on the function
     * is done once for the call (the engine: the lock check of a PF shared by the VFs, each IOMMU group's members
     * listed once, the ledger directory's check and its final sync), so that many VFs cost less than the same
     * single calls. The default makes the single calls.
     *
     * @param functions the functions, each once, in the order to change them
     * @return one outcome per function, in the same order
     * @throws IllegalArgumentException if a function is named twice
     */
    default java.util.List<FunctionOutcome> detachAll(java.util.List<PciAddress> functions) {
        return SriovHosts.each(functions, this::detach);
    }

    /**
     * {@link #reattach(PciAddress)} for many functions in one call, each with its own outcome, as
     * {@link #detachAll(java.util.List)}: each function's lock held while it changes and its ledger record marked
     * before its first kernel write (a failed one keeps its record for a retry); the shared work done once. The
     * default makes the single calls.
     *
     * @param functions the functions, each once, in the order to give them back
     * @return one outcome per function, in the same order
     * @throws IllegalArgumentException if a function is named twice
     */
    default java.util.List<FunctionOutcome> reattachAll(java.util.List<PciAddress> functions) {
        return SriovHosts.each(functions, this::reattach);
    }

    /**
     * Leases a function to a guest for as long as this process holds the lease ({@link LeaseHolder#taker()}). If the
     * function is on a host driver, the lease detaches it (managed) and gives it back when it ends; if it was
     * detached already, it stays detached when the lease ends.
     *
     * @param function the function
     * @param guest the guest's name, for records and messages
     * @return the lease; close it to end it
     * @throws LeaseUnavailableException if the function, its PF or one of its VFs is leased already
     * @throws SriovException as {@link #detach(PciAddress)} (a PF that has VFs, an interrupted change, and for a
     *     managed lease every refusal of a detach)
     */
    default Lease lease(PciAddress function, String guest) {
        return lease(function, guest, LeaseOptions.defaults());
    }

    /**
     * Leases a function to a guest, held by {@code holder}: the process that takes it ({@link LeaseHolder#taker()}),
     * another process, e.g. the guest's QEMU ({@link LeaseHolder#process(long)}: the lease ends when it exits), or
     * nobody ({@link LeaseHolder#durable()}: until it is released). A process-tied or durable lease is recorded in the
     * ledger with its holder, survives this process and {@link #close()}, and is given back only by
     * {@link Lease#close()} (here, or on the lease {@link #adopt(String)} returns in a later process), or, for a
     * process-tied lease, by {@link #recover()} once its process has exited.
     *
     * <pre>{@code
     * Lease lease = host.lease(vf, "vm-42", LeaseHolder.process(qemu.pid()));
     * // ... this manager may exit and restart: List<Lease> mine = host.adopt("vm-42");
     * }</pre>
     *
     * @param function the function
     * @param guest the guest's name, for records and messages
     * @param holder what keeps the lease alive
     * @return the lease; close it to end it
     * @throws LeaseUnavailableException if the function, its PF or one of its VFs is leased already (by any kind of
     *     lease), or a change to it is in progress
     * @throws SriovException as {@link #lease(PciAddress, String)}
     */
    default Lease lease(PciAddress function, String guest, LeaseHolder holder) {
        return lease(function, guest, LeaseOptions.builder().holder(holder).build());
    }

    /**
     * The live leases of a guest that no process holds the lock for ({@link LeaseHolder.Kind#PROCESS} leases whose
     * process runs, {@link LeaseHolder.Kind#DURABLE} ones), as {@link Lease} objects of this host: how a restarted
     * manager gets its guests' leases back. Closing one ends the lease. Nothing is changed on the host.
     *
     * @param guest the guest's name, as given when the lease was taken
     * @return the leases, sorted by address; empty if there are none
     * @throws IllegalArgumentException if {@code guest} is not a valid guest name
     */
    List<Lease> adopt(String guest);

    /**
     * Leases a function to a guest, as {@link #lease(PciAddress, String)}, and gives the VF the network identity
     * {@code net} before the lease is returned, so the VMM never sees the device without it. The settings {@code net}
     * leaves out keep their current values, except spoof checking and trust, which get the secure defaults: spoof
     * checking on, trust off ({@link VfNetConfig#withSecureDefaults()}); say otherwise in {@code net} to change them.
     *
     * <p>The VF's settings before the change are saved in the ledger first (durably, with its original driver), and are
     * restored, exactly, when the lease ends, when the function is reattached, or by {@link #recover()} after the holder
     * died: an administrative MAC of {@code 00:00:00:00:00:00} included, so no MAC or VLAN is left for the next tenant.
     * If a setting is refused, the settings already changed are restored, the function goes back to the host, and the
     * exception says which setting failed and what was restored.
     *
     * @param function a VF whose PF has a netdev
     * @param guest the guest's name
     * @param net the settings; {@link VfNetConfig#none()} applies only the secure defaults
     * @return the lease; close it to end it
     * @throws VfNetConfigException if a setting is refused (by the PF's vendor plugin before anything changes, or by
     *     the kernel), or the function is not a VF of a PF with a netdev
     * @throws LeaseUnavailableException as {@link #lease(PciAddress, String)}
     * @throws SriovException as {@link #lease(PciAddress, String)}
     */
    default Lease lease(PciAddress function, String guest, VfNetConfig net) {
        return lease(function, guest, LeaseOptions.builder().net(net).build());
    }

    /**
     * Leases a function to a guest, held by {@code holder} as {@link #lease(PciAddress, String, LeaseHolder)}, with
     * the network identity {@code net} applied first as {@link #lease(PciAddress, String, VfNetConfig)}: e.g. a lease
     * tied to the guest's QEMU process that gives the VF the guest's MAC and VLAN. The saved settings are restored
     * when that lease ends, however it ends. The same as {@link #lease(PciAddress, String, LeaseOptions)} with
     * {@code LeaseOptions.builder().holder(holder).net(net).build()}.
     *
     * @param function a VF whose PF has a netdev
     * @param guest the guest's name
     * @param holder what keeps the lease alive
     * @param net the settings; {@link VfNetConfig#none()} applies only the secure defaults
     * @return the lease; close it to end it
     * @throws VfNetConfigException as {@link #lease(PciAddress, String, VfNetConfig)}
     * @throws LeaseUnavailableException as {@link #lease(PciAddress, String, LeaseHolder)}
     * @throws SriovException as {@link #lease(PciAddress, String)}
     */
    default Lease lease(PciAddress function, String guest, LeaseHolder holder, VfNetConfig net) {
        return lease(function, guest, LeaseOptions.builder().holder(holder).net(net).build());
    }

    /**
     * Leases a function to a guest with options; the other {@code lease} methods are this one with
     * {@linkplain LeaseOptions#defaults() default options} but one. In order, before anything on the host changes:
     * when {@link LeaseOptions#guestVfDriver()} is given, the PF's vendor compatibility matrix judges it (an
     * {@link SriovEvent.DriverChecked} event; INCOMPATIBLE, or UNKNOWN when {@link LeaseOptions#strictCompatibility()},
     * refuses with {@link IncompatibleVfDriverException}; UNKNOWN otherwise is logged as a warning and kept on the
     * lease, {@link Lease#compatibility()}); the function's lock is taken (a function, PF or VF leased already is
     * refused); when {@link LeaseOptions#net()} is given, the vendor plugin's known refusals of those settings are
     * checked. Then the function is detached (if on a host driver), the network
     * identity applied (the settings before it saved in the ledger and restored when the lease ends), and the lease
     * recorded with its {@link LeaseOptions#holder()}.
     *
     * <pre>{@code
     * Lease lease = host.lease(vf, "vm-42", LeaseOptions.builder()
     *         .holder(LeaseHolder.process(qemu.pid()))
     *         .net(VfNetConfig.builder().mac(MacAddress.parse("02:00:00:00:00:2a")).vlan(100).build())
     *         .guestVfDriver(GuestVfDriver.parse("igbvf:6.12.118"))
     *         .build());
     * }</pre>
     *
     * @param function the function (a VF when a network identity or a guest VF driver is given)
     * @param guest the guest's name, for records and messages
     * @param options holder, network identity, guest VF driver and strictness
     * @return the lease; close it to end it
     * @throws IncompatibleVfDriverException if the guest's VF driver is INCOMPATIBLE with the PF's (or UNKNOWN and
     *     strict); nothing was changed
     * @throws VfNetConfigException as {@link #lease(PciAddress, String, VfNetConfig)}
     * @throws LeaseUnavailableException as {@link #lease(PciAddress, String, LeaseHolder)}
     * @throws SriovException as {@link #lease(PciAddress, String)}; {@link Errno#ENODEV} if a guest VF driver is
     *     given for a function that is not a VF
     */
    Lease lease(PciAddress function, String guest, LeaseOptions options);

    /**
     * A VF's network settings as its PF reports them now (what {@code ip link show PF} prints for it): every setting
     * the PF driver reports; one it does not report (e.g. trust on an older driver) is absent.
     *
     * @param vf the VF
     * @return its settings
     * @throws VfNetConfigException if the function is not a VF, its PF has no netdev, or the kernel refused the query
     * @throws DeviceNotFoundException if there is no such function
     */
    VfNetConfig vfNetConfig(PciAddress vf);

    /**
     * The network settings of every VF of a PF, from one query.
     *
     * @param pf the PF
     * @return each VF's settings by VF address, in VF index order
     * @throws VfNetConfigException if the PF has no netdev or the kernel refused the query
     * @throws DeviceNotFoundException if there is no such function
     */
    java.util.Map<PciAddress, VfNetConfig> vfNetConfigs(PciAddress pf);

    /**
     * A VF's traffic counters as its PF reports them.
     *
     * @param vf the VF
     * @return the counters
     * @throws VfNetConfigException if the function is not a VF, its PF has no netdev, or the PF driver reports no
     *     counters ({@link Errno#EOPNOTSUPP})
     */
    VfStats vfStats(PciAddress vf);

    /**
     * Changes some of a VF's network settings through its PF (as {@code ip link set PF vf N ...} does), one kernel
     * setting after the other; the others stay as they are. Known refusals of the device (its vendor plugin's) are
     * checked before anything changes. If the kernel refuses one, the settings already changed are restored and the
     * exception says which.
     *
     * <p>On a VF that sriov4j has detached ({@link #detach(PciAddress)}), the settings before the first change are
     * saved in the ledger, and {@link #reattach(PciAddress)} and {@link #recover()} restore them. A VF on its host
     * driver is the operator's: the change is made and not recorded. A leased VF (by this or another process) is
     * refused: give a lease its settings with {@link #lease(PciAddress, String, VfNetConfig)}.
     *
     * @param vf the VF
     * @param changes the settings to change
     * @return the VF's settings afterwards: those read before the change, with the changed ones as the kernel
     *     acknowledged them
     * @throws VfNetConfigException if a setting is refused (the message names it, the VF and the errno)
     * @throws LeaseUnavailableException if the VF is leased (or being changed)
     * @throws DeviceNotFoundException if there is no such function
     */
    VfNetConfig configureVf(PciAddress vf, VfNetConfig changes);

    /**
     * The network settings sriov4j saved before it changed a VF, which it restores when it gives the VF back.
     *
     * @param vf the VF
     * @return the saved settings, or empty if sriov4j has not changed the VF's settings
     */
    java.util.Optional<VfNetConfig> savedVfNetConfig(PciAddress vf);

    /**
     * A pool of the VFs that match any of {@code selectors}, to lease one without naming it. The pool works out its
     * members from the host as it is at each call and leases with {@link #lease(PciAddress, String)}; this default
     * pool looks at a fresh {@link #topology()} each time, the engine's pool reads only what can have changed
     * (see {@link VfPool}).
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
     * Finishes or rolls back what dead processes left: every function whose managed lease is over (its holder is
     * gone), or that a dead process was in the middle of detaching or reattaching, goes back to its recorded original
     * driver (first detached from the guest the ledger says it is attached to, if that guest still exists: the
     * holder is dead, so the guest loses the device, through the {@link GuestHook}s, whose vetoes are ignored here;
     * a guest that no longer exists has lost it already). A function whose VFIO device a process still holds open
     * is not touched and is reported (see {@link DeviceInUseException}). Live leases are left alone: those of live
     * processes, those tied to a process that runs, and durable ones. Corrupt ledger files are reported and set
     * aside ({@link #ledgerProblems()} lists them from then on), never fatal; a temporary file whose writer is gone
     * is removed. Safe to run at any time. {@code open} runs it only when {@link SriovConfig#recoverOnOpen()} is
     * set.
     *
     * <p>A record is removed without giving its function back only when the function is provably gone from the
     * host: it is a VF of a PF that sysfs shows, at an index that PF's current {@code sriov_numvfs} does not reach
     * (SR-IOV disabled, or fewer VFs). A function that simply cannot be seen (a wrong sysfs root, a container whose
     * /sys is not the host's, an unplugged PF) keeps its record, and is reported in
     * {@link RecoveryReport#unseen()}.
     *
     * @return what was found and done
     * @throws SriovException if the state directory is unsafe (see {@link SriovConfig#stateDir()}) or cannot be read
     */
    RecoveryReport recover();

    /**
     * {@link #recover()} for one function only: nothing else in the ledger is looked at or changed.
     *
     * @param function the function
     * @return what was found and done for it (empty lists if it has no record)
     * @throws SriovException if the state directory is unsafe or cannot be read
     */
    RecoveryReport recover(PciAddress function);

    /**
     * The files of the ledger that are not usable records: corrupt, unreadable or of a newer version, set aside by
     * {@link #recover()}, or temporary files whose writer may still run. They stay listed until an operator deals
     * with them ({@link LedgerProblem} says how).
     *
     * @return the problems, sorted by file name
     * @throws SriovException if the state directory is unsafe or cannot be listed
     */
    List<LedgerProblem> ledgerProblems();

    /**
     * Every function sriov4j's ledger records as taken from the host (detached, or in the middle of a detach or
     * reattach), with who holds it now and what keeps its lease alive. Unreadable ledger files are left out
     * ({@link #ledgerProblems()} lists them).
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
     * {@link BackendFeature#HOT_PLUG} is present exactly when {@link Lease#attachToGuest(String)} works: on Xen
     * ({@code xl pci-attach}), and on kvm-vfio only with the VMM's {@link SriovConfig#plugActuator()}.
     * {@link BackendFeature#VF_NET_CONFIG} is present where the routing netlink answers, and
     * {@link BackendFeature#IOMMUFD} on kvm-vfio where the kernel offers iommufd and VFIO device cdevs. Each flag is
     * derived from what the backend and this host can do; an absent flag's operation is refused with an error that
     * says what is missing.
     *
     * @return the features, unmodifiable, iterated in the enum's declaration order
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
     * @throws HotplugException if a {@link GuestHook} vetoed, threw or overran (nothing was attached)
     * @throws SriovException {@link Errno#ENODEV} if it is not detached; {@link Errno#EOPNOTSUPP} if the backend
     *     does not attach devices to guests (kvm-vfio without a {@link GuestPlugActuator}); otherwise what the
     *     hypervisor or the actuator refused
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
     * The processes that hold, or may hold, a function's VFIO device open: those an unbind from vfio-pci would wait
     * for (see {@link DeviceInUseException}, and the repository's {@code docs/vfio-holders.md} for the rule).
     *
     * @param function the function
     * @return the holders, certain ones first; empty when the function is not on vfio-pci or its device is not open
     * @throws DeviceInUseException if the device is open but no holder is visible (e.g. one in another PID
     *     namespace)
     */
    java.util.List<VfioHolder> vfioHolders(PciAddress function);

    /**
     * Subscribes to the changes this host object makes.
     *
     * @param listener called after each change, on the thread that made it; exceptions it throws are logged and
     *     otherwise ignored
     * @return the subscription; its {@code close()} ends it and throws nothing
     */
    Subscription subscribe(Consumer<? super SriovEvent> listener);

    /**
     * Ends every {@link LeaseHolder.Kind#TAKER} lease still held through this host object (managed functions go back
     * to their host drivers) and releases what it holds. Detached functions stay detached; leases tied to another
     * process and durable leases stay.
     *
     * @throws SriovException if a managed function could not be given back (its record stays for
     *     {@link #recover()})
     */
    @Override
    void close();
}
