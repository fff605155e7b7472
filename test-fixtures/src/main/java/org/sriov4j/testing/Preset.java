package org.sriov4j.testing;

/**
 * Ready-made simulated hosts, for {@link SimulatedHost} or on their own ({@link #newKernel()}).
 *
 * <pre>{@code
 * SimulatedKernel kernel = Preset.TWO_PFS_TWO_NUMA_NODES.newKernel();
 * }</pre>
 */
public enum Preset {

    /**
     * {@link SimulatedKernel#intel82576Host()}: QEMU q35 with one Intel 82576 PF at {@code 0000:01:00.0} on igb
     * ({@code eth0}, IOMMU group 5, up to 7 VFs, none enabled); igbvf and vfio-pci loaded; IOMMU on.
     */
    INTEL_82576,

    /**
     * Two Intel 82576 PFs on two NUMA nodes: {@code 0000:01:00.0} (node 0, behind root port {@code 0000:00:01.0},
     * {@code eth0}) and {@code 0000:81:00.0} (node 1, behind root port {@code 0000:80:01.0}, {@code eth1}); each
     * function in its own IOMMU group (0 to 3); igb, igbvf and vfio-pci loaded; no VFs enabled.
     */
    TWO_PFS_TWO_NUMA_NODES,

    /**
     * {@link #INTEL_82576} plus a dual-port Intel 82571EB ({@code 8086:105e}) behind root port
     * {@code 0000:00:04.0}: {@code 0000:03:00.0} without driver and {@code 0000:03:00.1} on the host driver e1000e
     * ({@code eth1}), both in one IOMMU group (7), so that group is not viable for device assignment while the
     * companion {@code 03:00.1} stays on e1000e. The 82576 PF is in group 6.
     */
    SHARED_GROUP_WITH_HOST_COMPANION,

    /**
     * {@link #INTEL_82576} without an IOMMU: no {@code iommu_group} links, no groups, and vfio-pci refuses every
     * device.
     */
    NO_IOMMU;

    /**
     * Builds a fresh kernel of this shape.
     *
     * @return a new kernel
     */
    public SimulatedKernel newKernel() {
        switch (this) {
            case TWO_PFS_TWO_NUMA_NODES:
                return SimulatedKernel.builder()
                        .bridge("0000:00:01.0", 0x01, FunctionSpec.pcieRootPort().withNumaNode(0))
                        .pf("0000:01:00.0", PfSpec.intel82576().withNumaNode(0))
                        .bridge("0000:80:01.0", 0x81, FunctionSpec.pcieRootPort().withNumaNode(1))
                        .pf("0000:81:00.0", PfSpec.intel82576().withNumaNode(1))
                        .loadDrivers("igbvf", "vfio-pci")
                        .build();
            case SHARED_GROUP_WITH_HOST_COMPANION:
                return SimulatedKernel.builder().qemuQ35()
                        .intel82576("0000:01:00.0")
                        .bridge("0000:00:04.0", 0x03)
                        .function("0000:03:00.0", FunctionSpec.of("8086:105e", 0x020000))
                        .function("0000:03:00.1", FunctionSpec.of("8086:105e", 0x020000).withDriver("e1000e"))
                        .iommuGroup("0000:03:00.0", "0000:03:00.1")
                        .loadDrivers("igbvf", "vfio-pci")
                        .build();
            case NO_IOMMU:
                return SimulatedKernel.builder().iommu(false).qemuQ35().intel82576("0000:01:00.0")
                        .loadDrivers("igbvf", "vfio-pci").build();
            case INTEL_82576:
            default:
                return SimulatedKernel.intel82576Host();
        }
    }
}
