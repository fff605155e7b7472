package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Assignment;
import org.sriov4j.BackendFeature;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.LedgerProblem;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.RecoveryReport;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovHost;
import org.sriov4j.Subscription;
import org.sriov4j.Topology;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfStats;
import org.sriov4j.spi.RtNetlink;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.spi.AssignmentSteps;
import org.sriov4j.spi.BackendContext;
import org.sriov4j.spi.BackendSelector;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;
import org.sriov4j.spi.SysfsAccess;

/** The engine's {@link SriovHost}. */
public final class EngineHost implements SriovHost, org.sriov4j.migration.MigrationHost {

    private final SriovConfig config;
    private final SysfsAccess sysfs;
    private final DeviceNodeAccess devices;
    private final TopologyScanner scanner;
    private final VfController vfs;
    private final Assigner assigner;
    private final List<HypervisorBackendProvider> providers;
    private final HostCommands commands;
    private @Nullable HypervisorBackendProvider backend;
    private @Nullable Optional<AssignmentSteps> steps;
    private @Nullable Lifecycle lifecycle;
    private final java.util.Set<Lease> leases = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final Events events = new Events();
    private final Hotplug hotplug;
    private final VfioHolders holders;
    private final RtNetlink netlink;
    private final VfNetIdentity net;
    /** Whether VF network settings work here: probed once, on first {@link #backendFeatures()}. */
    private @Nullable Boolean netConfigWorks;
    private final VendorPlugins plugins;

    /**
     * Creates the host, with the backends and vendor plugins found through {@link ServiceLoader}.
     *
     * @param config configuration
     * @param sysfs sysfs access
     * @param devices /dev access
     */
    public EngineHost(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices) {
        this(config, sysfs, devices, loadProviders());
    }

    /**
     * Creates the host with the given backends and the vendor plugins found through {@link ServiceLoader}.
     *
     * @param config configuration
     * @param sysfs sysfs access
     * @param devices /dev access
     * @param providers the backends to choose from
     */
    public EngineHost(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices,
            List<HypervisorBackendProvider> providers) {
        this(config, sysfs, devices, HostCommands.system(), providers);
    }

    /**
     * Creates the host with the given backends and host commands.
     *
     * @param config configuration
     * @param sysfs sysfs access
     * @param devices /dev access
     * @param commands files outside sysfs and the hypervisor's tools
     * @param providers the backends to choose from
     */
    public EngineHost(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices, HostCommands commands,
            List<HypervisorBackendProvider> providers) {
        this(config, sysfs, devices, commands, providers, org.sriov4j.spi.netlink.SocketRtNetlink.system());
    }

    /**
     * Creates the host with the given backends, host commands and routing netlink.
     *
     * @param config configuration
     * @param sysfs sysfs access
     * @param devices /dev access
     * @param commands files outside sysfs and the hypervisor's tools
     * @param providers the backends to choose from
     * @param netlink the kernel's routing netlink, for VF network settings (closed with the host)
     */
    public EngineHost(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices, HostCommands commands,
            List<HypervisorBackendProvider> providers, RtNetlink netlink) {
        this.netlink = java.util.Objects.requireNonNull(netlink, "netlink");
        this.commands = commands;
        this.config = config;
        this.sysfs = sysfs;
        this.devices = devices;
        this.scanner = new TopologyScanner(sysfs);
        this.holders = new VfioHolders(sysfs, config.procRoot(), config.holderWait(), this::requestFromSelf);
        this.plugins = VendorPlugins.load();
        this.vfs = new VfController(sysfs, scanner, plugins, holders::checkUnbind);
        this.net = new VfNetIdentity(sysfs, () -> this.netlink, plugins, scanner);
        this.providers = List.copyOf(providers);
        VfioHolders guarded = holders;
        this.assigner = new Assigner(config, sysfs, scanner, () -> backend().stubDriver(), this::steps,
                new UnbindGuard() {
                    @Override
                    public void beforeUnbind(String operation, PciAddress f) {
                        guarded.checkUnbind(operation, f);
                    }

                    @Override
                    public void beforeUnbind(String operation, PciAddress f, Optional<String> driver) {
                        guarded.checkUnbind(operation, f, driver);
                    }
                });
        this.hotplug = new Hotplug(config, this::steps, () -> backend().id(), events);
        if (config.recoverOnOpen()) {
            RecoveryReport r = recover();
            System.Logger log = System.getLogger(EngineHost.class.getName());
            if (!r.clean()) {
                log.log(System.Logger.Level.WARNING, "recover on open: {0}", r);
            } else {
                log.log(System.Logger.Level.DEBUG, "recover on open: {0}", r);
            }
        }
    }

    private static List<HypervisorBackendProvider> loadProviders() {
        List<HypervisorBackendProvider> list = new ArrayList<>();
        ServiceLoader.load(HypervisorBackendProvider.class, EngineHost.class.getClassLoader()).forEach(list::add);
        return list;
    }

    /** The backend, chosen on first use (probes are cheap but need not run for discovery). */
    synchronized HypervisorBackendProvider backend() {
        if (backend == null) {
            backend = BackendSelector.select(providers,
                    config.backend().orElse(null),
                    new ProbeContext(sysfs, devices, commands));
        }
        return backend;
    }

    /** The backend's own assignment steps, created on first use. */
    synchronized Optional<AssignmentSteps> steps() {
        if (steps == null) {
            steps = backend().assignmentSteps(new BackendContext(config, sysfs, commands));
        }
        return steps;
    }

    /**
     * The backend's features, with {@link BackendFeature#HOT_PLUG} only when this host can plug functions into
     * guests: the backend's own steps (Xen) or the VMM's plug actuator (kvm-vfio).
     */
    @Override
    public Set<BackendFeature> backendFeatures() {
        java.util.EnumSet<BackendFeature> f = java.util.EnumSet.noneOf(BackendFeature.class);
        f.addAll(backend().features(new ProbeContext(sysfs, devices, commands)));
        if (hotplug.canPlug()) {
            f.add(BackendFeature.HOT_PLUG);
        } else {
            f.remove(BackendFeature.HOT_PLUG);
        }
        // the engine makes VF network settings for every backend (in Xen, dom0 owns the PF): present exactly when
        // the kernel's routing netlink answers here
        f.remove(BackendFeature.VF_NET_CONFIG);
        if (netConfigWorks()) {
            f.add(BackendFeature.VF_NET_CONFIG);
        }
        return java.util.Collections.unmodifiableSet(f); // declaration order, stable
    }

    /** Asks the routing netlink for the loopback link: a netlink that answers that can make VF settings. */
    private synchronized boolean netConfigWorks() {
        if (netConfigWorks == null) {
            boolean works;
            try {
                netlink.link("lo");
                works = true;
            } catch (RuntimeException | LinkageError e) {
                System.getLogger(EngineHost.class.getName()).log(System.Logger.Level.DEBUG,
                        "VF network settings unavailable: routing netlink does not answer: {0}", e.toString());
                works = false;
            }
            netConfigWorks = works;
        }
        return netConfigWorks;
    }

    @Override
    public String backendId() {
        return backend().id();
    }

    @Override
    public void attachToGuest(PciAddress function, String guest) {
        lifecycle().attachToGuest(function, guest, null);
    }

    @Override
    public void detachFromGuest(PciAddress function) {
        lifecycle().detachFromGuest(function, null);
    }

    /** The lifecycle engine, created on first use (it needs the state directory). */
    private synchronized Lifecycle lifecycle() {
        if (lifecycle == null) {
            lifecycle = new Lifecycle(config, sysfs, assigner, () -> backend().stubDriver(), events, hotplug, net);
        }
        return lifecycle;
    }

    /** A profile reader for one profile or check: ethtool only on the real /sys (netdevs of this namespace). */
    private ProfileReader profileReader() {
        boolean realSys = realSys();
        java.util.function.Supplier<Ethtool> ethtool = realSys ? () -> JnaEthtool.INSTANCE : () -> {
            throw new org.sriov4j.SriovException("ETHTOOL_GDRVINFO", null, org.sriov4j.Errno.EOPNOTSUPP, null,
                    "not on the real /sys: the netdevs of this tree are not this process's", null);
        };
        return new ProfileReader(sysfs, scanner, plugins, ethtool, this::optionalBackendId, this::iommuInterface,
                ProfileReader.netReader(net, netlinkDescribesTree() && netConfigWorks()));
    }

    private boolean realSys() {
        return sysfs instanceof org.sriov4j.spi.NioSysfsAccess n
                && n.root().toAbsolutePath().normalize().equals(java.nio.file.Path.of("/sys"));
    }

    /**
     * Whether the routing netlink describes the sysfs tree read: the kernel's netlink and the real {@code /sys}, or
     * a netlink given with the tree (a simulated kernel's). The kernel's netlink says nothing about a captured tree.
     */
    private boolean netlinkDescribesTree() {
        return realSys() || !(netlink instanceof org.sriov4j.spi.netlink.SocketRtNetlink);
    }

    private Optional<String> optionalBackendId() {
        try {
            return Optional.of(backendId());
        } catch (org.sriov4j.EngineUnavailableException e) {
            return Optional.empty();
        }
    }

    private Set<BackendFeature> optionalFeatures() {
        try {
            return backendFeatures();
        } catch (org.sriov4j.EngineUnavailableException e) {
            return Set.of();
        }
    }

    private Optional<String> iommuInterface() {
        if (optionalBackendId().isEmpty()) {
            return Optional.empty();
        }
        if (!optionalFeatures().contains(BackendFeature.USER_SPACE_DMA_MAPPING)) {
            return Optional.of(org.sriov4j.migration.DeviceProfile.IOMMU_HYPERVISOR);
        }
        return Optional.of(devices.exists("iommu") && devices.exists("vfio/devices")
                ? org.sriov4j.migration.DeviceProfile.IOMMU_IOMMUFD : org.sriov4j.migration.DeviceProfile.IOMMU_TYPE1);
    }

    private DestinationChecker destinationChecker() {
        return new DestinationChecker(scanner, plugins, this::profileReader, this::assignments,
                this::optionalBackendId, this::optionalFeatures,
                DestinationChecker.netCheck(net, netlinkDescribesTree()));
    }

    @Override
    public org.sriov4j.migration.DeviceProfile profile(PciAddress vf) {
        return profileReader().read(vf);
    }

    @Override
    public org.sriov4j.migration.DestinationReport checkDestination(org.sriov4j.migration.DeviceProfile profile,
            org.sriov4j.migration.DestinationOptions options) {
        return destinationChecker().check(profile, options);
    }

    @Override
    public org.sriov4j.CompatibilityVerdict vfDriverCompatibility(PciAddress vf,
            org.sriov4j.GuestVfDriver guestDriver) {
        return destinationChecker().compatibility(vf, guestDriver);
    }

    @Override
    public SriovConfig config() {
        return config;
    }

    @Override
    public Topology topology(ScanScope scope) {
        return scanner.scan(scope);
    }

    @Override
    public Topology topologyOf(PciAddress function) {
        return scanner.around(java.util.Objects.requireNonNull(function, "function"));
    }

    @Override
    public PhysicalFunction enableVfs(PciAddress pf, int count, VfEnableOptions options) {
        return lifecycle().withPfLocked(VfController.ENABLE, pf, () -> announce(pf, () -> vfs.enable(pf, count, options)));
    }

    @Override
    public PhysicalFunction disableVfs(PciAddress pf) {
        return lifecycle().withPfLocked(VfController.DISABLE, pf,
                () -> announce(pf, () -> vfs.disable(pf, VfEnableOptions.DEFAULT_TIMEOUT)));
    }

    /** Runs a change of a PF's VFs and reports the VFs it removed and created. */
    private PhysicalFunction announce(PciAddress pf, Supplier<PhysicalFunction> change) {
        List<PciAddress> before = sysfs.exists(TopologyScanner.dev(pf) + "/sriov_numvfs")
                ? lifecycle().vfsOf(pf) : List.of();
        PhysicalFunction after = change.get();
        if (!before.equals(after.vfs())) {
            for (int i = 0; i < before.size(); i++) {
                events.emit(new SriovEvent.VfRemoved(before.get(i), pf, i));
            }
            for (int i = 0; i < after.vfs().size(); i++) {
                events.emit(new SriovEvent.VfCreated(after.vfs().get(i), pf, i));
            }
        }
        return after;
    }

    @Override
    public List<Assignment> assignments() {
        return lifecycle().assignments();
    }

    @Override
    public Subscription subscribe(Consumer<? super SriovEvent> listener) {
        return events.subscribe(listener);
    }

    @Override
    public PciFunction detach(PciAddress function) {
        return lifecycle().detach(function);
    }

    @Override
    public PciFunction reattach(PciAddress function) {
        return lifecycle().reattach(function);
    }

    @Override
    public List<org.sriov4j.FunctionOutcome> detachAll(List<PciAddress> functions) {
        return lifecycle().detachAll(functions);
    }

    @Override
    public List<org.sriov4j.FunctionOutcome> reattachAll(List<PciAddress> functions) {
        return lifecycle().reattachAll(functions);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The engine's pool leases without scanning the host: it remembers which VFs the selectors' PFs have and
     * checks each PF's {@code sriov_numvfs} before it relies on what it remembers ({@link EnginePool}).
     */
    @Override
    public VfPool pool(VfSelector... selectors) {
        return new EnginePool(this, sysfs, scanner, List.of(selectors));
    }

    @Override
    public Lease lease(PciAddress function, String guest, org.sriov4j.LeaseOptions options) {
        java.util.Objects.requireNonNull(function, "function");
        java.util.Objects.requireNonNull(guest, "guest");
        java.util.Objects.requireNonNull(options, "options");
        LedgerEntry.checkGuest(guest); // before a verdict names it in an event
        Optional<org.sriov4j.CompatibilityVerdict> verdict = options.guestVfDriver()
                .map(g -> LeaseCompatibility.judge(destinationChecker(), events, function, guest, g,
                        options.strictCompatibility()));
        Lease taken = track(lifecycle().lease(function, guest, options.holder(), options.net().orElse(null)),
                options.holder());
        return verdict.isEmpty() ? taken : new LeaseCompatibility.JudgedLease(taken, verdict.get());
    }

    @Override
    public VfNetConfig vfNetConfig(PciAddress vf) {
        return net.read(vf).config();
    }

    @Override
    public java.util.Map<PciAddress, VfNetConfig> vfNetConfigs(PciAddress pf) {
        return java.util.Collections.unmodifiableMap(net.readAll(pf));
    }

    @Override
    public VfStats vfStats(PciAddress vf) {
        return net.stats(vf);
    }

    @Override
    public VfNetConfig configureVf(PciAddress vf, VfNetConfig changes) {
        java.util.Objects.requireNonNull(changes, "changes");
        return lifecycle().configureVf(vf, changes);
    }

    @Override
    public Optional<VfNetConfig> savedVfNetConfig(PciAddress vf) {
        return lifecycle().savedNet(vf);
    }

    /** Keeps a taker lease in this host's list of open leases; other kinds outlive this host object. */
    private Lease track(Lease taken, LeaseHolder holder) {
        if (holder.kind() != LeaseHolder.Kind.TAKER) {
            return taken; // outlives this host object: close() leaves it alone
        }
        Lease lease = new TrackedLease(taken);
        synchronized (leases) {
            leases.add(lease);
        }
        return lease;
    }

    @Override
    public List<Lease> adopt(String guest) {
        return lifecycle().adopt(guest);
    }

    @Override
    public RecoveryReport recover(PciAddress function) {
        return lifecycle().recover(function);
    }

    @Override
    public List<LedgerProblem> ledgerProblems() {
        return lifecycle().ledgerProblems();
    }

    /** A lease that leaves this host's list of open leases when it is closed. */
    private final class TrackedLease extends ForwardingLease {
        private volatile @Nullable Runnable deviceRequest;

        TrackedLease(Lease lease) {
            super(lease);
        }

        /** Kept here: this host asks its own user before an unbind ({@link #requestFromSelf}). */
        @Override
        public AutoCloseable onDeviceRequest(Runnable release) {
            java.util.Objects.requireNonNull(release, "release");
            deviceRequest = release;
            return () -> {
                if (deviceRequest == release) {
                    deviceRequest = null;
                }
            };
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                synchronized (leases) {
                    leases.remove(this);
                }
            }
        }
    }

    @Override
    public List<org.sriov4j.VfioHolder> vfioHolders(PciAddress function) {
        java.util.Objects.requireNonNull(function, "function");
        if (!holders.onVfioPci(function)) {
            return List.of();
        }
        VfioHolders.Finding f = holders.find(function);
        if (f.open() && f.holders().isEmpty()) {
            throw new org.sriov4j.DeviceInUseException("find VFIO holders", function, List.of(), f.note());
        }
        return f.holders();
    }

    @Override
    public RecoveryReport recover() {
        return lifecycle().recover();
    }

    SysfsAccess sysfs() {
        return sysfs;
    }

    /**
     * Asks this process's own user of {@code f}'s VFIO device to close it ({@link Lease#onDeviceRequest}), before an
     * unbind that {@link SriovConfig#holderWait()} lets wait.
     */
    private void requestFromSelf(PciAddress f) {
        List<TrackedLease> open;
        synchronized (leases) {
            open = leases.stream().filter(l -> l instanceof TrackedLease t && l.device().equals(f))
                    .map(l -> (TrackedLease) l).toList();
        }
        for (TrackedLease l : open) {
            Runnable r = l.deviceRequest;
            if (r != null) {
                r.run();
            }
        }
    }

    DeviceNodeAccess devices() {
        return devices;
    }

    @Override
    public void close() {
        List<Lease> open;
        synchronized (leases) {
            open = new ArrayList<>(leases);
            leases.clear();
        }
        RuntimeException first = null;
        for (Lease l : open) {
            try {
                l.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        vfs.close();
        try {
            netlink.close();
        } catch (RuntimeException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
