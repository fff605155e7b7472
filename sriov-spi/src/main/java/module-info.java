/**
 * The sriov4j engine and its service provider interfaces: sysfs access, hypervisor backends and vendor plugins.
 *
 * <p>Backends ({@code sriov4j-vfio}, {@code sriov4j-xen}) and vendor plugins implement the interfaces in
 * {@code org.sriov4j.spi}; applications use only the {@code org.sriov4j} API.
 */
module org.sriov4j.spi {
    requires transitive org.sriov4j;
    requires static org.jspecify;
    // the netlink socket (org.sriov4j.spi.netlink), loaded at the first VF network request only
    requires com.sun.jna;

    exports org.sriov4j.spi;

    provides org.sriov4j.bootstrap.SriovHostFactory with org.sriov4j.spi.internal.EngineHostFactory;
    // the shipped vendor plugins live in org.sriov4j.spi.vendor, which is not exported
    provides org.sriov4j.spi.VendorPlugin with org.sriov4j.spi.vendor.GenericVendorPlugin,
            org.sriov4j.spi.vendor.IntelIgbVendorPlugin;

    uses org.sriov4j.spi.HypervisorBackendProvider;
    uses org.sriov4j.spi.VendorPlugin;
}
