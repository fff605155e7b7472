package org.sriov4j.spi.internal;

import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.SysfsAccess;

/** The engine's {@link SriovHost}. */
public final class EngineHost implements SriovHost {

    private final SriovConfig config;
    private final SysfsAccess sysfs;
    private final DeviceNodeAccess devices;
    private final TopologyScanner scanner;

    /**
     * Creates the host.
     *
     * @param config configuration
     * @param sysfs sysfs access
     * @param devices /dev access
     */
    public EngineHost(SriovConfig config, SysfsAccess sysfs, DeviceNodeAccess devices) {
        this.config = config;
        this.sysfs = sysfs;
        this.devices = devices;
        this.scanner = new TopologyScanner(sysfs);
    }

    @Override
    public SriovConfig config() {
        return config;
    }

    @Override
    public Topology topology(ScanScope scope) {
        return scanner.scan(scope);
    }

    SysfsAccess sysfs() {
        return sysfs;
    }

    DeviceNodeAccess devices() {
        return devices;
    }

    @Override
    public void close() {
        // nothing held yet
    }
}
