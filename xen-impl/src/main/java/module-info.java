/**
 * The Xen backend of sriov4j: functions prepared for guests are bound to {@code pciback} in the control domain,
 * recorded where libxl looks for them, and attached to running domains with {@code xl}.
 *
 * <p>Registered through {@link java.util.ServiceLoader} as {@link org.sriov4j.spi.HypervisorBackendProvider} with
 * id {@code xen-pciback}. Exports {@code org.sriov4j.xen}: {@link org.sriov4j.xen.XenToolstackException}, the typed
 * refusals of the toolstack.
 */
module org.sriov4j.xen {
    requires transitive org.sriov4j.spi;
    requires static org.jspecify;

    exports org.sriov4j.xen;

    // the provider lives in org.sriov4j.xen.internal, which is not exported
    provides org.sriov4j.spi.HypervisorBackendProvider with org.sriov4j.xen.internal.XenPcibackBackendProvider;
}
