package org.sriov4j.spi;

import java.util.Objects;
import org.sriov4j.SriovConfig;

/**
 * What a backend's {@link AssignmentSteps} work with.
 *
 * @param config the host's configuration
 * @param sysfs sysfs access
 * @param commands files outside sysfs and the hypervisor's tools
 */
public record BackendContext(SriovConfig config, SysfsAccess sysfs, HostCommands commands) {

    /**
     * Checks the values.
     *
     * @param config the host's configuration
     * @param sysfs sysfs access
     * @param commands files outside sysfs and the hypervisor's tools
     */
    public BackendContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sysfs, "sysfs");
        Objects.requireNonNull(commands, "commands");
    }
}
