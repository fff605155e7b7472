package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.sriov4j.FunctionKind;
import org.sriov4j.IommuGroup;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PciId;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.SysfsIoException;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.SysfsNames;

/**
 * Builds a {@link Topology} from sysfs. A device that disappears while it is being read (a VF being removed) is
 * left out; any other failure, and any malformed content, is an error: a {@link org.sriov4j.MalformedAttributeException}
 * naming the file, also for names (entries and link targets, parsed by {@link SysfsNames}), a {@code sriov_numvfs}
 * above {@code sriov_totalvfs}, two {@code virtfn} links naming one VF, and a VF whose {@code physfn} is a function
 * that is not a PF.
 */
final class TopologyScanner {

    static final String DEVICES = "bus/pci/devices";

    private final SysfsAccess sysfs;
    private final Attributes attrs;

    TopologyScanner(SysfsAccess sysfs) {
        this.sysfs = sysfs;
        this.attrs = new Attributes(sysfs);
    }

    static String dev(PciAddress a) {
        return DEVICES + "/" + a;
    }

    /** What a PF's SR-IOV attributes said, before VFs are resolved. */
    private record PfRaw(PciFunction function, int total, int num, int offset, int stride, int vfDevice,
            boolean autoprobe, List<PciAddress> vfs) {
    }

    Topology scan(ScanScope scope) {
        List<PciAddress> addresses = new ArrayList<>();
        for (String name : sysfs.list(DEVICES)) {
            addresses.add(SysfsNames.address(sysfs, DEVICES, name));
        }
        Scan s = new Scan(scope);
        for (PciAddress address : addresses) {
            s.device(address);
        }
        return s.build();
    }

    /**
     * The part of the host one function belongs to: the function; for a VF its PF; for a PF its VFs; each with its
     * IOMMU group. Nothing else is read, so a malformed device elsewhere does not fail it.
     *
     * @param address the function
     * @return a snapshot of scope {@link ScanScope#ALL_FUNCTIONS} with those functions only; empty if the function
     *         does not exist
     */
    Topology around(PciAddress address) {
        Scan s = new Scan(ScanScope.ALL_FUNCTIONS);
        s.device(address);
        PciAddress pf = s.vfToPf.get(address);
        if (pf != null) {
            s.device(pf);
        }
        PfRaw raw = s.pfs.get(address);
        if (raw != null) {
            for (PciAddress vf : raw.vfs()) {
                s.device(vf);
            }
        }
        return s.build();
    }

    /** One scan: what was read so far. */
    private final class Scan {
        final ScanScope scope;
        final Map<PciAddress, PciFunction> functions = new LinkedHashMap<>();
        final Map<PciAddress, PfRaw> pfs = new LinkedHashMap<>();
        final Map<PciAddress, PciAddress> vfToPf = new LinkedHashMap<>();

        Scan(ScanScope scope) {
            this.scope = scope;
        }

        void device(PciAddress address) {
            if (functions.containsKey(address)) {
                return;
            }
            try {
                scanDevice(address, scope, functions, pfs, vfToPf);
            } catch (SysfsIoException e) {
                if (e.isNotFound() && !sysfs.exists(dev(address))) {
                    functions.remove(address);
                    pfs.remove(address);
                    vfToPf.remove(address);
                    return; // removed while we looked at it
                }
                throw e;
            }
        }

        Topology build() {
            List<PhysicalFunction> pfList = new ArrayList<>();
            Map<PciAddress, Integer> vfIndex = new HashMap<>();
            Map<PciAddress, PciAddress> listedBy = new HashMap<>();
            for (PfRaw p : pfs.values()) {
                pfList.add(new PhysicalFunction(p.function(), p.total(), p.num(), p.offset(), p.stride(),
                        p.vfDevice(), p.autoprobe(), p.vfs()));
                for (int i = 0; i < p.vfs().size(); i++) {
                    PciAddress vf = p.vfs().get(i);
                    PciAddress other = listedBy.putIfAbsent(vf, p.function().address());
                    if (other != null) {
                        String link = dev(p.function().address()) + "/virtfn" + i;
                        throw attrs.malformed(link, vf.toString(), "a VF of this PF alone (" + other
                                + " lists it too)");
                    }
                    vfIndex.put(vf, i);
                }
            }
            List<VirtualFunction> vfList = new ArrayList<>();
            for (Map.Entry<PciAddress, PciAddress> e : vfToPf.entrySet()) {
                PciAddress vf = e.getKey();
                PfRaw pf = pfs.get(e.getValue());
                Integer index = vfIndex.get(vf);
                if (pf == null && isNonPf(e.getValue())) {
                    throw attrs.malformed(dev(vf) + "/physfn", e.getValue().toString(),
                            "a link to an SR-IOV physical function (" + e.getValue() + " has no sriov_totalvfs)");
                }
                PciFunction function = functions.get(vf);
                if (function == null || pf == null || index == null
                        || !pf.function().address().equals(listedBy.get(vf))) {
                    // The PF vanished, or its virtfn links no longer list this VF: it is being removed.
                    functions.remove(vf);
                    continue;
                }
                vfList.add(new VirtualFunction(function, pf.function().address(), index));
            }
            return Topology.of(scope, functions.values(), pfList, vfList, groups(functions.values()));
        }
    }

    /** Whether a function exists and is not a PF (so that a VF's physfn pointing to it is malformed). */
    private boolean isNonPf(PciAddress a) {
        return sysfs.exists(dev(a)) && !sysfs.exists(dev(a) + "/sriov_totalvfs");
    }

    private void scanDevice(PciAddress address, ScanScope scope, Map<PciAddress, PciFunction> functions,
            Map<PciAddress, PfRaw> pfs, Map<PciAddress, PciAddress> vfToPf) {
        String d = dev(address);
        FunctionKind kind;
        if (sysfs.exists(d + "/sriov_totalvfs")) {
            kind = FunctionKind.PF;
        } else if (sysfs.exists(d + "/physfn")) {
            kind = FunctionKind.VF;
        } else if (scope == ScanScope.ALL_FUNCTIONS) {
            kind = FunctionKind.OTHER;
        } else {
            return;
        }
        PciFunction f = function(address, kind);
        functions.put(address, f);
        if (kind == FunctionKind.PF) {
            pfs.put(address, pf(f));
        } else if (kind == FunctionKind.VF) {
            PciAddress pf = SysfsNames.linkedAddress(sysfs, d + "/physfn")
                    .orElseThrow(() -> new SysfsIoException("readlink", sysfs.describe(d + "/physfn"),
                            org.sriov4j.Errno.ENOENT, "", null));
            vfToPf.put(address, pf);
        }
    }

    /**
     * Describes one function without scanning the rest of the host.
     *
     * @param address the function
     * @return the function as it is now
     */
    PciFunction function(PciAddress address) {
        String d = dev(address);
        FunctionKind kind = sysfs.exists(d + "/sriov_totalvfs") ? FunctionKind.PF
                : sysfs.exists(d + "/physfn") ? FunctionKind.VF : FunctionKind.OTHER;
        return function(address, kind);
    }

    /**
     * A function as described before a change of its driver, with the PF of a VF (read on the way: its kind is
     * known from that very link).
     *
     * @param function the function
     * @param pf its PF, for a VF
     */
    record Described(PciFunction function, Optional<PciAddress> pf) {
    }

    /**
     * Describes one function about to have its driver changed (detach, reattach, lease): the same attributes as
     * {@link #function(PciAddress)}, one sysfs operation each. A missing optional attribute (driver, override, NUMA
     * node, IOMMU group, netdevs) is a read that fails with {@code ENOENT}, not an existence check first; a VF is
     * told by its {@code physfn} link, which names its PF at the same time. Nine operations for a VF where the scan's
     * description takes sixteen (issue 15: under emulation each is about a millisecond; the discovery scan keeps its
     * own order, which its benchmark mirrors).
     *
     * @param address the function
     * @return the function and, for a VF, its PF
     * @throws SysfsIoException {@code ENOENT} (from its {@code vendor}) if the function does not exist
     */
    Described describe(PciAddress address) {
        String d = dev(address);
        Optional<PciAddress> pf = optionalLink(d + "/physfn").map(n -> SysfsNames.address(sysfs, d + "/physfn", n));
        FunctionKind kind = pf.isPresent() ? FunctionKind.VF
                : sysfs.exists(d + "/sriov_totalvfs") ? FunctionKind.PF : FunctionKind.OTHER;
        int vendor = attrs.hex(d + "/vendor", 4);
        int device = attrs.hex(d + "/device", 4);
        int classCode = attrs.hex(d + "/class", 6);
        Optional<String> driver = optionalLink(d + "/driver").map(n -> SysfsNames.driver(sysfs, d + "/driver", n));
        Optional<String> override = optionalRead(d + "/driver_override")
                .flatMap(raw -> attrs.driverOverride(d + "/driver_override", raw));
        OptionalInt numa = optionalRead(d + "/numa_node").map(raw -> attrs.numaNode(d + "/numa_node", raw))
                .orElse(OptionalInt.empty());
        OptionalInt group = OptionalInt.empty();
        Optional<String> g = optionalLink(d + "/iommu_group");
        if (g.isPresent()) {
            group = OptionalInt.of(SysfsNames.number(sysfs, d + "/iommu_group", g.get()));
        }
        return new Described(new PciFunction(address, kind, new PciId(vendor, device), classCode, driver, override,
                numa, group, netdevs(address)), pf);
    }

    /**
     * A function's netdevs now, in one operation (none when its {@code net} directory does not exist).
     *
     * @param address the function
     * @return the names
     */
    List<String> netdevs(PciAddress address) {
        try {
            return sysfs.list(dev(address) + "/net");
        } catch (SysfsIoException e) {
            if (e.isNotFound()) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * {@code before} with what a change of its driver set: the rest (ids, class, kind, NUMA node, IOMMU group) does
     * not change with the driver.
     *
     * @param before the function as described before the change
     * @param driver its driver now
     * @param override its {@code driver_override} now
     * @param netdevs its netdevs now
     * @return the function now
     */
    static PciFunction withDriver(PciFunction before, Optional<String> driver, Optional<String> override,
            List<String> netdevs) {
        return new PciFunction(before.address(), before.kind(), before.id(), before.classCode(), driver, override,
                before.numaNode(), before.iommuGroup(), netdevs);
    }

    /**
     * A function's driver now, in one operation.
     *
     * @param address the function
     * @return the driver's name, empty if none is bound
     */
    Optional<String> driverOf(PciAddress address) {
        String link = dev(address) + "/driver";
        return optionalLink(link).map(n -> SysfsNames.driver(sysfs, link, n));
    }

    /** The last component of a link's target, empty when there is no such link: one readlink. */
    private Optional<String> optionalLink(String path) {
        String target;
        try {
            target = sysfs.readLink(path);
        } catch (SysfsIoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        int end = target.length();
        while (end > 0 && target.charAt(end - 1) == '/') {
            end--;
        }
        return Optional.of(target.substring(target.lastIndexOf('/', end - 1) + 1, end));
    }

    /** A file's text, empty when there is no such file: one read. */
    private Optional<String> optionalRead(String path) {
        try {
            return Optional.of(sysfs.read(path));
        } catch (SysfsIoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * A function described just before a change of its driver, as it is after the change: re-reads only what a
     * bind or unbind changes (the driver link, {@code driver_override}, the netdevs) and keeps the rest (ids, class,
     * kind, NUMA node and IOMMU group do not change with the driver). A detach or reattach of seven VFs reads 6
     * attributes a function instead of 17.
     *
     * @param before the function as described before the change
     * @return the function now
     */
    PciFunction afterDriverChange(PciFunction before) {
        String d = dev(before.address());
        Optional<String> driver = SysfsNames.linkedDriver(sysfs, d + "/driver");
        Optional<String> override = attrs.driverOverride(d + "/driver_override");
        List<String> netdevs = sysfs.exists(d + "/net") ? sysfs.list(d + "/net") : List.of();
        return new PciFunction(before.address(), before.kind(), before.id(), before.classCode(), driver, override,
                before.numaNode(), before.iommuGroup(), netdevs);
    }

    private PciFunction function(PciAddress address, FunctionKind kind) {
        String d = dev(address);
        int vendor = attrs.hex(d + "/vendor", 4);
        int device = attrs.hex(d + "/device", 4);
        int classCode = attrs.hex(d + "/class", 6);
        Optional<String> driver = SysfsNames.linkedDriver(sysfs, d + "/driver");
        Optional<String> override = attrs.driverOverride(d + "/driver_override");
        OptionalInt numa = attrs.numaNode(d + "/numa_node");
        OptionalInt group = OptionalInt.empty();
        Optional<String> g = sysfs.linkName(d + "/iommu_group");
        if (g.isPresent()) {
            group = OptionalInt.of(SysfsNames.number(sysfs, d + "/iommu_group", g.get()));
        }
        List<String> netdevs = sysfs.exists(d + "/net") ? sysfs.list(d + "/net") : List.of();
        return new PciFunction(address, kind, new PciId(vendor, device), classCode, driver, override, numa, group,
                netdevs);
    }

    /**
     * Describes one PF without scanning the rest of the host.
     *
     * @param address the PF
     * @return the PF, with its VFs as its {@code virtfnN} links list them now
     * @throws SysfsIoException {@code ENOENT} if the device or its SR-IOV attributes do not exist
     */
    PhysicalFunction physicalFunction(PciAddress address) {
        PfRaw p = pf(function(address, FunctionKind.PF));
        return new PhysicalFunction(p.function(), p.total(), p.num(), p.offset(), p.stride(), p.vfDevice(),
                p.autoprobe(), p.vfs());
    }

    private PfRaw pf(PciFunction f) {
        String d = dev(f.address());
        int total = attrs.decimal(d + "/sriov_totalvfs");
        int num = attrs.decimal(d + "/sriov_numvfs");
        int offset = attrs.decimal(d + "/sriov_offset");
        int stride = attrs.decimal(d + "/sriov_stride");
        int vfDevice = attrs.hex(d + "/sriov_vf_device", 4);
        if (num > total) {
            throw attrs.malformed(d + "/sriov_numvfs", Integer.toString(num),
                    "at most sriov_totalvfs (" + total + ") VFs");
        }
        boolean autoprobe = !sysfs.exists(d + "/sriov_drivers_autoprobe") || attrs.bool(d + "/sriov_drivers_autoprobe");
        List<PciAddress> vfs = new ArrayList<>();
        if (num > 0) {
            Map<Integer, PciAddress> byIndex = new HashMap<>();
            Map<PciAddress, String> seen = new HashMap<>();
            for (String entry : sysfs.list(d)) {
                if (!entry.startsWith("virtfn")) {
                    continue;
                }
                int index = SysfsNames.number(sysfs, d + "/" + entry, entry.substring("virtfn".length()));
                Optional<PciAddress> target = SysfsNames.linkedAddress(sysfs, d + "/" + entry);
                if (target.isPresent()) {
                    String first = seen.putIfAbsent(target.get(), entry);
                    if (first != null) {
                        throw attrs.malformed(d + "/" + entry, target.get().toString(),
                                "a VF no other virtfn link names (" + first + " names it too)");
                    }
                    byIndex.put(index, target.get());
                }
            }
            for (int i = 0; byIndex.containsKey(i); i++) {
                vfs.add(byIndex.get(i));
            }
        }
        return new PfRaw(f, total, num, offset, stride, vfDevice, autoprobe, vfs);
    }

    private List<IommuGroup> groups(Iterable<PciFunction> functions) {
        TreeSet<Integer> numbers = new TreeSet<>();
        for (PciFunction f : functions) {
            f.iommuGroup().ifPresent(numbers::add);
        }
        List<IommuGroup> groups = new ArrayList<>();
        for (int n : numbers) {
            String dir = "kernel/iommu_groups/" + n + "/devices";
            List<PciAddress> members = new ArrayList<>();
            List<String> entries;
            try {
                entries = sysfs.list(dir);
            } catch (SysfsIoException e) {
                if (e.isNotFound()) {
                    continue; // the group went away with its last device
                }
                throw e;
            }
            for (String entry : entries) {
                members.add(SysfsNames.address(sysfs, dir, entry));
            }
            groups.add(new IommuGroup(n, members));
        }
        return groups;
    }
}
