package org.sriov4j.testing.contract;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.SysfsAccess;

/**
 * A contract host that answers every {@link ContractHost} method with another host's answer; the {@code with…}
 * variants override only what they change.
 */
abstract class ForwardingContractHost implements ContractHost {
    private final ContractHost host;

    ForwardingContractHost(ContractHost host) {
        this.host = Objects.requireNonNull(host, "host");
    }

    @Override
    public String name() {
        return host.name();
    }

    @Override
    public SysfsAccess sysfs() {
        return host.sysfs();
    }

    @Override
    public DeviceNodeAccess devices() {
        return host.devices();
    }

    @Override
    public SriovHost open() {
        return host.open();
    }

    @Override
    public List<PfUnderTest> pfs() {
        return host.pfs();
    }

    @Override
    public String stubDriver() {
        return host.stubDriver();
    }

    @Override
    public VfioDeviceHolder holdVfioDevice(PciAddress f, boolean keepGroupFd) {
        return host.holdVfioDevice(f, keepGroupFd);
    }

    @Override
    public Optional<NetInspector> net() {
        return host.net();
    }
}
