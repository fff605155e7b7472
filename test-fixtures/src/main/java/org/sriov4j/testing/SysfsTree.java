package org.sriov4j.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.testing.Kernel.Device;
import org.sriov4j.testing.Kernel.Driver;
import org.sriov4j.testing.Kernel.Netdev;

/**
 * Renders the {@link Kernel} model as a sysfs tree ({@link Node}s computed on demand) and resolves paths in it the
 * way the VFS does: symbolic links are followed in the middle of a path, and at its end unless asked not to.
 */
final class SysfsTree {

    /** A resolved path: its canonical components (no links) and the entry found there. */
    record Resolved(List<String> canonical, Node node) {
        String canonicalPath() {
            return String.join("/", canonical);
        }
    }

    private final Kernel k;

    SysfsTree(Kernel kernel) {
        this.k = kernel;
    }

    // ------------------------------------------------------------------ resolution

    /**
     * Resolves {@code path}.
     *
     * @throws KernelError ENOENT if a component is missing, ENOTDIR if a non-final component is not a directory
     */
    Resolved resolve(String path, boolean followFinal) {
        Deque<String> pending = new ArrayDeque<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                pending.addLast(c);
            }
        }
        boolean mustBeDir = path.endsWith("/") && !pending.isEmpty();
        List<String> names = new ArrayList<>();
        List<Node> nodes = new ArrayList<>();
        Node current = root();
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.removeFirst();
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                    nodes.remove(nodes.size() - 1);
                }
                current = nodes.isEmpty() ? root() : nodes.get(nodes.size() - 1);
                continue;
            }
            if (!(current instanceof Node.Dir dir)) {
                throw new KernelError(Errno.ENOTDIR, "/" + String.join("/", names) + " is not a directory");
            }
            Node child = dir.entries().get().get(name);
            if (child == null) {
                throw new KernelError(Errno.ENOENT, "");
            }
            boolean last = pending.isEmpty();
            if (child instanceof Node.Link link && (!last || followFinal || mustBeDir)) {
                if (++links > 40) {
                    throw new KernelError(Errno.EINVAL, "too many levels of symbolic links");
                }
                String[] parts = link.target().split("/");
                for (int i = parts.length - 1; i >= 0; i--) {
                    if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                        pending.addFirst(parts[i]);
                    }
                }
                continue;
            }
            names.add(name);
            nodes.add(child);
            current = child;
        }
        if (mustBeDir && !(current instanceof Node.Dir)) {
            throw new KernelError(Errno.ENOTDIR, "not a directory");
        }
        return new Resolved(List.copyOf(names), current);
    }

    // ------------------------------------------------------------------ helpers

    private static Node.Attr ro(String value) {
        return new Node.Attr(() -> value, null);
    }

    private static Node.Attr ro(Supplier<String> show) {
        return new Node.Attr(show, null);
    }

    private static Node.Attr rw(Supplier<String> show, Consumer<String> store) {
        return new Node.Attr(show, store);
    }

    private static Node.Attr wo(Consumer<String> store) {
        return new Node.Attr(null, store);
    }

    private static Node.Dir dir(Supplier<SortedMap<String, Node>> entries) {
        return new Node.Dir(entries);
    }

    private static Node.Dir emptyDir() {
        return new Node.Dir(TreeMap::new);
    }

    private static String up(int levels) {
        return "../".repeat(levels);
    }

    private static int depth(String path) {
        return path.split("/").length;
    }

    private static String hex4(int v) {
        return String.format("0x%04x", v) + "\n";
    }

    // ------------------------------------------------------------------ the tree

    Node.Dir root() {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            m.put("bus", dir(() -> {
                TreeMap<String, Node> b = new TreeMap<>();
                b.put("pci", pciBus());
                return b;
            }));
            m.put("class", classDir());
            m.put("devices", devicesDir());
            m.put("kernel", dir(() -> {
                TreeMap<String, Node> kd = new TreeMap<>();
                kd.put("iommu_groups", iommuGroups());
                return kd;
            }));
            m.put("module", modules());
            if (k.hypervisorType != null) {
                String type = k.hypervisorType;
                m.put("hypervisor", dir(() -> {
                    TreeMap<String, Node> h = new TreeMap<>();
                    h.put("type", ro(() -> type + "\n"));
                    return h;
                }));
            }
            return m;
        });
    }

    private Node.Dir pciBus() {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            m.put("devices", dir(() -> {
                TreeMap<String, Node> d = new TreeMap<>();
                for (Device dev : k.devices.values()) {
                    d.put(dev.name, new Node.Link(up(3) + dev.path));
                }
                return d;
            }));
            m.put("drivers", dir(() -> {
                TreeMap<String, Node> d = new TreeMap<>();
                for (Driver drv : k.loaded.values()) {
                    d.put(drv.name(), driverDir(drv));
                }
                return d;
            }));
            m.put("drivers_autoprobe", rw(() -> k.busDriversAutoprobe ? "1\n" : "0\n",
                    v -> k.busDriversAutoprobe = Kernel.parseBool(v)));
            m.put("drivers_probe", wo(k::driversProbe));
            m.put("rescan", wo(k::writeRescan));
            m.put("uevent", wo(Kernel::writeUevent));
            return m;
        });
    }

    private Node.Dir driverDir(Driver drv) {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            if (k.loaded.get(drv.name()) != drv) {
                return m;
            }
            for (Device d : k.devices.values()) {
                if (drv.name().equals(d.driver)) {
                    m.put(d.name, new Node.Link(up(4) + d.path));
                }
            }
            m.put("bind", wo(v -> k.driverBind(drv, v)));
            m.put("unbind", wo(v -> k.driverUnbind(drv, v)));
            m.put("new_id", wo(v -> k.newId(drv, v)));
            m.put("remove_id", wo(v -> k.removeId(drv, v)));
            m.put("uevent", wo(Kernel::writeUevent));
            m.put("module", new Node.Link(up(4) + "module/" + drv.spec.module()));
            if (drv.spec.role() == DriverSpec.Role.PCIBACK) {
                m.put("slots", ro(() -> {
                    StringBuilder b = new StringBuilder();
                    for (var a : drv.slots) {
                        b.append(a).append('\n');
                    }
                    return b.toString();
                }));
                m.put("new_slot", wo(v -> drv.slots.add(Kernel.parseSlot(v))));
                m.put("remove_slot", wo(v -> k.removeSlot(drv, v)));
                // permissive_add: a write puts a device already in the slots into permissive mode; the read lists them
                m.put("permissive", rw(() -> {
                    StringBuilder b = new StringBuilder();
                    for (var a : drv.permissive) {
                        b.append(a).append('\n');
                    }
                    return b.toString();
                }, v -> k.permissive(drv, v)));
            }
            return m;
        });
    }

    private Node.Dir classDir() {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            m.put("net", dir(() -> {
                TreeMap<String, Node> n = new TreeMap<>();
                n.put("lo", new Node.Link("../../devices/virtual/net/lo"));
                for (var e : k.netdevs.entrySet()) {
                    n.put(e.getKey(), new Node.Link(up(2) + e.getValue().path + "/net/" + e.getKey()));
                }
                return n;
            }));
            if (k.vfioLoaded()) {
                m.put("vfio", dir(() -> {
                    TreeMap<String, Node> n = new TreeMap<>();
                    for (int g : k.vfioGroups()) {
                        n.put(Integer.toString(g), new Node.Link("../../devices/virtual/vfio/" + g));
                    }
                    return n;
                }));
                m.put("vfio-dev", dir(() -> {
                    TreeMap<String, Node> n = new TreeMap<>();
                    for (Device d : k.devices.values()) {
                        if (d.vfioIndex >= 0) {
                            n.put("vfio" + d.vfioIndex,
                                    new Node.Link(up(2) + d.path + "/vfio-dev/vfio" + d.vfioIndex));
                        }
                    }
                    return n;
                }));
            }
            return m;
        });
    }

    private Node.Dir devicesDir() {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            for (Device d : k.devices.values()) {
                String rootBus = d.path.split("/")[1];
                m.computeIfAbsent(rootBus, r -> childrenDir("devices/" + r));
            }
            m.put("virtual", dir(() -> {
                TreeMap<String, Node> v = new TreeMap<>();
                v.put("net", dir(() -> {
                    TreeMap<String, Node> n = new TreeMap<>();
                    n.put("lo", dir(() -> {
                        TreeMap<String, Node> lo = new TreeMap<>();
                        lo.put("address", ro("00:00:00:00:00:00\n"));
                        lo.put("ifindex", ro("1\n"));
                        lo.put("type", ro("772\n"));
                        return lo;
                    }));
                    return n;
                }));
                if (k.vfioLoaded()) {
                    v.put("vfio", dir(() -> {
                        TreeMap<String, Node> n = new TreeMap<>();
                        for (int g : k.vfioGroups()) {
                            n.put(Integer.toString(g), emptyDir());
                        }
                        return n;
                    }));
                }
                return v;
            }));
            return m;
        });
    }

    /** A directory holding the devices whose parent is {@code path} (a root bus). */
    private Node.Dir childrenDir(String path) {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            addChildren(m, path);
            return m;
        });
    }

    private void addChildren(TreeMap<String, Node> m, String path) {
        for (Device c : k.devices.values()) {
            if (c.parentPath().equals(path)) {
                m.put(c.name, deviceDir(c));
            }
        }
    }

    private boolean present(Device d) {
        return k.devices.get(d.address) == d;
    }

    private Node.Dir deviceDir(Device d) {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            if (!present(d)) {
                return m;
            }
            String up = up(depth(d.path));
            FunctionSpec s = d.spec;
            m.put("vendor", ro(hex4(s.id().vendor())));
            m.put("device", ro(hex4(s.id().device())));
            m.put("class", ro(String.format("0x%06x", s.classCode()) + "\n"));
            m.put("subsystem_vendor", ro(hex4(s.subsystem().vendor())));
            m.put("subsystem_device", ro(hex4(s.subsystem().device())));
            m.put("revision", ro(String.format("0x%02x", s.revision()) + "\n"));
            int vfIndex = d.physfn == null ? -1 : d.vfIndex;
            DeviceModels.resource(s.id(), vfIndex).ifPresent(r -> m.put("resource", ro(r)));
            DeviceModels.config(s.id(), vfIndex, d.driver).ifPresent(c -> m.put("config", ro(c)));
            m.put("modalias", ro(modalias(d) + "\n"));
            m.put("uevent", rw(() -> uevent(d), Kernel::writeUevent));
            m.put("driver_override", rw(() -> (d.override == null ? "(null)" : d.override) + "\n",
                    v -> k.writeOverride(d, v)));
            m.put("numa_node", rw(() -> d.numaNode + "\n", v -> k.writeNumaNode(d, v)));
            m.put("enable", rw(() -> k.enableCount(d) + "\n", v -> k.writeEnable(d, v)));
            m.put("subsystem", new Node.Link(up + "bus/pci"));
            if (d.driver != null) {
                m.put("driver", new Node.Link(up + "bus/pci/drivers/" + d.driver));
            }
            if (d.group != null) {
                m.put("iommu_group", new Node.Link(up + "kernel/iommu_groups/" + d.group.number));
            }
            Netdev nd = d.netdev;
            if (nd != null) {
                m.put("net", dir(() -> {
                    TreeMap<String, Node> n = new TreeMap<>();
                    if (d.netdev == nd) {
                        n.put(nd.name(), netdevDir(d, nd));
                    }
                    return n;
                }));
            }
            if (d.vfioIndex >= 0) {
                int index = d.vfioIndex;
                m.put("vfio-dev", dir(() -> {
                    TreeMap<String, Node> n = new TreeMap<>();
                    if (d.vfioIndex == index) {
                        n.put("vfio" + index, dir(() -> {
                            TreeMap<String, Node> v = new TreeMap<>();
                            v.put("device", new Node.Link("../../../" + d.name));
                            v.put("subsystem", new Node.Link(up(depth(d.path) + 2) + "class/vfio-dev"));
                            return v;
                        }));
                    }
                    return n;
                }));
            }
            if (!s.resetMethods().isEmpty()) {
                m.put("reset", wo(v -> k.writeReset(d, v)));
                m.put("reset_method", rw(() -> d.resetMethods.isEmpty() ? "" : d.resetMethods + "\n",
                        v -> k.writeResetMethod(d, v)));
            }
            if (!d.isVf()) {
                m.put("remove", wo(v -> k.writeRemove(d, v)));
            }
            if (d.isPf()) {
                PfSpec p = d.pf();
                m.put("sriov_totalvfs", ro(() -> k.totalVfs(d) + "\n"));
                m.put("sriov_numvfs", rw(() -> d.vfs.size() + "\n", v -> k.writeNumVfs(d, v)));
                m.put("sriov_offset", ro(p.vfOffset() + "\n"));
                m.put("sriov_stride", ro(p.vfStride() + "\n"));
                m.put("sriov_vf_device", ro(Integer.toHexString(p.vfDeviceId()) + "\n"));
                m.put("sriov_drivers_autoprobe", rw(() -> d.autoprobe ? "1\n" : "0\n",
                        v -> d.autoprobe = Kernel.parseBool(v)));
                m.put("sriov_vf_total_msix", ro("0\n"));
                for (Device vf : d.vfs) {
                    m.put("virtfn" + vf.vfIndex, new Node.Link("../" + vf.name));
                }
            }
            Device pf = d.physfn;
            if (pf != null) {
                m.put("physfn", new Node.Link("../" + pf.name));
                m.put("sriov_vf_msix_count", wo(v -> k.writeVfMsixCount(d, v)));
            }
            addChildren(m, d.path);
            return m;
        });
    }

    private Node.Dir netdevDir(Device d, Netdev nd) {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            m.put("address", ro(nd.mac() + "\n"));
            m.put("addr_assign_type", ro(nd.randomMac() ? "1\n" : "0\n"));
            m.put("ifindex", ro(nd.ifindex() + "\n"));
            m.put("iflink", ro(nd.ifindex() + "\n"));
            boolean up = k.netdevsUp.contains(nd.ifindex());
            m.put("operstate", ro(up ? "up\n" : "down\n"));
            m.put("type", ro("1\n"));
            m.put("mtu", ro("1500\n")); // real 6.12 guest: the Ethernet default, on PF and VF netdevs
            m.put("subsystem", new Node.Link("../../../../../../class/net"));
            m.put("uevent", ro("INTERFACE=" + nd.name() + "\nIFINDEX=" + nd.ifindex() + "\n"));
            m.put("device", new Node.Link("../../../" + d.name));
            return m;
        });
    }

    private static String modalias(Device d) {
        FunctionSpec s = d.spec;
        return String.format("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", s.id().vendor(), s.id().device(),
                s.subsystem().vendor(), s.subsystem().device(), s.classCode() >> 16, (s.classCode() >> 8) & 0xff,
                s.classCode() & 0xff);
    }

    private static String uevent(Device d) {
        FunctionSpec s = d.spec;
        StringBuilder b = new StringBuilder();
        if (d.driver != null) {
            b.append("DRIVER=").append(d.driver).append('\n');
        }
        b.append(String.format("PCI_CLASS=%04X", s.classCode())).append('\n');
        b.append(String.format("PCI_ID=%04X:%04X", s.id().vendor(), s.id().device())).append('\n');
        b.append(String.format("PCI_SUBSYS_ID=%04X:%04X", s.subsystem().vendor(), s.subsystem().device()))
                .append('\n');
        b.append("PCI_SLOT_NAME=").append(d.name).append('\n');
        b.append("MODALIAS=").append(modalias(d)).append('\n');
        return b.toString();
    }

    private Node.Dir iommuGroups() {
        return dir(() -> {
            TreeMap<String, Node> m = new TreeMap<>();
            for (Kernel.Group g : k.groups.values()) {
                m.put(Integer.toString(g.number), dir(() -> {
                    TreeMap<String, Node> gd = new TreeMap<>();
                    gd.put("devices", dir(() -> {
                        TreeMap<String, Node> dd = new TreeMap<>();
                        for (Device d : g.members.values()) {
                            dd.put(d.name, new Node.Link(up(4) + d.path));
                        }
                        return dd;
                    }));
                    gd.put("type", ro("identity\n"));
                    // real 6.12 guest (intel-iommu): every group reserves the x86 MSI window; a group with an ISA
                    // bridge (LPC, class 0x0601) also the low 16 MiB, relaxably direct-mapped (floppy/ISA DMA)
                    boolean isa = g.members.values().stream().anyMatch(d -> d.spec.classCode() >> 8 == 0x0601);
                    gd.put("reserved_regions", ro((isa ? "0x0000000000000000 0x0000000000ffffff direct-relaxable\n"
                            : "") + "0x00000000fee00000 0x00000000feefffff msi\n"));
                    return gd;
                }));
            }
            return m;
        });
    }

    private Node.Dir modules() {
        return dir(() -> {
            TreeMap<String, List<String>> byModule = new TreeMap<>();
            for (Driver drv : k.loaded.values()) {
                byModule.computeIfAbsent(drv.spec.module(), x -> new ArrayList<>()).add(drv.name());
            }
            TreeMap<String, Node> m = new TreeMap<>();
            for (var e : byModule.entrySet()) {
                List<String> drivers = e.getValue();
                m.put(e.getKey(), dir(() -> {
                    TreeMap<String, Node> md = new TreeMap<>();
                    md.put("drivers", dir(() -> {
                        TreeMap<String, Node> dd = new TreeMap<>();
                        for (String n : drivers) {
                            dd.put("pci:" + n, new Node.Link("../../../bus/pci/drivers/" + n));
                        }
                        return dd;
                    }));
                    md.put("initstate", ro("live\n"));
                    return md;
                }));
            }
            return m;
        });
    }

    // ------------------------------------------------------------------ /dev

    /** The entries of a directory under /dev, or null if it is not one. */
    @Nullable SortedMap<String, Boolean> devDir(String dir) {
        TreeMap<String, Boolean> m = new TreeMap<>();
        switch (dir) {
            case "":
                if (k.vfioLoaded()) {
                    m.put("vfio", true);
                }
                if (k.vfioCdev && k.iommu) {
                    m.put("iommu", false);
                }
                return m;
            case "vfio":
                if (!k.vfioLoaded()) {
                    return null;
                }
                m.put("vfio", false);
                for (int g : k.vfioGroups()) {
                    m.put(Integer.toString(g), false);
                }
                if (k.vfioCdev) {
                    m.put("devices", true);
                }
                return m;
            case "vfio/devices":
                if (!k.vfioLoaded() || !k.vfioCdev) {
                    return null;
                }
                for (Device d : k.devices.values()) {
                    if (d.vfioIndex >= 0) {
                        m.put("vfio" + d.vfioIndex, false);
                    }
                }
                return m;
            default:
                return null;
        }
    }
}
