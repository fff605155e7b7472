/**
 * The Xen backend of sriov4j: functions prepared for guests are bound to {@code pciback} in the control domain.
 *
 * <p>Registered through {@link java.util.ServiceLoader} as {@link org.sriov4j.spi.HypervisorBackendProvider} with
 * id {@code xen-pciback}.
 */
module org.sriov4j.xen {
    requires transitive org.sriov4j.spi;
    requires static org.jspecify;

    provides org.sriov4j.spi.HypervisorBackendProvider with org.sriov4j.xen.XenPcibackBackendProvider;
}
