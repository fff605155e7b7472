/**
 * The sriov4j API: value types describing SR-IOV physical and virtual functions, the {@link org.sriov4j.SriovHost}
 * entry point, and the exception hierarchy.
 *
 * <p>This module depends on nothing but the JDK. The engine that implements {@link org.sriov4j.SriovHost} is found
 * through {@link java.util.ServiceLoader} ({@link org.sriov4j.bootstrap.SriovHostFactory}); put
 * {@code sriov4j-vfio} or {@code sriov4j-xen} on the class path or module path to get one.
 */
module org.sriov4j {
    requires static org.jspecify;

    exports org.sriov4j;
    exports org.sriov4j.bootstrap;
    exports org.sriov4j.migration;
    // the JSON reader/writer of the profile format, for the engine's compatibility matrices; not for applications
    exports org.sriov4j.internal.json to org.sriov4j.spi, org.sriov4j.cli;

    uses org.sriov4j.bootstrap.SriovHostFactory;
}
