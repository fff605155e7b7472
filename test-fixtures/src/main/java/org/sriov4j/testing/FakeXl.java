package org.sriov4j.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.spi.SysfsAccess;

/**
 * Xen 4.17's toolstack in a simulated control domain, as {@link HostCommands}: {@code xl} ({@code info},
 * {@code domid}, {@code pci-attach}, {@code pci-detach}, {@code pci-list}, {@code pci-assignable-add},
 * {@code -remove [-r]}, {@code -list}), {@code xenstore-read/-write/-rm}, and {@code /proc/xen/capabilities}
 * ({@code control_d}); {@code xl list [DOMAIN]} too. It acts on the simulated kernel's sysfs as libxl does
 * (docs/xen.md): assignable-add records
 * the original driver at {@code /libxl/pci/DDDD-BB-DD-F/driver_path}, unbinds, adds a pciback slot and binds;
 * assignable-remove {@code -r} rebinds to the recorded driver (and warns, without rebinding, when there is none).
 * Errors are libxl's lines on stderr with exit status 1: an unknown domain ({@code is an invalid domain
 * identifier}), a domain created without {@code passthrough="enabled"} ({@code xc_assign_device failed: Operation
 * not supported}), no IOMMU ({@code failed to quarantine}), a device that is not assignable or attached elsewhere
 * ({@code is not assignable}), a device not attached ({@code PCI device not attached to this domain}). Xen's
 * quarantine is modelled: assignable-add (also of a device already on pciback) and pci-detach put a device in
 * it, pci-attach takes it out, and assignable-remove fails with {@code failed to de-quarantine} (changing nothing)
 * for a device that is not in it, as libxl 4.17 does.
 *
 * <pre>{@code
 * SimulatedKernel kernel = SimulatedKernel.xenDom0Host();
 * kernel.fakeXl().createDomain("guest1", true);   // passthrough="enabled"
 * try (SriovHost host = kernel.openHost()) { ... }  // selects xen-pciback
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class FakeXl implements HostCommands {

    private static final String PCIBACK = "bus/pci/drivers/pciback/";

    /** A running domain. */
    private static final class Domain {
        final int domid;
        final String name;
        final boolean passthrough;
        final List<PciAddress> devices = new ArrayList<>();

        Domain(int domid, String name, boolean passthrough) {
            this.domid = domid;
            this.name = name;
            this.passthrough = passthrough;
        }
    }

    private final SysfsAccess sysfs;
    private final Map<String, Domain> domains = new LinkedHashMap<>();
    private final TreeMap<String, String> xenstore = new TreeMap<>();
    private final List<List<String>> calls = new ArrayList<>();
    /** Devices Xen has assigned to dom_io (quarantine). */
    private final java.util.Set<PciAddress> quarantined = new java.util.TreeSet<>();
    private boolean iommu = true;
    private int nextDomid = 1;

    /**
     * A toolstack acting on {@code sysfs}, with Domain-0 and an IOMMU.
     *
     * @param sysfs the control domain's sysfs (a simulated kernel)
     */
    public FakeXl(SysfsAccess sysfs) {
        this.sysfs = Objects.requireNonNull(sysfs, "sysfs");
        domains.put("Domain-0", new Domain(0, "Domain-0", false));
    }

    /**
     * Creates a running domain, as {@code xl create} does.
     *
     * @param name its name
     * @param passthrough whether it was created with {@code passthrough="enabled"}
     * @return its domid
     * @throws IllegalArgumentException if a domain of that name exists
     */
    public synchronized int createDomain(String name, boolean passthrough) {
        if (domains.containsKey(name)) {
            throw new IllegalArgumentException("domain " + name + " exists");
        }
        Domain d = new Domain(nextDomid++, name, passthrough);
        domains.put(name, d);
        return d.domid;
    }

    /**
     * Destroys a domain ({@code xl destroy}): its devices stay on pciback, assigned to nobody.
     *
     * @param name its name
     */
    public synchronized void destroyDomain(String name) {
        domains.remove(name);
    }

    /**
     * The devices attached to a domain.
     *
     * @param name its name
     * @return the devices, empty if the domain does not exist
     */
    public synchronized List<PciAddress> attached(String name) {
        Domain d = domains.get(name);
        return d == null ? List.of() : List.copyOf(d.devices);
    }

    /**
     * Whether Xen has an IOMMU ({@code pv_directio} in {@code xl info}'s virt_caps). Default: true.
     *
     * @param enabled whether it has one
     * @return this
     */
    public synchronized FakeXl iommu(boolean enabled) {
        this.iommu = enabled;
        return this;
    }

    /**
     * A copy of xenstore.
     *
     * @return path to value
     */
    public synchronized Map<String, String> xenstore() {
        return new TreeMap<>(xenstore);
    }

    /**
     * Every command run so far, as argument vectors.
     *
     * @return the calls
     */
    public synchronized List<List<String>> calls() {
        return List.copyOf(calls);
    }

    @Override
    public Optional<String> readFile(String absolutePath) {
        return absolutePath.equals("/proc/xen/capabilities") ? Optional.of("control_d\n") : Optional.empty();
    }

    @Override
    public synchronized Result run(List<String> argv, Duration timeout) {
        calls.add(List.copyOf(argv));
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argument vector");
        }
        List<String> a = argv.subList(1, argv.size());
        switch (argv.get(0)) {
            case "xl":
                return xl(a);
            case "xenstore-read":
                if (a.size() != 1) {
                    return usage("xenstore-read");
                }
                String v = xenstore.get(a.get(0));
                return v == null ? fail("xenstore-read: couldn't read path " + a.get(0)) : ok(v + "\n");
            case "xenstore-write":
                if (a.size() != 2) {
                    return usage("xenstore-write");
                }
                xenstore.put(a.get(0), a.get(1));
                return ok("");
            case "xenstore-rm":
                if (a.size() != 1) {
                    return usage("xenstore-rm");
                }
                String p = a.get(0);
                xenstore.keySet().removeIf(k -> k.equals(p) || k.startsWith(p + "/"));
                return ok("");
            default:
                return new Result(127, "", argv.get(0) + ": command not found\n");
        }
    }

    private static Result ok(String out) {
        return new Result(0, out, "");
    }

    private static Result fail(String err) {
        return new Result(1, "", err + "\n");
    }

    private static Result usage(String cmd) {
        return new Result(2, "", "Usage: " + cmd + " ...\n");
    }

    private Result xl(List<String> a) {
        if (a.isEmpty()) {
            return usage("xl");
        }
        List<String> args = a.subList(1, a.size());
        switch (a.get(0)) {
            case "info":
                return ok("host                   : dom0\nrelease                : 6.12.0\nxen_version            : 4.17.5\n"
                        + "virt_caps              : pv hvm" + (iommu ? " hvm_directio pv_directio iommu_hap_pt_share"
                        : "") + "\nxen_commandline        : console=com1 dom0_mem=1024M spec-ctrl=eager-fpu\n");
            case "domid": {
                if (args.size() != 1) {
                    return usage("xl domid");
                }
                Domain d = domain(args.get(0));
                return d == null ? fail("Can't get domid of domain name '" + args.get(0)
                        + "', maybe this domain does not exist.") : ok(d.domid + "\n");
            }
            case "list": {
                if (args.size() > 1) {
                    return usage("xl list");
                }
                StringBuilder b = new StringBuilder("Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
                for (Domain d : domains.values()) {
                    if (args.isEmpty() || d == domain(args.get(0))) {
                        b.append(String.format("%-40s %5d   256     1     -b----       1.0%n", d.name, d.domid));
                    }
                }
                return args.isEmpty() || domain(args.get(0)) != null ? ok(b.toString()) : invalidDomain(args.get(0));
            }
            case "pci-attach":
                return pciAttach(args);
            case "pci-detach":
                return pciDetach(args);
            case "pci-list": {
                if (args.size() != 1) {
                    return usage("xl pci-list");
                }
                Domain d = domain(args.get(0));
                if (d == null) {
                    return invalidDomain(args.get(0));
                }
                if (d.devices.isEmpty()) {
                    return ok("");
                }
                StringBuilder b = new StringBuilder("Vdev Device\n");
                for (int i = 0; i < d.devices.size(); i++) {
                    b.append(String.format("%02x.0 %s%n", i, d.devices.get(i)));
                }
                return ok(b.toString());
            }
            case "pci-assignable-list": {
                StringBuilder b = new StringBuilder();
                for (PciAddress f : onPciback()) {
                    if (holder(f) == null) {
                        b.append(f).append('\n');
                    }
                }
                return ok(b.toString());
            }
            case "pci-assignable-add":
                return assignableAdd(args);
            case "pci-assignable-remove":
                return assignableRemove(args);
            default:
                return fail("xl: command not implemented by FakeXl: " + a.get(0));
        }
    }

    private @Nullable Domain domain(String nameOrId) {
        for (Domain d : domains.values()) {
            if (d.name.equals(nameOrId) || String.valueOf(d.domid).equals(nameOrId)) {
                return d;
            }
        }
        return null;
    }

    private static Result invalidDomain(String name) {
        return fail(name + " is an invalid domain identifier (rc=-6)");
    }

    private @Nullable Domain holder(PciAddress f) {
        for (Domain d : domains.values()) {
            if (d.devices.contains(f)) {
                return d;
            }
        }
        return null;
    }

    private List<PciAddress> onPciback() {
        List<PciAddress> list = new ArrayList<>();
        if (!sysfs.exists(PCIBACK)) {
            return list;
        }
        for (String e : sysfs.list("bus/pci/drivers/pciback")) {
            try {
                list.add(PciAddress.parse(e));
            } catch (PciAddressFormatException ex) {
                // an attribute
            }
        }
        return list;
    }

    private static @Nullable PciAddress bdf(String s) {
        try {
            return PciAddress.parse(s);
        } catch (PciAddressFormatException e) {
            return null;
        }
    }

    private static String shortBdf(PciAddress f) {
        return String.format("%x:%x:%x.%x", f.domain(), f.bus(), f.device(), f.function());
    }

    private Result pciAttach(List<String> args) {
        if (args.size() != 2) {
            return usage("xl pci-attach");
        }
        Domain d = domain(args.get(0));
        if (d == null) {
            return invalidDomain(args.get(0));
        }
        String[] spec = args.get(1).split(",");
        PciAddress f = bdf(spec[0]);
        if (f == null) {
            return fail("xl: Invalid pci specification: " + args.get(1));
        }
        if (!onPciback().contains(f) || holder(f) != null) {
            return fail("libxl: error: libxl_pci.c:1688:libxl__device_pci_add: Domain " + d.domid + ":PCI device "
                    + shortBdf(f) + " is not assignable");
        }
        if (!d.passthrough || !iommu) {
            return fail("libxl: error: libxl_pci.c:1497:do_pci_add: Domain " + d.domid
                    + ":xc_assign_device failed: Operation not supported");
        }
        for (int i = 1; i < spec.length; i++) {
            if (spec[i].equals("permissive=1")) {
                sysfs.write(PCIBACK + "permissive", f.toString());
            }
        }
        quarantined.remove(f);
        d.devices.add(f);
        return ok("");
    }

    private Result pciDetach(List<String> args) {
        if (args.size() != 2) {
            return usage("xl pci-detach");
        }
        Domain d = domain(args.get(0));
        if (d == null) {
            return invalidDomain(args.get(0));
        }
        PciAddress f = bdf(args.get(1));
        if (f == null || !d.devices.remove(f)) {
            return fail("libxl: error: libxl_pci.c:2079:libxl__device_pci_remove: Domain " + d.domid
                    + ":PCI device not attached to this domain");
        }
        quarantined.add(f); // Xen 4.17 quarantines devices taken from a domU (iommu=quarantine is the default)
        return ok("");
    }

    private static String recordDir(PciAddress f) {
        return String.format("/libxl/pci/%04x-%02x-%02x-%x", f.domain(), f.bus(), f.device(), f.function());
    }

    private Result assignableAdd(List<String> args) {
        if (args.size() != 1) {
            return usage("xl pci-assignable-add");
        }
        PciAddress f = bdf(args.get(0));
        if (f == null || !sysfs.exists("bus/pci/devices/" + f)) {
            return fail("libxl: error: libxl_pci.c:760:libxl__device_pci_assignable_add: " + args.get(0)
                    + " is not a PCI device");
        }
        String dev = "bus/pci/devices/" + f;
        Optional<String> driver = sysfs.linkName(dev + "/driver");
        if (driver.filter("pciback"::equals).isPresent()) {
            String warning = "libxl: warning: libxl_pci.c:794:libxl__device_pci_assignable_add: " + f
                    + " already assigned to pciback\n";
            return quarantine(f, warning);
        }
        try {
            if (driver.isPresent()) {
                xenstore.put(recordDir(f) + "/driver_path", "/sys/bus/pci/drivers/" + driver.get());
                sysfs.write("bus/pci/drivers/" + driver.get() + "/unbind", f.toString());
            }
            if (!sysfs.read(PCIBACK + "slots").contains(f.toString())) {
                sysfs.write(PCIBACK + "new_slot", f.toString());
            }
            sysfs.write(PCIBACK + "bind", f.toString());
        } catch (SysfsIoException e) {
            return fail("libxl: error: libxl_pci.c:720:sysfs_write_bdf: write to " + e.path().orElse("?")
                    + " returned " + e.getMessage());
        }
        return quarantine(f, "");
    }

    private Result quarantine(PciAddress f, String warnings) {
        if (holder(f) != null) {
            return new Result(0, "", warnings);
        }
        if (!iommu) {
            return new Result(1, "", warnings + "libxl: error: libxl_pci.c:832:libxl__device_pci_assignable_add: "
                    + "failed to quarantine " + f + "\n");
        }
        quarantined.add(f);
        return new Result(0, "", warnings);
    }

    /**
     * Whether Xen holds a device in quarantine (assigned to dom_io): after {@code xl pci-assignable-add} and after
     * {@code xl pci-detach}; {@code xl pci-assignable-remove} fails ({@code failed to de-quarantine}) without
     * changing anything for a device that is not.
     *
     * @param f the device
     * @return true if quarantined
     */
    public synchronized boolean quarantined(PciAddress f) {
        return quarantined.contains(f);
    }

    private Result assignableRemove(List<String> args) {
        boolean rebind = !args.isEmpty() && args.get(0).equals("-r");
        List<String> rest = rebind ? args.subList(1, args.size()) : args;
        if (rest.size() != 1) {
            return usage("xl pci-assignable-remove");
        }
        PciAddress f = bdf(rest.get(0));
        if (f == null || !onPciback().contains(f)) {
            return fail("libxl: error: libxl_pci.c:891:libxl__device_pci_assignable_remove: " + rest.get(0)
                    + " not assigned to pciback");
        }
        Domain d = holder(f);
        if (d != null) {
            return fail("libxl: error: libxl_pci.c:880:libxl__device_pci_assignable_remove: " + f
                    + " is assigned to domain " + d.domid);
        }
        if (!quarantined.remove(f)) {
            return fail("libxl: error: libxl_pci.c:853:libxl__device_pci_assignable_remove: failed to de-quarantine "
                    + f);
        }
        StringBuilder warn = new StringBuilder();
        sysfs.write(PCIBACK + "unbind", f.toString());
        if (sysfs.read(PCIBACK + "slots").contains(f.toString())) {
            sysfs.write(PCIBACK + "remove_slot", f.toString());
        }
        if (rebind) {
            String path = xenstore.get(recordDir(f) + "/driver_path");
            if (path == null) {
                warn.append("libxl: warning: libxl_pci.c:913:libxl__device_pci_assignable_remove: Couldn't find "
                        + "path for original driver; not rebinding\n");
            } else {
                String drv = path.substring(path.lastIndexOf('/') + 1);
                try {
                    sysfs.write("bus/pci/drivers/" + drv + "/bind", f.toString());
                } catch (SysfsIoException e) {
                    warn.append("libxl: error: libxl_pci.c:920:libxl__device_pci_assignable_remove: Couldn't bind "
                            + "device to " + path + "\n");
                }
            }
        }
        String dir = recordDir(f);
        xenstore.keySet().removeIf(k -> k.equals(dir) || k.startsWith(dir + "/"));
        return new Result(0, "", warn.toString());
    }
}
