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
        this.commands = commands;
        this.config = config;
        this.sysfs = sysfs;
        this.devices = devices;
        this.scanner = new TopologyScanner(sysfs);
        this.plugins = VendorPlugins.load();
        this.vfs = new VfController(sysfs, scanner, plugins);
        this.providers = List.copyOf(providers);
        this.assigner = new Assigner(config, sysfs, scanner, () -> backend().stubDriver(), this::steps);
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

    @Override
    public Set<BackendFeature> backendFeatures() {
        return Set.copyOf(backend().features());
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
            lifecycle = new Lifecycle(config, sysfs, assigner, () -> backend().stubDriver(), events);
        }
        return lifecycle;
    }

    /** A profile reader for one profile or check: ethtool only on the real /sys (netdevs of this namespace). */
    private ProfileReader profileReader() {
        boolean realSys = sysfs instanceof org.sriov4j.spi.NioSysfsAccess n
                && n.root().toAbsolutePath().normalize().equals(java.nio.file.Path.of("/sys"));
        java.util.function.Supplier<Ethtool> ethtool = realSys ? () -> JnaEthtool.INSTANCE : () -> {
            throw new org.sriov4j.SriovException("ETHTOOL_GDRVINFO", null, org.sriov4j.Errno.EOPNOTSUPP, null,
                    "not on the real /sys: the netdevs of this tree are not this process's", null);
        };
        return new ProfileReader(sysfs, scanner, plugins, ethtool, this::optionalBackendId, this::iommuInterface);
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
                this::optionalBackendId, this::optionalFeatures);
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
    public org.sriov4j.migration.CompatibilityVerdict vfDriverCompatibility(PciAddress vf,
            org.sriov4j.migration.GuestVfDriver guestDriver) {
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
    public Lease lease(PciAddress function, String guest) {
        Lease lease = new TrackedLease(lifecycle().lease(function, guest));
        synchronized (leases) {
            leases.add(lease);
        }
        return lease;
    }

    /** A lease that leaves this host's list of open leases when it is closed. */
    private final class TrackedLease implements Lease {
        private final Lease lease;

        TrackedLease(Lease lease) {
            this.lease = lease;
        }

        @Override
        public PciAddress device() {
            return lease.device();
        }

        @Override
        public String guest() {
            return lease.guest();
        }

        @Override
        public boolean managed() {
            return lease.managed();
        }

        @Override
        public boolean isHeld() {
            return lease.isHeld();
        }

        @Override
        public void attachToGuest(String domain) {
            lease.attachToGuest(domain);
        }

        @Override
        public void detachFromGuest() {
            lease.detachFromGuest();
        }

        @Override
        public Optional<String> attachedTo() {
            return lease.attachedTo();
        }

        @Override
        public void close() {
            try {
                lease.close();
            } finally {
                synchronized (leases) {
                    leases.remove(this);
                }
            }
        }

        @Override
        public String toString() {
            return lease.toString();
        }
    }

    @Override
    public RecoveryReport recover() {
        return lifecycle().recover();
    }

    SysfsAccess sysfs() {
        return sysfs;
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
        if (first != null) {
            throw first;
        }
    }
}
