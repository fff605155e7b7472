/**
 * The sriov4j engine and its service provider interfaces: sysfs access, hypervisor backends and vendor plugins.
 *
 * <p>Backends ({@code sriov4j-vfio}, {@code sriov4j-xen}) and vendor plugins implement the interfaces in
 * {@code org.sriov4j.spi}; applications use only the {@code org.sriov4j} API. {@code org.sriov4j.spi.engine} opens
 * the engine on a sysfs of the caller's choice (the simulated kernel of {@code sriov4j-test-fixtures} does). The
 * engine ({@code org.sriov4j.spi.internal}) and the shipped vendor plugins ({@code org.sriov4j.spi.vendor}) are not
 * exported. The packages' dependencies have no cycle: {@code internal} and {@code vendor} depend on {@code spi},
 * {@code engine} on {@code internal}.
 */
module org.sriov4j.spi {
    requires transitive org.sriov4j;
    requires static org.jspecify;
    // the netlink socket (org.sriov4j.spi.netlink), loaded at the first VF network request only, and
    // ETHTOOL_GDRVINFO for device profiles (org.sriov4j.spi.internal.JnaEthtool), loaded on first use only
    requires com.sun.jna;

    exports org.sriov4j.spi;
    exports org.sriov4j.spi.engine;

    provides org.sriov4j.bootstrap.SriovHostFactory with org.sriov4j.spi.internal.EngineHostFactory;
    // the shipped vendor plugins live in org.sriov4j.spi.vendor, which is not exported
    provides org.sriov4j.spi.VendorPlugin with org.sriov4j.spi.vendor.GenericVendorPlugin,
            org.sriov4j.spi.vendor.IntelIgbVendorPlugin;

    uses org.sriov4j.spi.HypervisorBackendProvider;
    uses org.sriov4j.spi.VendorPlugin;
    uses org.sriov4j.GuestHook;
}
