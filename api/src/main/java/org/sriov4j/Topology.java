package org.sriov4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of the host's SR-IOV topology: its physical functions, their virtual functions, and the
 * IOMMU groups they are in. A snapshot never changes; take a new one with {@link SriovHost#topology()} to see
 * changes. Safe to share between threads.
 */
public final class Topology {

    private final ScanScope scope;
    private final List<PciFunction> functions;
    private final Map<PciAddress, PciFunction> byAddress;
    private final List<PhysicalFunction> pfs;
    private final Map<PciAddress, PhysicalFunction> pfByAddress;
    private final List<VirtualFunction> vfs;
    private final Map<PciAddress, VirtualFunction> vfByAddress;
    private final Map<String, PciFunction> byNetdev;
    private final Map<Integer, IommuGroup> groups;
    private final Map<PciAddress, IommuGroup> groupByDevice;

    private Topology(ScanScope scope, Collection<PciFunction> functions, Collection<PhysicalFunction> pfs,
            Collection<VirtualFunction> vfs, Collection<IommuGroup> groups) {
        this.scope = Objects.requireNonNull(scope, "scope");
        this.functions = functions.stream().sorted(Comparator.comparing(PciFunction::address)).toList();
        Map<PciAddress, PciFunction> fa = new HashMap<>();
        Map<String, PciFunction> nd = new HashMap<>();
        for (PciFunction f : this.functions) {
            if (fa.put(f.address(), f) != null) {
                throw new IllegalArgumentException("duplicate function " + f.address());
            }
            for (String n : f.netdevs()) {
                nd.put(n, f);
            }
        }
        this.byAddress = Map.copyOf(fa);
        this.byNetdev = Map.copyOf(nd);
        this.pfs = pfs.stream().sorted(Comparator.comparing(PhysicalFunction::address)).toList();
        Map<PciAddress, PhysicalFunction> pa = new HashMap<>();
        for (PhysicalFunction p : this.pfs) {
            pa.put(p.address(), p);
        }
        this.pfByAddress = Map.copyOf(pa);
        this.vfs = vfs.stream()
                .sorted(Comparator.comparing(VirtualFunction::pf).thenComparingInt(VirtualFunction::index))
                .toList();
        Map<PciAddress, VirtualFunction> va = new HashMap<>();
        for (VirtualFunction v : this.vfs) {
            va.put(v.address(), v);
        }
        this.vfByAddress = Map.copyOf(va);
        Map<Integer, IommuGroup> g = new TreeMap<>();
        Map<PciAddress, IommuGroup> gd = new HashMap<>();
        for (IommuGroup group : groups) {
            g.put(group.number(), group);
            for (PciAddress a : group.devices()) {
                gd.put(a, group);
            }
        }
        this.groups = java.util.Collections.unmodifiableMap(g);
        this.groupByDevice = Map.copyOf(gd);
        for (PhysicalFunction p : this.pfs) {
            requireFunction(p.function());
        }
        for (VirtualFunction v : this.vfs) {
            requireFunction(v.function());
        }
    }

    private void requireFunction(PciFunction f) {
        if (byAddress.get(f.address()) != f && !f.equals(byAddress.get(f.address()))) {
            throw new IllegalArgumentException("PF/VF " + f.address() + " is not among the functions");
        }
    }

    /**
     * Builds a snapshot. Used by the engine and by tests; every PF and VF must also be among {@code functions}.
     *
     * @param scope which functions were scanned
     * @param functions every scanned function
     * @param pfs the physical functions
     * @param vfs the virtual functions
     * @param groups the IOMMU groups of the scanned functions
     * @return the snapshot
     * @throws IllegalArgumentException if a PF or VF is missing from {@code functions} or an address repeats
     */
    public static Topology of(ScanScope scope, Collection<PciFunction> functions, Collection<PhysicalFunction> pfs,
            Collection<VirtualFunction> vfs, Collection<IommuGroup> groups) {
        return new Topology(scope, functions, pfs, vfs, groups);
    }

    /**
     * Which functions this snapshot describes.
     *
     * @return the scope the scan used
     */
    public ScanScope scope() {
        return scope;
    }

    /**
     * Every function described, sorted by address: PFs and VFs, plus all other functions under
     * {@link ScanScope#ALL_FUNCTIONS}.
     *
     * @return the functions
     */
    public List<PciFunction> functions() {
        return functions;
    }

    /**
     * The physical functions, sorted by address.
     *
     * @return the PFs
     */
    public List<PhysicalFunction> physicalFunctions() {
        return pfs;
    }

    /**
     * The virtual functions, sorted by PF then VF index.
     *
     * @return the VFs
     */
    public List<VirtualFunction> virtualFunctions() {
        return vfs;
    }

    /**
     * The VFs of one PF, by index.
     *
     * @param pf the PF's address
     * @return its VFs (empty if it has none or is not a PF)
     */
    public List<VirtualFunction> virtualFunctionsOf(PciAddress pf) {
        List<VirtualFunction> out = new ArrayList<>();
        for (VirtualFunction v : vfs) {
            if (v.pf().equals(pf)) {
                out.add(v);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Looks a function up by address.
     *
     * @param address the address
     * @return the function, if described
     */
    public Optional<PciFunction> function(PciAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /**
     * Looks a physical function up by address.
     *
     * @param address the address
     * @return the PF, if that address is one
     */
    public Optional<PhysicalFunction> physicalFunction(PciAddress address) {
        return Optional.ofNullable(pfByAddress.get(address));
    }

    /**
     * Looks a virtual function up by address.
     *
     * @param address the address
     * @return the VF, if that address is one
     */
    public Optional<VirtualFunction> virtualFunction(PciAddress address) {
        return Optional.ofNullable(vfByAddress.get(address));
    }

    /**
     * Looks a function up by the name of one of its network interfaces.
     *
     * @param netdev an interface name such as {@code eth0}
     * @return the function, if a described function has that interface
     */
    public Optional<PciFunction> functionByNetdev(String netdev) {
        return Optional.ofNullable(byNetdev.get(netdev));
    }

    /**
     * The IOMMU groups of the described functions, by number.
     *
     * @return the groups, sorted by number
     */
    public List<IommuGroup> iommuGroups() {
        return List.copyOf(groups.values());
    }

    /**
     * Looks an IOMMU group up by number.
     *
     * @param number the group number
     * @return the group, if a described function is in it
     */
    public Optional<IommuGroup> iommuGroup(int number) {
        return Optional.ofNullable(groups.get(number));
    }

    /**
     * The IOMMU group a function is in.
     *
     * @param address the function
     * @return its group; empty without an IOMMU or if the function is not described
     */
    public Optional<IommuGroup> iommuGroupOf(PciAddress address) {
        return Optional.ofNullable(groupByDevice.get(address));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Topology t && scope == t.scope && functions.equals(t.functions) && pfs.equals(t.pfs)
                && vfs.equals(t.vfs) && groups.equals(t.groups);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scope, functions, pfs, vfs, groups);
    }

    @Override
    public String toString() {
        return "Topology[" + pfs.size() + " PFs, " + vfs.size() + " VFs, " + functions.size() + " functions, "
                + groups.size() + " IOMMU groups]";
    }
}
