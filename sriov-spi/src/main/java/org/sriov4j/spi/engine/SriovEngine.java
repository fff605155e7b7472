package org.sriov4j.spi.engine;

import java.util.Objects;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.NioDeviceNodeAccess;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.RtNetlink;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.internal.EngineHost;

/**
 * Opens the engine on an explicit sysfs and {@code /dev} implementation. {@link SriovHost#open(SriovConfig)} uses
 * this with {@link NioSysfsAccess} on the configured roots; the simulated kernel of {@code sriov4j-test-fixtures}
 * uses it with itself.
 */
public final class SriovEngine {

    private SriovEngine() {
    }

    /**
     * Opens a host on the given sysfs and device-node accessors. The roots in {@code config} are not used.
     *
     * @param config the configuration
     * @param sysfs how to read and write sysfs
     * @param devices how to look at {@code /dev}
     * @return an open host
     */
    public static SriovHost open(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices) {
        return new EngineHost(Objects.requireNonNull(config, "config"), Objects.requireNonNull(sysfs, "sysfs"),
                Objects.requireNonNull(devices, "devices"));
    }

    /**
     * Opens a host on the given sysfs, device-node accessors and host commands (files outside sysfs and the
     * hypervisor's tools, e.g. a fake {@code xl}). The roots in {@code config} are not used.
     *
     * @param config the configuration
     * @param sysfs how to read and write sysfs
     * @param devices how to look at {@code /dev}
     * @param commands how to read files outside sysfs and run the hypervisor's tools
     * @return an open host
     */
    public static SriovHost open(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices,
            HostCommands commands) {
        java.util.List<HypervisorBackendProvider> providers = new java.util.ArrayList<>();
        java.util.ServiceLoader.load(HypervisorBackendProvider.class, SriovEngine.class.getClassLoader())
                .forEach(providers::add);
        return new EngineHost(Objects.requireNonNull(config, "config"), Objects.requireNonNull(sysfs, "sysfs"),
                Objects.requireNonNull(devices, "devices"), Objects.requireNonNull(commands, "commands"), providers);
    }

    /**
     * Opens a host on the given sysfs, device-node accessors, host commands and routing netlink (the simulated
     * kernel's, in tests). The roots in {@code config} are not used.
     *
     * @param config the configuration
     * @param sysfs how to read and write sysfs
     * @param devices how to look at {@code /dev}
     * @param commands how to read files outside sysfs and run the hypervisor's tools
     * @param netlink how to read and make VF network settings; closed with the host
     * @return an open host
     */
    public static SriovHost open(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices,
            HostCommands commands, RtNetlink netlink) {
        java.util.List<HypervisorBackendProvider> providers = new java.util.ArrayList<>();
        java.util.ServiceLoader.load(HypervisorBackendProvider.class, SriovEngine.class.getClassLoader())
                .forEach(providers::add);
        return new EngineHost(Objects.requireNonNull(config, "config"), Objects.requireNonNull(sysfs, "sysfs"),
                Objects.requireNonNull(devices, "devices"), Objects.requireNonNull(commands, "commands"), providers,
                Objects.requireNonNull(netlink, "netlink"));
    }

    /**
     * Opens a host on the directories named by {@code config}. A sysfs root that is not a sysfs mount is read-only
     * unless {@link SriovConfig#writableTree()} (see {@link NioSysfsAccess}).
     *
     * @param config the configuration
     * @return an open host
     */
    public static SriovHost open(SriovConfig config) {
        return open(config, new NioSysfsAccess(config.sysfsRoot(), config.writableTree()),
                new NioDeviceNodeAccess(config.devRoot()));
    }
}
