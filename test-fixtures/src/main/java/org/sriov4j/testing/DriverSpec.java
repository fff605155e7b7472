package org.sriov4j.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.sriov4j.PciId;

/**
 * An immutable description of a PCI driver the {@link SimulatedKernel} can load: its name (the directory under
 * {@code /sys/bus/pci/drivers}), its module, the ids it claims, and what binding it does to a device.
 *
 * <p>Most tests use the built-in drivers by name ({@link #known(String)}, {@link #knownNames()}):
 * {@code igb}, {@code igbvf}, {@code e1000}, {@code e1000e}, {@code ixgbe}, {@code ixgbevf}, {@code i40e},
 * {@code iavf}, {@code pcieport}, {@code virtio-pci}, {@code vfio-pci} and {@code pciback}. Describe another one
 * with {@link #hostDriver(String)}:
 *
 * <pre>{@code
 * DriverSpec mlx5 = DriverSpec.hostDriver("mlx5_core")
 *         .matching(PciId.parse("15b3:1017"), PciId.parse("15b3:1018"))
 *         .withNetdevs()
 *         .withSriov();
 * SimulatedKernel kernel = SimulatedKernel.builder().loadDriver(mlx5)...build();
 * }</pre>
 *
 * <p>What the kernel does with a driver:
 * <ul>
 *   <li>a device <em>matches</em> a driver as in {@code pci_match_device}: when the device's
 *       {@code driver_override} is set, only the driver of exactly that name matches (always); otherwise the
 *       driver's dynamic ids ({@code new_id}) and then its id table are tried;</li>
 *   <li>a host driver made with {@link #withNetdevs()} gives every network-class function ({@code 0x02xxxx}) it
 *       binds a netdev {@code ethN};</li>
 *   <li>a driver made with {@link #withSriov(int)} implements {@code sriov_configure} (so {@code sriov_numvfs}
 *       works on the PFs it drives), lowers {@code sriov_totalvfs} to its limit while bound, and disables SR-IOV
 *       when it is unbound;</li>
 *   <li>{@link #vfioPci()} claims nothing by itself (only through {@code driver_override} or {@code new_id}),
 *       refuses devices without an IOMMU group and bridges ({@code EINVAL}), and creates {@code /dev/vfio/N};</li>
 *   <li>{@link #pciback()} (Xen) claims every device but only accepts those listed through its
 *       {@code new_slot} attribute or whose override is {@code pciback} (otherwise {@code ENODEV}).</li>
 * </ul>
 */
public final class DriverSpec {

    /** How binding the driver behaves beyond id matching. */
    enum Role {
        HOST, VFIO, PCIBACK
    }

    private static final Map<String, DriverSpec> KNOWN = catalog();

    private final String name;
    private final String module;
    private final List<IdMatch> ids;
    private final boolean netdevs;
    private final boolean sriov;
    private final int sriovLimit;
    private final Role role;

    private DriverSpec(String name, String module, List<IdMatch> ids, boolean netdevs, boolean sriov, int sriovLimit,
            Role role) {
        this.name = name;
        this.module = module;
        this.ids = List.copyOf(ids);
        this.netdevs = netdevs;
        this.sriov = sriov;
        this.sriovLimit = sriovLimit;
        this.role = role;
    }

    /**
     * A host driver that claims no ids yet, does not create netdevs and does not configure SR-IOV; add what it does
     * with {@link #matching}, {@link #withNetdevs()}, {@link #withSriov(int)}. Its module name is the driver name
     * with {@code -} replaced by {@code _}.
     *
     * @param name the driver's name, as it appears under {@code /sys/bus/pci/drivers}
     * @return the description
     * @throws IllegalArgumentException if the name is empty, {@code .} or {@code ..}, or contains {@code /},
     *     blanks or control characters
     */
    public static DriverSpec hostDriver(String name) {
        return new DriverSpec(checkName(name, "driver"), name.replace('-', '_'), List.of(), false, false, -1,
                Role.HOST);
    }

    /**
     * The {@code vfio-pci} driver (module {@code vfio_pci}).
     *
     * @return the description
     */
    public static DriverSpec vfioPci() {
        return new DriverSpec("vfio-pci", "vfio_pci", List.of(), false, false, -1, Role.VFIO);
    }

    /**
     * Xen's {@code pciback} driver (module {@code xen_pciback}) with its {@code slots}, {@code new_slot} and
     * {@code remove_slot} attributes (slot wildcards are not simulated).
     *
     * @return the description
     */
    public static DriverSpec pciback() {
        return new DriverSpec("pciback", "xen_pciback",
                List.of(new IdMatch(IdMatch.ANY, IdMatch.ANY, IdMatch.ANY, IdMatch.ANY, 0, 0)), false, false, -1,
                Role.PCIBACK);
    }

    /**
     * A built-in driver by name.
     *
     * @param name e.g. {@code igb}, {@code vfio-pci}
     * @return the description, or empty if there is no built-in driver of that name
     */
    public static Optional<DriverSpec> known(String name) {
        return Optional.ofNullable(KNOWN.get(name));
    }

    /**
     * The names of the built-in drivers.
     *
     * @return the names, in catalog order
     */
    public static Set<String> knownNames() {
        return Collections.unmodifiableSet(KNOWN.keySet());
    }

    /**
     * This driver, also claiming the given vendor:device ids (any subsystem, any class).
     *
     * @param ids the ids to add to the id table
     * @return a new description
     */
    public DriverSpec matching(PciId... ids) {
        List<IdMatch> list = new ArrayList<>(this.ids);
        for (PciId id : ids) {
            list.add(IdMatch.of(id.vendor(), id.device()));
        }
        return withIds(list);
    }

    /**
     * This driver, also claiming every device of a vendor (as {@code virtio-pci} claims vendor {@code 1af4}).
     *
     * @param vendor the vendor id, 0 to 0xffff
     * @return a new description
     * @throws IllegalArgumentException if the vendor id is out of range
     */
    public DriverSpec matchingVendor(int vendor) {
        if (vendor < 0 || vendor > 0xffff) {
            throw new IllegalArgumentException("vendor id must be 0..0xffff: " + vendor);
        }
        List<IdMatch> list = new ArrayList<>(ids);
        list.add(IdMatch.ofVendor(vendor));
        return withIds(list);
    }

    /**
     * This driver, also claiming every device whose class code matches {@code classCode} in the bits of
     * {@code mask} (as {@code pcieport} claims {@code 0x060400} with mask {@code 0xffffff}).
     *
     * @param classCode the 24-bit class code
     * @param mask which bits must match, 24-bit
     * @return a new description
     * @throws IllegalArgumentException if a value is not 24-bit
     */
    public DriverSpec matchingClass(int classCode, int mask) {
        if (classCode < 0 || classCode > 0xffffff || mask < 0 || mask > 0xffffff) {
            throw new IllegalArgumentException("class code and mask must be 24-bit: " + classCode + ", " + mask);
        }
        List<IdMatch> list = new ArrayList<>(ids);
        list.add(IdMatch.ofClass(classCode, mask));
        return withIds(list);
    }

    /**
     * This driver, creating a netdev {@code ethN} for every network-class function it binds.
     *
     * @return a new description
     */
    public DriverSpec withNetdevs() {
        return new DriverSpec(name, module, ids, true, sriov, sriovLimit, role);
    }

    /**
     * This driver, implementing {@code sriov_configure} without lowering {@code sriov_totalvfs}.
     *
     * @return a new description
     */
    public DriverSpec withSriov() {
        return new DriverSpec(name, module, ids, netdevs, true, -1, role);
    }

    /**
     * This driver, implementing {@code sriov_configure} and limiting {@code sriov_totalvfs} to {@code maxVfs}
     * while bound (as {@code igb} limits the 82576's 8 VFs to 7). A limit above the hardware's total has no
     * effect, as in the kernel.
     *
     * @param maxVfs the most VFs the driver supports, 0 to 0xffff
     * @return a new description
     * @throws IllegalArgumentException if {@code maxVfs} is out of range
     */
    public DriverSpec withSriov(int maxVfs) {
        if (maxVfs < 0 || maxVfs > 0xffff) {
            throw new IllegalArgumentException("maxVfs must be 0..0xffff: " + maxVfs);
        }
        return new DriverSpec(name, module, ids, netdevs, true, maxVfs, role);
    }

    /**
     * This driver with another module name (the target of {@code /sys/bus/pci/drivers/NAME/module}).
     *
     * @param module the module name, e.g. {@code pcieportdrv}
     * @return a new description
     * @throws IllegalArgumentException if the name is not a valid file name
     */
    public DriverSpec withModule(String module) {
        return new DriverSpec(name, checkName(module, "module"), ids, netdevs, sriov, sriovLimit, role);
    }

    private DriverSpec withIds(List<IdMatch> list) {
        return new DriverSpec(name, module, list, netdevs, sriov, sriovLimit, role);
    }

    /**
     * The driver's name.
     *
     * @return e.g. {@code igb}
     */
    public String name() {
        return name;
    }

    /**
     * The module's name.
     *
     * @return e.g. {@code vfio_pci}
     */
    public String module() {
        return module;
    }

    /**
     * Whether binding a network-class function creates a netdev.
     *
     * @return true for network drivers
     */
    public boolean createsNetdevs() {
        return netdevs;
    }

    /**
     * Whether the driver implements {@code sriov_configure}.
     *
     * @return true if {@code sriov_numvfs} works on PFs bound to it
     */
    public boolean configuresSriov() {
        return sriov;
    }

    /**
     * The limit the driver puts on {@code sriov_totalvfs}.
     *
     * @return the limit, or empty if it keeps the hardware's total
     */
    public OptionalInt sriovVfLimit() {
        return sriovLimit < 0 ? OptionalInt.empty() : OptionalInt.of(sriovLimit);
    }

    List<IdMatch> ids() {
        return ids;
    }

    Role role() {
        return role;
    }

    static String checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("not a valid " + what + " name: \"" + name + "\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException("not a valid " + what + " name (blank or control character): \""
                        + KernelText.escape(name) + "\"");
            }
        }
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriverSpec d && name.equals(d.name) && module.equals(d.module) && ids.equals(d.ids)
                && netdevs == d.netdevs && sriov == d.sriov && sriovLimit == d.sriovLimit && role == d.role;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, module, ids, netdevs, sriov, sriovLimit, role);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("DriverSpec[").append(name);
        if (!module.equals(name)) {
            b.append(" (module ").append(module).append(')');
        }
        if (role != Role.HOST) {
            b.append(", ").append(role.name().toLowerCase(java.util.Locale.ROOT));
        }
        b.append(", ids ").append(ids);
        if (netdevs) {
            b.append(", netdevs");
        }
        if (sriov) {
            b.append(", sriov").append(sriovLimit >= 0 ? " max " + sriovLimit : "");
        }
        return b.append(']').toString();
    }

    private static PciId[] intel(int... devices) {
        PciId[] out = new PciId[devices.length];
        for (int i = 0; i < devices.length; i++) {
            out[i] = new PciId(0x8086, devices[i]);
        }
        return out;
    }

    private static Map<String, DriverSpec> catalog() {
        Map<String, DriverSpec> m = new LinkedHashMap<>();
        // 82576, 82576 NS/serdes/quad, 82580, I350
        put(m, hostDriver("igb").matching(intel(0x10c9, 0x10e6, 0x10e7, 0x10e8, 0x150a, 0x150d, 0x1518, 0x1526,
                0x150e, 0x150f, 0x1510, 0x1511, 0x1516, 0x1521, 0x1522, 0x1523, 0x1524, 0x1533, 0x1536, 0x1537,
                0x1538, 0x1539, 0x157b, 0x157c)).withNetdevs().withSriov(7));
        put(m, hostDriver("igbvf").matching(intel(0x10ca, 0x152d, 0x1520, 0x152f)).withNetdevs());
        put(m, hostDriver("e1000").matching(intel(0x1000, 0x1001, 0x1004, 0x100e, 0x100f, 0x1010, 0x1011, 0x1026))
                .withNetdevs());
        put(m, hostDriver("e1000e").matching(intel(0x105e, 0x105f, 0x1060, 0x10a4, 0x10bc, 0x107d, 0x107e, 0x107f,
                0x108b, 0x108c, 0x109a, 0x10d3, 0x10f6, 0x1502, 0x1503, 0x153a, 0x153b, 0x15b7, 0x15b8)).withNetdevs());
        put(m, hostDriver("ixgbe").matching(intel(0x10fb, 0x10f8, 0x10f9, 0x10fc, 0x1528, 0x1560, 0x1563, 0x15ab,
                0x15ad)).withNetdevs().withSriov(63));
        put(m, hostDriver("ixgbevf").matching(intel(0x10ed, 0x152e, 0x1515, 0x1530, 0x1564, 0x1565, 0x15a8,
                0x15a9)).withNetdevs());
        put(m, hostDriver("i40e").matching(intel(0x1572, 0x1574, 0x1580, 0x1581, 0x1583, 0x1584, 0x1585, 0x1586,
                0x1587, 0x1588, 0x1589, 0x158a, 0x158b, 0x37d0, 0x37d1, 0x37d2, 0x37d3)).withNetdevs().withSriov());
        put(m, hostDriver("iavf").matching(intel(0x154c, 0x1571, 0x1889, 0x37cd)).withNetdevs());
        put(m, hostDriver("pcieport").matchingClass(0x060400, 0xffffff).matchingClass(0x060401, 0xffffff)
                .withModule("pcieportdrv"));
        put(m, hostDriver("virtio-pci").matchingVendor(0x1af4));
        put(m, vfioPci());
        put(m, pciback());
        return Collections.unmodifiableMap(m);
    }

    private static void put(Map<String, DriverSpec> m, DriverSpec d) {
        m.put(d.name(), d);
    }
}
