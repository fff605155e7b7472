package org.sriov4j.spi;

/**
 * What a backend probe may look at: sysfs and {@code /dev}. Probes only read; they never load modules or write.
 *
 * @param sysfs sysfs access
 * @param devices device-node access
 */
public record ProbeContext(SysfsAccess sysfs, DeviceNodeAccess devices) {
}
