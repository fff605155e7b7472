package org.sriov4j.spi;

import java.util.Objects;

/**
 * What a backend probe may look at: sysfs, {@code /dev}, and files outside sysfs. Probes only read; they never
 * load modules, run commands or write.
 *
 * @param sysfs sysfs access
 * @param devices device-node access
 * @param commands files outside sysfs (probes may only {@linkplain HostCommands#readFile(String) read})
 */
public record ProbeContext(SysfsAccess sysfs, DeviceNodeAccess devices, HostCommands commands) {

    /**
     * Checks the values.
     *
     * @param sysfs sysfs access
     * @param devices device-node access
     * @param commands files outside sysfs
     */
    public ProbeContext {
        Objects.requireNonNull(sysfs, "sysfs");
        Objects.requireNonNull(devices, "devices");
        Objects.requireNonNull(commands, "commands");
    }

    /**
     * A context without files outside sysfs ({@link HostCommands#none()}).
     *
     * @param sysfs sysfs access
     * @param devices device-node access
     */
    public ProbeContext(SysfsAccess sysfs, DeviceNodeAccess devices) {
        this(sysfs, devices, HostCommands.none());
    }
}
