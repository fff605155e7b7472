/**
 * Test fixtures for sriov4j: a simulated Linux kernel that answers sysfs reads and reacts to sysfs writes the way
 * Linux 6.12 does, plus a JUnit 5 extension that hands a fresh one to each test.
 *
 * <p>JUnit is an optional dependency: the simulator works without it; only {@link
 * org.sriov4j.testing.SimulatedKernelExtension} and {@link org.sriov4j.testing.SimulatedHost} need it. The fixtures
 * are never registered through {@link java.util.ServiceLoader}.
 */
module org.sriov4j.testing {
    requires transitive org.sriov4j.spi;
    // static: JUnit is optional; transitive: the extension's public signatures use JUnit types
    requires static transitive org.junit.jupiter.api;
    requires static org.jspecify;

    exports org.sriov4j.testing;
    exports org.sriov4j.testing.contract;
}
