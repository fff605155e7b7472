/**
 * The KVM-VFIO backend of sriov4j: functions prepared for guests are bound to {@code vfio-pci}.
 *
 * <p>Registered through {@link java.util.ServiceLoader} as {@link org.sriov4j.spi.HypervisorBackendProvider} with
 * id {@code kvm-vfio}. JNA is loaded only when the backend is used.
 */
module org.sriov4j.vfio {
    requires transitive org.sriov4j.spi;
    requires static org.jspecify;

    provides org.sriov4j.spi.HypervisorBackendProvider with org.sriov4j.vfio.KvmVfioBackendProvider;
}
