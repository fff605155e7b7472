package org.sriov4j.spi.internal;

import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.Topology;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.SysfsAccess;

/** The engine's {@link SriovHost}. */
public final class EngineHost implements SriovHost {

    private final SriovConfig config;
    private final SysfsAccess sysfs;
    private final DeviceNodeAccess devices;
    private final TopologyScanner scanner;
    private final VfController vfs;

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
        this.vfs = new VfController(sysfs, scanner);
    }

    @Override
    public SriovConfig config() {
        return config;
    }

    @Override
    public Topology topology(ScanScope scope) {
        return scanner.scan(scope);
    }

    @Override
    public PhysicalFunction enableVfs(PciAddress pf, int count, VfEnableOptions options) {
        return vfs.enable(pf, count, options);
    }

    @Override
    public PhysicalFunction disableVfs(PciAddress pf) {
        return vfs.disable(pf, VfEnableOptions.DEFAULT_TIMEOUT);
    }

    SysfsAccess sysfs() {
        return sysfs;
    }

    DeviceNodeAccess devices() {
        return devices;
    }

    @Override
    public void close() {
        vfs.close();
    }
}
