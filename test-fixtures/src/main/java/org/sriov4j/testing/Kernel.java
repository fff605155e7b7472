package org.sriov4j.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;

/**
 * The simulated kernel's state and the semantics of every write, modelled on Linux 6.12 (drivers/base/bus.c, dd.c,
 * drivers/pci/pci-driver.c, pci-sysfs.c, iov.c, vfio, xen-pciback). Not thread-safe: {@link SimulatedKernel} calls
 * it under its lock.
 */
final class Kernel {

    /** A netdev: name, interface index, MAC and whether the MAC is random ({@code addr_assign_type} 1). */
    record Netdev(String name, int ifindex, String mac, boolean randomMac) {
    }

    /** A function the host has (present or hot-removed), as declared to the builder. VFs are not among them. */
    record BootFunction(PciAddress address, FunctionSpec function, @Nullable PfSpec pf, int groupKey, String path,
            @Nullable String permanentMac) {
    }

    /** An IOMMU group. */
    static final class Group {
        final int number;
        final TreeMap<PciAddress, Device> members = new TreeMap<>();

        Group(int number) {
            this.number = number;
        }
    }

    /** A loaded driver. */
    static final class Driver {
        final DriverSpec spec;
        final List<IdMatch> dynids = new ArrayList<>();
        final List<PciAddress> slots = new ArrayList<>();
        /** pciback: the devices in permissive mode. */
        final List<PciAddress> permissive = new ArrayList<>();

        Driver(DriverSpec spec) {
            this.spec = spec;
        }

        String name() {
            return spec.name();
        }
    }

    /** A present PCI function. */
    static final class Device {
        final PciAddress address;
        final String name;
        final String path;
        final FunctionSpec spec;
        final @Nullable PfSpec pfSpec;
        final @Nullable Device physfn;
        final int vfIndex;
        final int groupKey;
        final @Nullable String permanentMac;
        int numaNode;
        @Nullable String driver;
        @Nullable String override;
        @Nullable Group group;
        @Nullable Netdev netdev;
        int vfioIndex = -1;
        /** Open VFIO device descriptors of simulated processes (vfio_device open_count). */
        int vfioOpen;
        /** {@code pci_enable_device} calls not undone by user space through the {@code enable} attribute. */
        int userEnabled;
        String resetMethods;
        boolean autoprobe = true;
        final List<Device> vfs = new ArrayList<>();

        Device(PciAddress address, String path, FunctionSpec spec, @Nullable PfSpec pfSpec, @Nullable Device physfn,
                int vfIndex, int groupKey, @Nullable String permanentMac) {
            this.address = address;
            this.name = address.toString();
            this.path = path;
            this.spec = spec;
            this.pfSpec = pfSpec;
            this.physfn = physfn;
            this.vfIndex = vfIndex;
            this.groupKey = groupKey;
            this.permanentMac = permanentMac;
            this.numaNode = spec.numaNode();
            this.resetMethods = spec.resetMethods();
        }

        boolean isPf() {
            return pfSpec != null;
        }

        boolean isVf() {
            return physfn != null;
        }

        PfSpec pf() {
            return Objects.requireNonNull(pfSpec, "not a PF");
        }

        String parentPath() {
            return path.substring(0, path.lastIndexOf('/'));
        }
    }

    final boolean iommu;
    final boolean vfioCdev;
    final Map<String, DriverSpec> available = new LinkedHashMap<>();
    final LinkedHashMap<String, Driver> loaded = new LinkedHashMap<>();
    final TreeMap<PciAddress, Device> devices = new TreeMap<>();
    final TreeMap<PciAddress, BootFunction> boot = new TreeMap<>();
    final TreeMap<Integer, Group> groups = new TreeMap<>();
    final TreeMap<String, Device> netdevs = new TreeMap<>(Comparator.comparingInt(Kernel::ethNumber)
            .thenComparing(Comparator.naturalOrder()));
    final Set<Integer> onlineNodes = new TreeSet<>();
    boolean busDriversAutoprobe = true;
    /** Interface indexes of the netdevs that are up ({@link SimulatedNetlink#setLinkUp}). */
    final Set<Integer> netdevsUp = new TreeSet<>();
    /** {@code /sys/hypervisor/type}, or null when there is no {@code hypervisor} directory. */
    @Nullable String hypervisorType;
    private int nextIfindex = 2;
    private final Random random = new Random(0x5a10f4L);

    Kernel(boolean iommu, boolean vfioCdev) {
        this.iommu = iommu;
        this.vfioCdev = vfioCdev;
        onlineNodes.add(0);
    }

    private static int ethNumber(String name) {
        if (name.startsWith("eth")) {
            try {
                return Integer.parseInt(name.substring(3));
            } catch (NumberFormatException e) {
                return Integer.MAX_VALUE;
            }
        }
        return Integer.MAX_VALUE;
    }

    // ---------------------------------------------------------------- lookups

    /** The device a BDF written to {@code bind}, {@code unbind} or {@code drivers_probe} names (sysfs_streq). */
    @Nullable Device byWrittenName(String written) {
        String s = KernelText.cString(written);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!PciAddress.isValid(s)) {
            return null;
        }
        PciAddress a = PciAddress.parse(s);
        return a.toString().equals(s) ? devices.get(a) : null;
    }

    Device require(PciAddress address) {
        Device d = devices.get(address);
        if (d == null) {
            throw new IllegalArgumentException("no PCI function " + address + " on this simulated host; present: "
                    + devices.keySet());
        }
        return d;
    }

    Driver loadedDriver(String name) {
        Driver d = loaded.get(name);
        if (d == null) {
            throw new IllegalStateException("driver " + name + " is bound but not loaded");
        }
        return d;
    }

    boolean vfioLoaded() {
        for (Driver d : loaded.values()) {
            if (d.spec.role() == DriverSpec.Role.VFIO) {
                return true;
            }
        }
        return false;
    }

    /** The groups that have {@code /dev/vfio/N}: at least one member bound to a VFIO driver. */
    List<Integer> vfioGroups() {
        List<Integer> out = new ArrayList<>();
        for (Group g : groups.values()) {
            for (Device d : g.members.values()) {
                if (d.driver != null && loadedDriver(d.driver).spec.role() == DriverSpec.Role.VFIO) {
                    out.add(g.number);
                    break;
                }
            }
        }
        return out;
    }

    int totalVfs(Device pf) {
        int hw = pf.pf().totalVfs();
        if (pf.driver != null) {
            OptionalInt limit = loadedDriver(pf.driver).spec.sriovVfLimit();
            if (limit.isPresent() && limit.getAsInt() <= hw) {
                return limit.getAsInt();
            }
        }
        return hw;
    }

    // ---------------------------------------------------------------- matching, probing, binding

    private static boolean matchOne(IdMatch m, Device d) {
        return m.matches(d.spec.id().vendor(), d.spec.id().device(), d.spec.subsystem().vendor(),
                d.spec.subsystem().device(), d.spec.classCode());
    }

    /** {@code pci_match_device}. */
    boolean matches(Driver drv, Device d) {
        if (d.override != null && !d.override.equals(drv.name())) {
            return false;
        }
        for (IdMatch m : drv.dynids) {
            if (matchOne(m, d)) {
                return true;
            }
        }
        for (IdMatch m : drv.spec.ids()) {
            if (matchOne(m, d)) {
                return true;
            }
        }
        return d.override != null;
    }

    /** {@code pci_device_probe} and the driver's probe: null when the driver accepts the device. */
    @Nullable KernelError probeError(Driver drv, Device d) {
        Device pf = d.physfn;
        if (pf != null && !pf.autoprobe && d.override == null) {
            return new KernelError(Errno.ENODEV, d.name + " cannot probe: sriov_drivers_autoprobe is 0 on its PF "
                    + pf.name + " and driver_override is unset");
        }
        switch (drv.spec.role()) {
            case VFIO:
                if (d.group == null) {
                    return new KernelError(Errno.EINVAL, drv.name() + ": " + d.name + " has no IOMMU group");
                }
                if (d.spec.isBridge()) {
                    return new KernelError(Errno.EINVAL, drv.name() + ": " + d.name + " is a bridge");
                }
                return null;
            case PCIBACK:
                if (!drv.slots.contains(d.address) && !drv.name().equals(d.override)) {
                    return new KernelError(Errno.ENODEV, drv.name() + ": " + d.name + " is not in its slots");
                }
                return null;
            default:
                return null;
        }
    }

    void bind(Device d, Driver drv) {
        d.driver = drv.name();
        if (drv.spec.createsNetdevs() && (d.spec.classCode() >> 16) == 0x02) {
            String name = "eth0";
            for (int n = 0; netdevs.containsKey(name); n++) {
                name = "eth" + (n + 1);
            }
            String mac = d.permanentMac != null ? d.permanentMac : randomMac();
            d.netdev = new Netdev(name, nextIfindex++, mac, d.permanentMac == null);
            netdevs.put(name, d);
        }
        if (drv.spec.role() == DriverSpec.Role.VFIO) {
            Set<Integer> used = new TreeSet<>();
            for (Device o : devices.values()) {
                used.add(o.vfioIndex);
            }
            int i = 0;
            while (used.contains(i)) {
                i++;
            }
            d.vfioIndex = i;
        }
    }

    private String randomMac() {
        byte[] b = new byte[6];
        random.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(String.format("%02x", b[i] & 0xff));
        }
        return s.toString();
    }

    /**
     * {@code enable_cnt}: host drivers enable the devices they drive; vfio-pci enables a device when its VFIO device
     * is first opened and disables it when the last descriptor is closed; pciback leaves it to the guest.
     */
    int enableCount(Device d) {
        int n = d.userEnabled;
        if (d.driver != null) {
            DriverSpec.Role role = loadedDriver(d.driver).spec.role();
            if (role == DriverSpec.Role.VFIO) {
                n += d.vfioOpen > 0 ? 1 : 0;
            } else if (role == DriverSpec.Role.HOST) {
                n += 1;
            }
        }
        return n;
    }

    /** {@code enable_store}: 1 enables once more; 0 disables when enabled, else EIO. */
    void writeEnable(Device d, String value) {
        long v = storeArgument(KernelText::kstrtoul, value);
        if (v != 0) {
            d.userEnabled++;
        } else if (d.userEnabled > 0) {
            d.userEnabled--;
        } else if (enableCount(d) == 0) {
            throw new KernelError(Errno.EIO, d.name + " is not enabled");
        }
    }

    /**
     * Fails the test when unbinding {@code d} would block: on Linux, vfio-pci's remove waits, uninterruptibly after
     * the first signal, until every descriptor of the VFIO device is closed (asking the holder through REQ every
     * 10 s); a simulated process never closes it on its own, so the write would never return.
     */
    void checkUnbindWouldNotBlock(Device d, String operation) {
        if (d.driver != null && d.vfioOpen > 0 && loadedDriver(d.driver).spec.role() == DriverSpec.Role.VFIO) {
            throw new VfioUnbindWouldBlockError(d.name, operation, d.vfioOpen);
        }
    }

    /** {@code device_release_driver}: the driver's remove, then the device is unbound. */
    void unbind(Device d) {
        String name = d.driver;
        if (name == null) {
            return;
        }
        checkUnbindWouldNotBlock(d, "unbind from " + name);
        Driver drv = loadedDriver(name);
        if (d.isPf() && !d.vfs.isEmpty() && drv.spec.configuresSriov()) {
            disableVfs(d);
        }
        if (d.netdev != null) {
            netdevs.remove(d.netdev.name());
            d.netdev = null;
        }
        d.vfioIndex = -1;
        d.driver = null;
    }

    /** {@code device_attach}: binds the first loaded driver that matches and accepts the device. */
    boolean attach(Device d) {
        if (d.driver != null) {
            return true;
        }
        for (Driver drv : List.copyOf(loaded.values())) {
            if (matches(drv, d) && probeError(drv, d) == null) {
                bind(d, drv);
                return true;
            }
        }
        return false;
    }

    /** {@code driver_attach}: binds every unbound device the driver matches and accepts. */
    void driverAttach(Driver drv) {
        for (Device d : List.copyOf(devices.values())) {
            if (devices.containsKey(d.address) && d.driver == null && matches(drv, d) && probeError(drv, d) == null) {
                bind(d, drv);
            }
        }
    }

    void loadDriver(DriverSpec spec) {
        if (loaded.containsKey(spec.name())) {
            return;
        }
        available.put(spec.name(), spec);
        Driver drv = new Driver(spec);
        loaded.put(spec.name(), drv);
        if (busDriversAutoprobe) {
            driverAttach(drv);
        }
    }

    void unloadDriver(String name) {
        Driver drv = loaded.get(name);
        if (drv == null) {
            return;
        }
        List<Device> bound = new ArrayList<>();
        for (Device d : devices.values()) {
            if (name.equals(d.driver)) {
                bound.add(d);
            }
        }
        for (int i = bound.size() - 1; i >= 0; i--) {
            Device d = bound.get(i);
            if (devices.get(d.address) == d) {
                unbind(d);
            }
        }
        loaded.remove(name);
    }

    // ---------------------------------------------------------------- IOMMU groups

    private Group newGroup() {
        int n = 0;
        while (groups.containsKey(n)) {
            n++;
        }
        Group g = new Group(n);
        groups.put(n, g);
        return g;
    }

    private void joinGroup(Device d, Group g) {
        d.group = g;
        g.members.put(d.address, d);
    }

    private void leaveGroup(Device d) {
        Group g = d.group;
        if (g != null) {
            g.members.remove(d.address);
            if (g.members.isEmpty()) {
                groups.remove(g.number);
            }
            d.group = null;
        }
    }

    // ---------------------------------------------------------------- devices

    /** Adds a declared function: at boot with its declared state, at rescan as a fresh device. */
    Device addBootFunction(BootFunction b, boolean atBoot) {
        Device d = new Device(b.address(), b.path(), b.function(), b.pf(), null, -1, b.groupKey(), b.permanentMac());
        if (atBoot) {
            d.override = b.function().driverOverride().orElse(null);
            PfSpec pf = b.pf();
            d.autoprobe = pf == null || pf.driversAutoprobe();
        }
        devices.put(d.address, d);
        if (iommu) {
            Group shared = null;
            for (Device o : devices.values()) {
                if (o != d && !o.isVf() && o.groupKey == d.groupKey && o.group != null) {
                    shared = o.group;
                    break;
                }
            }
            joinGroup(d, shared != null ? shared : newGroup());
        }
        return d;
    }

    PciAddress vfAddress(PciAddress pf, PfSpec spec, int index) {
        return pf.withRoutingId(pf.routingId() + spec.vfOffset() + spec.vfStride() * index);
    }

    /** {@code sriov_enable}: creates VFs one after the other, each probed as soon as it exists. */
    private void enableVfs(Device pf, int count) {
        PfSpec spec = pf.pf();
        for (int i = 0; i < count; i++) {
            PciAddress a = vfAddress(pf.address, spec, i);
            if (devices.containsKey(a)) {
                throw new IllegalStateException("VF " + i + " of " + pf.name + " would be at " + a
                        + ", where another function is");
            }
            FunctionSpec f = FunctionSpec.of(new PciId(pf.spec.id().vendor(), spec.vfDeviceId()), pf.spec.classCode())
                    .withSubsystem(pf.spec.subsystem()).withRevision(pf.spec.revision()).withNumaNode(pf.numaNode)
                    .withResetMethods("flr");
            Device vf = new Device(a, pf.parentPath() + "/" + a, f, null, pf, i, -1, null);
            devices.put(a, vf);
            pf.vfs.add(vf);
            if (iommu) {
                joinGroup(vf, newGroup());
            }
            attach(vf);
        }
    }

    /** {@code sriov_disable}: removes the VFs, last first, unbinding their drivers. */
    private void disableVfs(Device pf) {
        for (int i = pf.vfs.size() - 1; i >= 0; i--) {
            Device vf = pf.vfs.get(i);
            unbind(vf);
            leaveGroup(vf);
            devices.remove(vf.address);
        }
        pf.vfs.clear();
    }

    /** {@code pci_stop_and_remove_bus_device}: the device, everything below it, its VFs. */
    void removeDevice(Device d) {
        List<Device> below = new ArrayList<>();
        for (Device o : devices.values()) {
            if (!o.isVf() && o.path.startsWith(d.path + "/")) {
                below.add(o);
            }
        }
        below.sort(Comparator.comparingInt((Device o) -> o.path.length()).reversed());
        for (Device o : below) {
            if (devices.get(o.address) == o) {
                removeDevice(o);
            }
        }
        unbind(d);
        if (d.isPf() && !d.vfs.isEmpty()) {
            disableVfs(d);
        }
        leaveGroup(d);
        devices.remove(d.address);
    }

    /** {@code pci_rescan_bus} on every bus: declared functions that were removed come back fresh and are probed. */
    void rescan() {
        List<BootFunction> missing = new ArrayList<>();
        for (BootFunction b : boot.values()) {
            if (!devices.containsKey(b.address())) {
                missing.add(b);
            }
        }
        missing.sort(Comparator.comparingInt((BootFunction b) -> b.path().length())
                .thenComparing(BootFunction::address));
        for (BootFunction b : missing) {
            attach(addBootFunction(b, false));
        }
    }

    // ---------------------------------------------------------------- attribute writes

    /** {@code sriov_numvfs_store}. */
    void writeNumVfs(Device pf, String value) {
        int n = storeArgument(KernelText::kstrtou16, value);
        if (n > totalVfs(pf)) {
            throw new KernelError(Errno.ERANGE, n + " VFs requested, sriov_totalvfs is " + totalVfs(pf));
        }
        if (n == pf.vfs.size()) {
            return;
        }
        if (pf.driver == null) {
            throw new KernelError(Errno.ENOENT, "no driver bound to device; cannot configure SR-IOV");
        }
        Driver drv = loadedDriver(pf.driver);
        if (!drv.spec.configuresSriov()) {
            throw new KernelError(Errno.ENOENT, "driver " + drv.name()
                    + " does not support SR-IOV configuration via sysfs");
        }
        if (n == 0) {
            for (Device vf : pf.vfs) {
                checkUnbindWouldNotBlock(vf, "sriov_numvfs 0 on " + pf.name);
            }
            disableVfs(pf);
            return;
        }
        if (!pf.vfs.isEmpty()) {
            throw new KernelError(Errno.EBUSY, pf.vfs.size() + " VFs already enabled. Disable before enabling " + n
                    + " VFs");
        }
        enableVfs(pf, n);
    }

    /** Boot-time VF enabling, checked like a write. */
    void enableAtBoot(Device pf, int count) {
        if (count == 0) {
            return;
        }
        try {
            writeNumVfs(pf, Integer.toString(count));
        } catch (KernelError e) {
            throw new IllegalArgumentException("cannot enable " + count + " VFs on " + pf.name + " at boot: "
                    + e.errno() + " (" + e.detail() + ")", e);
        }
    }

    /** {@code driver_set_override}. */
    void writeOverride(Device d, String value) {
        if (value.length() >= 4095) {
            throw new KernelError(Errno.EINVAL, "driver_override longer than 4094 bytes");
        }
        String s = KernelText.cString(value);
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        d.override = s.isEmpty() ? null : s;
    }

    /** {@code drivers_probe_store}. */
    void driversProbe(String value) {
        Device d = byWrittenName(value);
        if (d == null) {
            throw new KernelError(Errno.ENODEV, "no PCI device named \"" + KernelText.escape(value) + "\"");
        }
        attach(d);
    }

    /** {@code bind_store}. */
    void driverBind(Driver drv, String value) {
        Device d = byWrittenName(value);
        if (d == null) {
            throw new KernelError(Errno.ENODEV, "no PCI device named \"" + KernelText.escape(value) + "\"");
        }
        if (!matches(drv, d)) {
            throw new KernelError(Errno.ENODEV, drv.name() + " does not match " + d.name
                    + (d.override != null ? " (driver_override is " + d.override + ")" : ""));
        }
        if (d.driver != null) {
            throw new KernelError(Errno.EBUSY, d.name + " is bound to " + d.driver);
        }
        KernelError e = probeError(drv, d);
        if (e != null) {
            throw e;
        }
        bind(d, drv);
    }

    /** {@code unbind_store}. */
    void driverUnbind(Driver drv, String value) {
        Device d = byWrittenName(value);
        if (d == null || !drv.name().equals(d.driver)) {
            throw new KernelError(Errno.ENODEV, "\"" + KernelText.escape(value) + "\" is not bound to " + drv.name());
        }
        unbind(d);
    }

    /** {@code new_id_store}. */
    void newId(Driver drv, String value) {
        List<Long> f = KernelText.scanHex(value, 7);
        if (f.size() < 2) {
            throw new KernelError(Errno.EINVAL, "new_id needs at least \"vendor device\" in hex");
        }
        long vendor = f.get(0);
        long device = f.get(1);
        long subvendor = f.size() > 2 ? f.get(2) : IdMatch.ANY;
        long subdevice = f.size() > 3 ? f.get(3) : IdMatch.ANY;
        int cls = f.size() > 4 ? (int) (long) f.get(4) : 0;
        int mask = f.size() > 5 ? (int) (long) f.get(5) : 0;
        long data = f.size() > 6 ? f.get(6) : 0;
        if (f.size() != 7) {
            List<IdMatch> all = new ArrayList<>(drv.dynids);
            all.addAll(drv.spec.ids());
            for (IdMatch m : all) {
                if (m.matches(vendor & 0xffff, device & 0xffff, subvendor & 0xffff, subdevice & 0xffff, cls)) {
                    throw new KernelError(Errno.EEXIST, drv.name() + " already matches "
                            + String.format("%04x:%04x", vendor & 0xffff, device & 0xffff));
                }
            }
        }
        if (data != 0) {
            throw new KernelError(Errno.EINVAL, "driver_data " + data + " matches no entry of the id table");
        }
        drv.dynids.add(new IdMatch(vendor, device, subvendor, subdevice, cls, mask));
        driverAttach(drv);
    }

    /** {@code remove_id_store}. */
    void removeId(Driver drv, String value) {
        List<Long> f = KernelText.scanHex(value, 6);
        if (f.size() < 2) {
            throw new KernelError(Errno.EINVAL, "remove_id needs at least \"vendor device\" in hex");
        }
        long subvendor = f.size() > 2 ? f.get(2) : IdMatch.ANY;
        long subdevice = f.size() > 3 ? f.get(3) : IdMatch.ANY;
        int cls = f.size() > 4 ? (int) (long) f.get(4) : 0;
        int mask = f.size() > 5 ? (int) (long) f.get(5) : 0;
        for (int i = 0; i < drv.dynids.size(); i++) {
            IdMatch id = drv.dynids.get(i);
            if (id.vendor() == f.get(0) && id.device() == f.get(1)
                    && (subvendor == IdMatch.ANY || id.subvendor() == subvendor)
                    && (subdevice == IdMatch.ANY || id.subdevice() == subdevice)
                    && ((id.classCode() ^ cls) & mask) == 0) {
                drv.dynids.remove(i);
                return;
            }
        }
        throw new KernelError(Errno.ENODEV, drv.name() + " has no dynamic id " + KernelText.escape(value.strip()));
    }

    private static final Pattern SLOT = Pattern.compile(
            "(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,8}):([0-9a-fA-F]{1,8})\\.([0-9a-fA-F]{1,8})");

    /** pciback's {@code str_to_slot} (without wildcards). */
    static PciAddress parseSlot(String value) {
        String s = KernelText.cString(value).strip();
        Matcher m = SLOT.matcher(s);
        if (!m.matches()) {
            throw new KernelError(Errno.EINVAL, "not a slot: \"" + KernelText.escape(value) + "\"");
        }
        long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
        long bus = Long.parseLong(m.group(2), 16);
        long slot = Long.parseLong(m.group(3), 16);
        long func = Long.parseLong(m.group(4), 16);
        if (domain > 0xffff || bus > 0xff || slot > 0x1f || func > 7) {
            throw new KernelError(Errno.EINVAL, "slot out of range: \"" + KernelText.escape(value) + "\"");
        }
        return new PciAddress((int) domain, (int) bus, (int) slot, (int) func);
    }

    void removeSlot(Driver drv, String value) {
        PciAddress a = parseSlot(value);
        if (!drv.slots.removeIf(a::equals)) {
            throw new KernelError(Errno.ENOENT, a + " is not in " + drv.name() + "'s slots");
        }
    }

    /** pciback's {@code permissive_add}: the device must be in the slots ({@code ENXIO} otherwise). */
    void permissive(Driver drv, String value) {
        PciAddress a = parseSlot(value);
        if (!drv.slots.contains(a)) {
            throw new KernelError(Errno.ENXIO, a + " is not in " + drv.name() + "'s slots");
        }
        if (!drv.permissive.contains(a)) {
            drv.permissive.add(a);
        }
    }

    /** {@code numa_node_store}. */
    void writeNumaNode(Device d, String value) {
        int node = storeArgument(KernelText::kstrtoint, value);
        if (node < -1 || node >= 1024 || (node != -1 && !onlineNodes.contains(node))) {
            throw new KernelError(Errno.EINVAL, "NUMA node " + node + " is not online (online: " + onlineNodes + ")");
        }
        d.numaNode = node;
    }

    /** {@code reset_method_store} (only the methods the function supports, or {@code default}, or empty). */
    void writeResetMethod(Device d, String value) {
        String s = KernelText.cString(value);
        if (KernelText.sysfsStreq(s, "")) {
            d.resetMethods = "";
            return;
        }
        if (KernelText.sysfsStreq(s, "default")) {
            d.resetMethods = d.spec.resetMethods();
            return;
        }
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        List<String> supported = List.of(d.spec.resetMethods().split(" "));
        List<String> chosen = new ArrayList<>();
        for (String t : s.split(" ")) {
            String m = t.strip();
            if (m.isEmpty()) {
                continue;
            }
            if (!supported.contains(m)) {
                throw new KernelError(Errno.EINVAL, "unsupported reset method '" + m + "'");
            }
            chosen.add(m);
        }
        d.resetMethods = String.join(" ", chosen);
    }

    /** {@code reset_store}. */
    void writeReset(Device d, String value) {
        if (storeArgument(KernelText::kstrtoul, value) != 1) {
            throw new KernelError(Errno.EINVAL, "reset takes 1");
        }
        if (d.resetMethods.isEmpty()) {
            throw new KernelError(Errno.ENOTTY, "all reset methods of " + d.name + " are disabled");
        }
    }

    /** {@code remove_store}. */
    void writeRemove(Device d, String value) {
        if (storeArgument(KernelText::kstrtoul, value) != 0) {
            removeDevice(d);
        }
    }

    /** {@code rescan_store} of the bus. */
    void writeRescan(String value) {
        if (storeArgument(KernelText::kstrtoul, value) != 0) {
            rescan();
        }
    }

    /** {@code sriov_vf_msix_count_store}: no simulated PF driver implements it. */
    void writeVfMsixCount(Device vf, String value) {
        if (storeArgument(KernelText::kstrtoint, value) < 0) {
            throw new KernelError(Errno.EINVAL, "negative MSI-X count");
        }
        throw new KernelError(Errno.EOPNOTSUPP, "the PF driver of " + vf.name
                + " does not implement sriov_set_msix_vec_count");
    }

    /**
     * The number a store parses from {@code value}; every parse error (ERANGE too) is {@code EINVAL}, as these
     * stores return it.
     */
    private static <N extends Number> N storeArgument(Function<String, N> parser, String value) {
        try {
            return parser.apply(value);
        } catch (KernelError e) {
            throw new KernelError(Errno.EINVAL, e.detail());
        }
    }

    private static final List<String> UEVENT_ACTIONS = List.of("add", "remove", "change", "move", "online",
            "offline", "bind", "unbind");

    /** {@code kobject_synth_uevent}: a known action, nothing else happens here. */
    static void writeUevent(String value) {
        String s = KernelText.cString(value);
        int end = 0;
        while (end < s.length() && s.charAt(end) != ' ' && s.charAt(end) != '\n') {
            end++;
        }
        if (!UEVENT_ACTIONS.contains(s.substring(0, end))) {
            throw new KernelError(Errno.EINVAL, "unknown uevent action \"" + KernelText.escape(s) + "\"");
        }
    }

    static boolean parseBool(String value) {
        return KernelText.kstrtobool(value);
    }
}
