/**
 * A fake VFIO kernel for unit tests of code that uses {@code org.sriov4j.vfio}: {@link
 * org.sriov4j.vfio.testing.SimulatedVfio} joins it to a {@link org.sriov4j.testing.SimulatedKernel}, so that one
 * simulated host's sysfs and {@code /dev/vfio} agree: a function the engine leases (bound to vfio-pci in the
 * simulator) opens through {@link org.sriov4j.vfio.VfioSystem}, and the fake applies Linux 6.12's VFIO rules
 * (group viability, container and type1 IOMMU, DMA map alignment and IOVA ranges, device regions and interrupts,
 * migration v2, iommufd) to every request, refusing as the kernel would.
 *
 * <p>Never registered through {@link java.util.ServiceLoader}; nothing native is loaded.
 */
module org.sriov4j.vfio.testing {
    requires transitive org.sriov4j.vfio;
    requires transitive org.sriov4j.testing;
    requires static org.jspecify;

    exports org.sriov4j.vfio.testing;
}
