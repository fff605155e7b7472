package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.sriov4j.FunctionKind;
import org.sriov4j.IommuGroup;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PciId;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;

/**
 * Writes a sysfs-shaped directory tree of a large SR-IOV host, laid out exactly like the Linux kernel lays out
 * {@code /sys} (compare the captured trees in {@code sriov-spi/src/test/resources/sysfs/}):
 *
 * <ul>
 *   <li>real device directories under {@code devices/pci0000:00/}: bus-0 functions directly, each PF under its own
 *       PCIe root port ({@code devices/pci0000:00/0000:00:01.0/0000:02:00.0}), its VFs next to it (the kernel makes
 *       a VF's parent the PF's parent, whatever bus the VF is on);</li>
 *   <li>{@code bus/pci/devices/BDF -> ../../../devices/pci0000:00/...} links;</li>
 *   <li>per function: {@code vendor}, {@code device}, {@code class}, {@code numa_node}, {@code driver_override},
 *       {@code config}, {@code resource}, {@code uevent} and the other usual attributes, the {@code driver},
 *       {@code iommu_group}, {@code subsystem} and {@code iommu} links, a {@code net/} directory for network functions
 *       with a driver; PFs carry the {@code sriov_*} attributes and {@code virtfnN -> ../BDF} links, VFs a
 *       {@code physfn -> ../BDF} link;</li>
 *   <li>{@code kernel/iommu_groups/N/devices/BDF} links, {@code bus/pci/drivers/NAME/} with their bound devices,
 *       {@code class/net/NAME} links and {@code module/NAME} directories.</li>
 * </ul>
 *
 * <p>The host: a host bridge ({@code 0000:00:00.0}), one root port per PF ({@code 0000:00:01.0}, {@code 02.0}, ...),
 * an LPC bridge and an SMBus controller sharing an IOMMU group ({@code 0000:00:1f.0}, {@code 1f.3}); PFs are Intel
 * E810 ({@code 8086:159b}, driver {@code ice}) at {@code BB:00.0}, each with {@code sriov_totalvfs} =
 * {@code sriov_numvfs} = the VF count, VF offset 128 and stride 2 (so VF {@code i} is at routing id
 * {@code PF + 128 + 2i}: 128 VFs of a PF at bus {@code B} occupy buses {@code B} and {@code B+1}, and each root
 * port's bus range covers both). VFs are {@code 8086:1889}; VF {@code i} is on {@code iavf} with a netdev when
 * {@code i % 4} is 0 or 1, on {@code vfio-pci} with {@code driver_override} set when it is 2, and unbound when it is
 * 3. Every function is in its own IOMMU group except the LPC/SMBus pair; group numbers follow the kernel's order of
 * creation (bridges, then PFs, then VFs).
 *
 * <p>{@link #expectedTopology(ScanScope)} is what a correct discovery must return for the tree.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.sriov4j.benchmarks.SysfsTreeGenerator /tmp/sys [PFS [VFS_PER_PF]]
 * </pre>
 */
public final class SysfsTreeGenerator {

    /** PFs of the full benchmark host. */
    public static final int FULL_PFS = 16;
    /** VFs per PF of the full benchmark host. */
    public static final int FULL_VFS_PER_PF = 128;
    /** {@code sriov_offset} of every PF. */
    public static final int VF_OFFSET = 128;
    /** {@code sriov_stride} of every PF. */
    public static final int VF_STRIDE = 2;

    static final PciId PF_ID = new PciId(0x8086, 0x159b);
    static final PciId VF_ID = new PciId(0x8086, 0x1889);
    static final PciId HOST_BRIDGE_ID = new PciId(0x8086, 0x2020);
    static final PciId ROOT_PORT_ID = new PciId(0x8086, 0x2030);
    static final PciId LPC_ID = new PciId(0x8086, 0xa1c1);
    static final PciId SMBUS_ID = new PciId(0x8086, 0xa1a3);
    static final int CLASS_ETHERNET = 0x020000;
    static final int CLASS_HOST_BRIDGE = 0x060000;
    static final int CLASS_ISA_BRIDGE = 0x060100;
    static final int CLASS_PCI_BRIDGE = 0x060400;
    static final int CLASS_SMBUS = 0x0c0500;
    static final String PF_DRIVER = "ice";
    static final String VF_DRIVER = "iavf";
    static final String VFIO_DRIVER = "vfio-pci";
    static final int FIRST_PF_BUS = 0x02;

    private static final String ROOT_COMPLEX = "devices/pci0000:00";
    /** Drivers present on the host, with the module each one comes from (null: built in). */
    private static final @Nullable String[][] DRIVERS = {
        {"ice", "ice"}, {"iavf", "iavf"}, {"vfio-pci", "vfio_pci"}, {"pcieport", null},
        {"i801_smbus", "i2c_i801"}, {"igb", "igb"}, {"e1000e", "e1000e"}, {"nvme", "nvme"}, {"ahci", "ahci"},
    };

    private final int pfCount;
    private final int vfsPerPf;
    private final int busesPerPf;
    private final boolean filler;
    private final boolean allVfio;
    private final List<Node> nodes;

    /** One function to write: what discovery must report, and where its directory is. */
    private record Node(PciFunction function, String path, @Nullable PciAddress parentPf, int vfIndex) {
        PciAddress address() {
            return function.address();
        }
    }

    /**
     * Plans a host of {@code pfCount} PFs with {@code vfsPerPf} VFs each.
     *
     * @param pfCount PFs, 1 to 28
     * @param vfsPerPf VFs per PF, 0 to 256
     * @throws IllegalArgumentException if the host does not fit in PCI domain 0
     */
    public SysfsTreeGenerator(int pfCount, int vfsPerPf) {
        this(pfCount, vfsPerPf, true, false);
    }

    private SysfsTreeGenerator(int pfCount, int vfsPerPf, boolean filler, boolean allVfio) {
        if (pfCount < 1 || pfCount > 28) {
            throw new IllegalArgumentException("PF count must be 1..28 (one root port each): " + pfCount);
        }
        if (vfsPerPf < 0 || vfsPerPf > 256) {
            throw new IllegalArgumentException("VFs per PF must be 0..256: " + vfsPerPf);
        }
        this.pfCount = pfCount;
        this.vfsPerPf = vfsPerPf;
        this.filler = filler;
        this.allVfio = allVfio;
        this.busesPerPf = vfsPerPf == 0 ? 1 : ((VF_OFFSET + VF_STRIDE * (vfsPerPf - 1)) >> 8) + 1;
        if (FIRST_PF_BUS + pfCount * busesPerPf - 1 > 0xff) {
            throw new IllegalArgumentException("too many buses: " + pfCount + " PFs x " + busesPerPf);
        }
        this.nodes = plan();
    }

    /**
     * The full benchmark host: {@value #FULL_PFS} PFs with {@value #FULL_VFS_PER_PF} VFs each.
     *
     * @return the generator
     */
    public static SysfsTreeGenerator full() {
        return new SysfsTreeGenerator(FULL_PFS, FULL_VFS_PER_PF);
    }

    /**
     * The same host without the attributes, directories and links that discovery never looks at ({@code config},
     * {@code resource*}, {@code uevent}, {@code modalias}, {@code aer_*}, {@code power/}, the {@code iommu} link,
     * ...): a quarter of the files, written four times faster, for tests of the discovered shape. Benchmarks use the
     * full layout, because directory sizes matter to listings and lookups.
     *
     * @return a generator of the lean tree
     */
    public SysfsTreeGenerator withoutUnreadAttributes() {
        return new SysfsTreeGenerator(pfCount, vfsPerPf, false, allVfio);
    }

    /**
     * The same host with every VF on {@code vfio-pci} ({@code driver_override} set), as on a host whose VFs were all
     * detached for guests: every VF can be leased without a driver change, which a tree of files cannot make (the
     * cost curves lease from pools of every VF).
     *
     * @return a generator of that tree
     */
    public SysfsTreeGenerator withAllVfsOnVfio() {
        return new SysfsTreeGenerator(pfCount, vfsPerPf, filler, true);
    }

    /**
     * The number of PFs.
     *
     * @return the PF count
     */
    public int pfCount() {
        return pfCount;
    }

    /**
     * The number of VFs of each PF.
     *
     * @return the VF count per PF
     */
    public int vfsPerPf() {
        return vfsPerPf;
    }

    /**
     * The number of PCI functions in the tree: PFs, VFs, bridges and the SMBus controller.
     *
     * @return the function count
     */
    public int functionCount() {
        return nodes.size();
    }

    /** The bus of PF {@code k}: each PF gets enough buses for its VFs' routing ids. */
    static int pfBus(int k, int busesPerPf) {
        return FIRST_PF_BUS + k * busesPerPf;
    }

    /**
     * The address of VF {@code index} of {@code pf}: routing id {@code pf + offset + index * stride}.
     *
     * @param pf the PF
     * @param index the VF index
     * @return the VF's address
     */
    public static PciAddress vfAddress(PciAddress pf, int index) {
        return pf.withRoutingId(pf.routingId() + VF_OFFSET + VF_STRIDE * index);
    }

    private List<Node> plan() {
        List<Node> out = new ArrayList<>();
        int group = 0;
        int numaSplit = (pfCount + 1) / 2;
        out.add(new Node(fn(new PciAddress(0, 0, 0, 0), FunctionKind.OTHER, HOST_BRIDGE_ID, CLASS_HOST_BRIDGE, null,
                null, -1, group++, List.of()), ROOT_COMPLEX + "/0000:00:00.0", null, -1));
        String[] rootPortPath = new String[pfCount];
        for (int k = 0; k < pfCount; k++) {
            PciAddress rp = new PciAddress(0, 0, 1 + k, 0);
            rootPortPath[k] = ROOT_COMPLEX + "/" + rp;
            out.add(new Node(fn(rp, FunctionKind.OTHER, ROOT_PORT_ID, CLASS_PCI_BRIDGE, "pcieport", null,
                    k < numaSplit ? 0 : 1, group++, List.of()), rootPortPath[k], null, -1));
        }
        int lpcGroup = group++;
        out.add(new Node(fn(new PciAddress(0, 0, 0x1f, 0), FunctionKind.OTHER, LPC_ID, CLASS_ISA_BRIDGE, null, null,
                -1, lpcGroup, List.of()), ROOT_COMPLEX + "/0000:00:1f.0", null, -1));
        out.add(new Node(fn(new PciAddress(0, 0, 0x1f, 3), FunctionKind.OTHER, SMBUS_ID, CLASS_SMBUS, "i801_smbus",
                null, -1, lpcGroup, List.of()), ROOT_COMPLEX + "/0000:00:1f.3", null, -1));
        PciAddress[] pfs = new PciAddress[pfCount];
        for (int k = 0; k < pfCount; k++) {
            int bus = pfBus(k, busesPerPf);
            pfs[k] = new PciAddress(0, bus, 0, 0);
            out.add(new Node(fn(pfs[k], FunctionKind.PF, PF_ID, CLASS_ETHERNET, PF_DRIVER, null, k < numaSplit ? 0 : 1,
                    group++, List.of(pfNetdev(pfs[k]))), rootPortPath[k] + "/" + pfs[k], null, -1));
        }
        // VFs are created after every PF was probed (sriov_numvfs), so their groups come last
        for (int k = 0; k < pfCount; k++) {
            for (int i = 0; i < vfsPerPf; i++) {
                PciAddress vf = vfAddress(pfs[k], i);
                @Nullable String driver;
                @Nullable String override = null;
                List<String> net = List.of();
                switch (allVfio ? 2 : i % 4) {
                    case 0, 1 -> {
                        driver = VF_DRIVER;
                        net = List.of(pfNetdev(pfs[k]) + "v" + i);
                    }
                    case 2 -> {
                        driver = VFIO_DRIVER;
                        override = VFIO_DRIVER;
                    }
                    default -> driver = null;
                }
                out.add(new Node(fn(vf, FunctionKind.VF, VF_ID, CLASS_ETHERNET, driver, override,
                        k < numaSplit ? 0 : 1, group++, net), rootPortPath[k] + "/" + vf, pfs[k], i));
            }
        }
        return List.copyOf(out);
    }

    /** systemd's predictable name of a PCI network function: {@code enp<bus>s<slot>f<function>}, bus in decimal. */
    private static String pfNetdev(PciAddress a) {
        return "enp" + a.bus() + "s" + a.device() + "f" + a.function();
    }

    private static PciFunction fn(PciAddress a, FunctionKind kind, PciId id, int classCode, @Nullable String driver,
            @Nullable String override, int numa, int group, List<String> netdevs) {
        return new PciFunction(a, kind, id, classCode, Optional.ofNullable(driver), Optional.ofNullable(override),
                numa < 0 ? OptionalInt.empty() : OptionalInt.of(numa), OptionalInt.of(group), netdevs);
    }

    /**
     * What a correct discovery of the generated tree returns.
     *
     * @param scope the scan scope
     * @return the topology
     */
    public Topology expectedTopology(ScanScope scope) {
        List<PciFunction> functions = new ArrayList<>();
        List<PhysicalFunction> pfs = new ArrayList<>();
        List<VirtualFunction> vfs = new ArrayList<>();
        Map<Integer, List<PciAddress>> groups = new LinkedHashMap<>();
        for (Node n : nodes) {
            groups.computeIfAbsent(n.function().iommuGroup().getAsInt(), g -> new ArrayList<>()).add(n.address());
        }
        TreeSet<Integer> described = new TreeSet<>();
        for (Node n : nodes) {
            PciFunction f = n.function();
            if (scope == ScanScope.SRIOV && f.kind() == FunctionKind.OTHER) {
                continue;
            }
            functions.add(f);
            described.add(f.iommuGroup().getAsInt());
            if (f.kind() == FunctionKind.PF) {
                List<PciAddress> vfList = new ArrayList<>();
                for (int i = 0; i < vfsPerPf; i++) {
                    vfList.add(vfAddress(f.address(), i));
                }
                pfs.add(new PhysicalFunction(f, vfsPerPf, vfsPerPf, VF_OFFSET, VF_STRIDE, VF_ID.device(), true,
                        vfList));
            } else if (f.kind() == FunctionKind.VF) {
                vfs.add(new VirtualFunction(f, Objects.requireNonNull(n.parentPf(), "a VF's PF"), n.vfIndex()));
            }
        }
        List<IommuGroup> groupList = new ArrayList<>();
        for (int g : described) {
            groupList.add(new IommuGroup(g, Objects.requireNonNull(groups.get(g), "members of group " + g)));
        }
        return Topology.of(scope, functions, pfs, vfs, groupList);
    }

    /**
     * Writes the tree into {@code root}, which must not exist or be an empty directory.
     *
     * @param root the directory that will stand for {@code /sys}
     * @return {@link #expectedTopology(ScanScope) expectedTopology(ALL_FUNCTIONS)}
     * @throws IOException if the tree cannot be written
     * @throws IllegalArgumentException if {@code root} is a non-empty directory
     */
    public Topology writeTo(Path root) throws IOException {
        Files.createDirectories(root);
        try (var entries = Files.list(root)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException("not an empty directory: " + root);
            }
        }
        new Writer(root).write();
        return expectedTopology(ScanScope.ALL_FUNCTIONS);
    }

    /** Writes one tree; holds the running interface index. */
    private final class Writer {
        private final Path root;
        private final Map<String, List<Node>> boundTo = new LinkedHashMap<>();
        private final Map<Integer, List<Node>> groupMembers = new LinkedHashMap<>();
        private int ifindex = 2;

        Writer(Path root) {
            this.root = root;
        }

        void write() throws IOException {
            Path rc = root.resolve(ROOT_COMPLEX);
            Files.createDirectories(rc.resolve("pci_bus/0000:00"));
            Files.createDirectories(rc.resolve("power"));
            file(rc, "uevent", "");
            Files.createDirectories(root.resolve("devices/virtual/iommu/dmar0"));
            Files.createDirectories(root.resolve("devices/virtual/net/lo"));
            Files.createDirectories(root.resolve("bus/pci/devices"));
            Files.createDirectories(root.resolve("bus/pci/slots"));
            Path busPci = root.resolve("bus/pci");
            file(busPci, "drivers_autoprobe", "1\n");
            file(busPci, "drivers_probe", "");
            file(busPci, "rescan", "");
            file(busPci, "resource_alignment", "\n");
            file(busPci, "uevent", "");
            Files.createDirectories(root.resolve("class/net"));
            link(root.resolve("class/net/lo"), "../../devices/virtual/net/lo");
            Files.createDirectories(root.resolve("kernel/iommu_groups"));
            for (Node n : nodes) {
                writeDevice(n);
                n.function().driver().ifPresent(d -> boundTo.computeIfAbsent(d, x -> new ArrayList<>()).add(n));
                groupMembers.computeIfAbsent(n.function().iommuGroup().getAsInt(), g -> new ArrayList<>()).add(n);
            }
            for (String[] d : DRIVERS) {
                writeDriver(d[0], d[1]);
            }
            for (Map.Entry<Integer, List<Node>> g : groupMembers.entrySet()) {
                Path dir = root.resolve("kernel/iommu_groups/" + g.getKey());
                Files.createDirectories(dir.resolve("devices"));
                file(dir, "type", "DMA\n");
                file(dir, "reserved_regions", "0x00000000fee00000 0x00000000feefffff msi\n");
                for (Node n : g.getValue()) {
                    link(dir.resolve("devices/" + n.address()), "../../../../" + n.path());
                }
            }
        }

        private void writeDriver(String name, @Nullable String module) throws IOException {
            Path dir = root.resolve("bus/pci/drivers/" + name);
            Files.createDirectories(dir);
            for (String f : new String[] {"bind", "unbind", "new_id", "remove_id", "uevent"}) {
                file(dir, f, "");
            }
            if (module != null) {
                Path m = root.resolve("module/" + module);
                Files.createDirectories(m.resolve("drivers"));
                file(m, "refcnt", "0\n");
                file(m, "initstate", "live\n");
                link(dir.resolve("module"), "../../../../module/" + module);
            }
            for (Node n : boundTo.getOrDefault(name, List.of())) {
                link(dir.resolve(n.address().toString()), "../../../../" + n.path());
            }
        }

        private void writeDevice(Node n) throws IOException {
            PciFunction f = n.function();
            PciAddress a = f.address();
            Path d = root.resolve(n.path());
            Files.createDirectories(d);
            int depth = n.path().split("/").length;
            String up = "../".repeat(depth);
            link(root.resolve("bus/pci/devices/" + a), "../../../" + n.path());

            String vendor = hex(f.id().vendor(), 4);
            String device = hex(f.id().device(), 4);
            file(d, "vendor", "0x" + vendor + "\n");
            file(d, "device", "0x" + device + "\n");
            file(d, "class", "0x" + hex(f.classCode(), 6) + "\n");
            file(d, "numa_node", f.numaNode().isPresent() ? f.numaNode().getAsInt() + "\n" : "-1\n");
            file(d, "driver_override", f.driverOverride().orElse("(null)") + "\n");
            if (filler) {
                writeFiller(d, f, vendor, device, depth);
            }
            link(d.resolve("subsystem"), up + "bus/pci");
            link(d.resolve("iommu_group"), up + "kernel/iommu_groups/" + f.iommuGroup().getAsInt());
            if (f.driver().isPresent()) {
                link(d.resolve("driver"), up + "bus/pci/drivers/" + f.driver().get());
            }
            for (String netdev : f.netdevs()) {
                Path nd = d.resolve("net/" + netdev);
                Files.createDirectories(nd);
                file(nd, "address", String.format("02:%02x:%02x:%02x:%02x:%02x\n", a.bus(), a.device(), a.function(),
                        (ifindex >> 8) & 0xff, ifindex & 0xff));
                file(nd, "ifindex", ifindex++ + "\n");
                file(nd, "mtu", "1500\n");
                file(nd, "operstate", "up\n");
                file(nd, "type", "1\n");
                link(nd.resolve("device"), "../../../" + a);
                link(root.resolve("class/net/" + netdev), "../../" + n.path() + "/net/" + netdev);
            }
            switch (f.kind()) {
                case PF -> {
                    file(d, "remove", "");
                    file(d, "rescan", "");
                    file(d, "sriov_totalvfs", vfsPerPf + "\n");
                    file(d, "sriov_numvfs", vfsPerPf + "\n");
                    file(d, "sriov_offset", VF_OFFSET + "\n");
                    file(d, "sriov_stride", VF_STRIDE + "\n");
                    file(d, "sriov_vf_device", hex(VF_ID.device(), 4) + "\n");
                    file(d, "sriov_drivers_autoprobe", "1\n");
                    file(d, "sriov_vf_total_msix", "0\n");
                    for (int i = 0; i < vfsPerPf; i++) {
                        link(d.resolve("virtfn" + i), "../" + vfAddress(a, i));
                    }
                }
                case VF -> {
                    file(d, "sriov_vf_msix_count", "");
                    link(d.resolve("physfn"), "../" + n.parentPf());
                }
                default -> {
                    file(d, "remove", "");
                    file(d, "rescan", "");
                    if (f.classCode() == CLASS_PCI_BRIDGE) {
                        int secondary = pfBus(a.device() - 1, busesPerPf);
                        file(d, "secondary_bus_number", secondary + "\n");
                        file(d, "subordinate_bus_number", secondary + busesPerPf - 1 + "\n");
                        file(d, "reset_subordinate", "");
                        Files.createDirectories(d.resolve("pci_bus/" + String.format("0000:%02x", secondary)));
                    }
                }
            }
        }

        /** Attributes, directories and links every PCI function has that discovery does not look at. */
        private void writeFiller(Path d, PciFunction f, String vendor, String device, int depth) throws IOException {
            PciAddress a = f.address();
            file(d, "subsystem_vendor", "0x8086\n");
            file(d, "subsystem_device", "0x0002\n");
            file(d, "revision", "0x02\n");
            String modalias = "pci:v0000" + vendor.toUpperCase(Locale.ROOT) + "d0000" + device.toUpperCase(Locale.ROOT)
                    + "sv00008086sd00000002bc" + hex(f.classCode() >> 16, 2).toUpperCase(Locale.ROOT)
                    + "sc" + hex((f.classCode() >> 8) & 0xff, 2).toUpperCase(Locale.ROOT)
                    + "i" + hex(f.classCode() & 0xff, 2).toUpperCase(Locale.ROOT);
            file(d, "modalias", modalias + "\n");
            file(d, "uevent", (f.driver().isPresent() ? "DRIVER=" + f.driver().get() + "\n" : "")
                    + "PCI_CLASS=" + Integer.toHexString(f.classCode()).toUpperCase(Locale.ROOT) + "\n"
                    + "PCI_ID=" + vendor.toUpperCase(Locale.ROOT) + ":" + device.toUpperCase(Locale.ROOT) + "\n"
                    + "PCI_SUBSYS_ID=8086:0002\nPCI_SLOT_NAME=" + a + "\nMODALIAS=" + modalias + "\n");
            Files.write(d.resolve("config"), config(f));
            file(d, "resource", "0x00000000c0000000 0x00000000c1ffffff 0x000000000014220c\n"
                    + "0x0000000000000000 0x0000000000000000 0x0000000000000000\n".repeat(12));
            file(d, "resource0", "");
            file(d, "irq", f.kind() == FunctionKind.VF ? "0\n" : "16\n");
            file(d, "enable", f.driver().isPresent() ? "1\n" : "0\n");
            file(d, "local_cpus", "ffff,ffffffff\n");
            file(d, "local_cpulist", "0-47\n");
            file(d, "broken_parity_status", "0\n");
            file(d, "consistent_dma_mask_bits", "64\n");
            file(d, "dma_mask_bits", "64\n");
            file(d, "d3cold_allowed", "1\n");
            file(d, "msi_bus", "1\n");
            file(d, "power_state", "D0\n");
            file(d, "reset_method", "flr bus\n");
            file(d, "reset", "");
            file(d, "ari_enabled", "1\n");
            file(d, "current_link_speed", "16.0 GT/s PCIe\n");
            file(d, "current_link_width", "8\n");
            file(d, "max_link_speed", "16.0 GT/s PCIe\n");
            file(d, "max_link_width", "16\n");
            file(d, "aer_dev_correctable", "RxErr 0\nBadTLP 0\nBadDLLP 0\nRollover 0\nTimeout 0\n"
                    + "NonFatalErr 0\nCorrIntErr 0\nHeaderOF 0\nTOTAL_ERR_COR 0\n");
            file(d, "aer_dev_fatal", "Undefined 0\nDLP 0\nSDES 0\nTLP 0\nFCP 0\nCmpltTO 0\nTOTAL_ERR_FATAL 0\n");
            file(d, "aer_dev_nonfatal", "Undefined 0\nDLP 0\nSDES 0\nTLP 0\nFCP 0\nCmpltTO 0\nTOTAL_ERR_NONFATAL 0\n");
            Files.createDirectories(d.resolve("power"));
            file(d.resolve("power"), "control", "on\n");
            file(d.resolve("power"), "runtime_status", "active\n");
            Files.createDirectories(d.resolve("msi_irqs"));
            Files.createDirectories(d.resolve("link"));
            link(d.resolve("iommu"), "../".repeat(depth - 1) + "virtual/iommu/dmar0");
        }

        private byte[] config(PciFunction f) {
            byte[] c = new byte[256];
            if (f.kind() == FunctionKind.VF) {
                // a VF's vendor and device registers read as ffff; the ids come through the PF
                c[0] = c[1] = c[2] = c[3] = (byte) 0xff;
            } else {
                c[0] = (byte) f.id().vendor();
                c[1] = (byte) (f.id().vendor() >> 8);
                c[2] = (byte) f.id().device();
                c[3] = (byte) (f.id().device() >> 8);
            }
            c[9] = (byte) f.classCode();
            c[10] = (byte) (f.classCode() >> 8);
            c[11] = (byte) (f.classCode() >> 16);
            return c;
        }
    }

    private static String hex(int value, int digits) {
        String h = Integer.toHexString(value);
        return "0".repeat(Math.max(0, digits - h.length())) + h;
    }

    private static void file(Path dir, String name, String content) throws IOException {
        Files.write(dir.resolve(name), content.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void link(Path link, String target) throws IOException {
        Files.createSymbolicLink(link, Path.of(target));
    }

    /** System property naming the directory in which benchmarks and tests create their trees. */
    public static final String SCRATCH_PROPERTY = "sriov4j.bench.scratch";

    /**
     * Creates a new empty directory for a generated tree: under the directory named by the system property
     * {@value #SCRATCH_PROPERTY} if set, else under {@code /dev/shm} if it is a writable directory, else under
     * {@code java.io.tmpdir}. A memory file system is preferred because it is closer to sysfs (kernfs lives in
     * memory) and because writing 120,000 small files to a shared disk can take half a minute.
     *
     * @param prefix the new directory's name prefix
     * @return the new directory; delete it with {@link #delete(Path)}
     * @throws IOException if it cannot be created
     */
    public static Path scratchDirectory(String prefix) throws IOException {
        String configured = System.getProperty(SCRATCH_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path base = Path.of(configured);
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix);
        }
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return Files.createTempDirectory(shm, prefix);
        }
        return Files.createTempDirectory(prefix);
    }

    /**
     * Deletes a tree without following symbolic links. A missing {@code dir} is not an error.
     *
     * @param dir the directory to delete
     * @throws IOException if something cannot be deleted
     */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Writes a tree: {@code SysfsTreeGenerator DIR [PFS [VFS_PER_PF]]} (default 16 x 128).
     *
     * @param args the directory, optionally the PF count and the VFs per PF
     * @throws IOException if the tree cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: SysfsTreeGenerator DIR [PFS [VFS_PER_PF]]   (default " + FULL_PFS + " "
                    + FULL_VFS_PER_PF + ")");
            System.exit(2);
        }
        int pfs = args.length > 1 ? Integer.parseInt(args[1]) : FULL_PFS;
        int vfs = args.length > 2 ? Integer.parseInt(args[2]) : FULL_VFS_PER_PF;
        SysfsTreeGenerator g = new SysfsTreeGenerator(pfs, vfs);
        long t0 = System.nanoTime();
        Topology t = g.writeTo(Path.of(args[0]));
        System.out.printf("wrote %s to %s in %d ms%n", t, args[0], (System.nanoTime() - t0) / 1_000_000);
    }
}
