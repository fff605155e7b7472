/**
 * The KVM-VFIO backend of sriov4j: functions prepared for guests are bound to {@code vfio-pci}.
 *
 * <p>Registered through {@link java.util.ServiceLoader} as {@link org.sriov4j.spi.HypervisorBackendProvider} with
 * id {@code kvm-vfio}. JNA is loaded only when the backend is used.
 *
 * <p>Exports {@code org.sriov4j.vfio}: {@link org.sriov4j.vfio.VfioSystem}, {@link org.sriov4j.vfio.IommuDomain}
 * (DMA mapping for one guest) and {@link org.sriov4j.vfio.AssignedDevice} (regions, interrupts, reset) for a VMM
 * that drives assigned devices itself. No JNA type appears in their signatures.
 */
module org.sriov4j.vfio {
    requires transitive org.sriov4j.spi;
    requires static org.jspecify;
    requires com.sun.jna;

    exports org.sriov4j.vfio;
    // the kernel seam (system calls, structure layouts) for the shipped fake, and only for it; its entry point
    // builds a VfioSystem over the fake through VfioSystem's package-private constructor
    exports org.sriov4j.vfio.kernel to org.sriov4j.vfio.testing;
    opens org.sriov4j.vfio to org.sriov4j.vfio.testing;

    // the provider lives in org.sriov4j.vfio.internal, which is not exported
    provides org.sriov4j.spi.HypervisorBackendProvider with org.sriov4j.vfio.internal.KvmVfioBackendProvider;
}
