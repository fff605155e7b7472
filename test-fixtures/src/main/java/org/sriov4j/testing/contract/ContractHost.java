package org.sriov4j.testing.contract;

import java.util.List;
import java.util.Objects;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.NioDeviceNodeAccess;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.testing.SimulatedKernel;

/**
 * A host the contract kits run against: raw sysfs and {@code /dev} access (to arrange and to check state
 * independently of the library), a way to open the library on it, and the PFs the kits may change.
 */
public interface ContractHost {

    /**
     * A short name for reports, e.g. {@code "simulated"} or {@code "linux 6.12"}.
     *
     * @return the name
     */
    String name();

    /**
     * Raw sysfs access to this host.
     *
     * @return sysfs
     */
    SysfsAccess sysfs();

    /**
     * Raw {@code /dev} access to this host.
     *
     * @return device nodes
     */
    DeviceNodeAccess devices();

    /**
     * Opens the library on this host.
     *
     * @return a new host object; the kits close it
     */
    SriovHost open();

    /**
     * The PFs the kits may change; at least one. Kits that need two PFs are skipped when there is one.
     *
     * @return the PFs
     */
    List<PfUnderTest> pfs();

    /**
     * The driver the library's backend moves functions onto when it detaches them.
     *
     * @return {@code vfio-pci} (kvm-vfio, the default) or {@code pciback} (xen-pciback)
     */
    default String stubDriver() {
        return "vfio-pci";
    }

    /**
     * Starts a process that opens {@code f}'s VFIO group and device, as a VMM does, and keeps the device open until
     * closed: the simulated kernel's {@link org.sriov4j.testing.SimulatedProcess}, a child process on a real host.
     * Default: not supported (the kits that need it are skipped).
     *
     * @param f a function on vfio-pci
     * @param keepGroupFd false to close the group fd once the device fd is open (the device fd stays open)
     * @return the running holder; returns once the device is open
     */
    default VfioDeviceHolder holdVfioDevice(PciAddress f, boolean keepGroupFd) {
        org.junit.jupiter.api.Assumptions.abort(name() + " cannot start a VFIO device holder");
        throw new IllegalStateException("unreachable");
    }

    /**
     * This host, with {@code starter} as its {@link #holdVfioDevice(PciAddress, boolean)}.
     *
     * @param starter starts a holder process
     * @return the host
     */
    default ContractHost withVfioDeviceHolders(java.util.function.BiFunction<PciAddress, Boolean, VfioDeviceHolder>
            starter) {
        Objects.requireNonNull(starter, "starter");
        return new ForwardingContractHost(this) {
            @Override
            public VfioDeviceHolder holdVfioDevice(PciAddress f, boolean keepGroupFd) {
                return starter.apply(f, keepGroupFd);
            }
        };
    }

    /**
     * How the kits look at VF network settings without the library, and bring a PF's link up or down.
     *
     * @return the inspector, or empty when the host has none (the network kit is then skipped)
     */
    default java.util.Optional<NetInspector> net() {
        return java.util.Optional.empty();
    }

    /**
     * The same host, with another stub driver (e.g. {@code pciback} for a Xen host).
     *
     * @param stubDriver the stub driver the kits expect
     * @return the host
     */
    default ContractHost withStubDriver(String stubDriver) {
        Objects.requireNonNull(stubDriver, "stubDriver");
        return new ForwardingContractHost(this) {
            @Override
            public String stubDriver() {
                return stubDriver;
            }
        };
    }

    /**
     * A simulated host.
     *
     * @param kernel the simulated kernel
     * @param pfs the PFs under test, present in {@code kernel}
     * @return the host
     */
    static ContractHost simulated(SimulatedKernel kernel, PfUnderTest... pfs) {
        Objects.requireNonNull(kernel, "kernel");
        List<PfUnderTest> list = List.of(pfs);
        return new ContractHost() {
            @Override
            public String name() {
                return "simulated";
            }

            @Override
            public SysfsAccess sysfs() {
                return kernel;
            }

            @Override
            public DeviceNodeAccess devices() {
                return kernel.devices();
            }

            @Override
            public SriovHost open() {
                return kernel.openHost();
            }

            @Override
            public List<PfUnderTest> pfs() {
                return list;
            }

            @Override
            public VfioDeviceHolder holdVfioDevice(PciAddress f, boolean keepGroupFd) {
                org.sriov4j.testing.SimulatedProcess p = kernel.startProcess("qemu-system-x86");
                int group = kernel.iommuGroupOf(f).orElseThrow();
                int g = p.openGroup(group);
                p.openDevice(f);
                if (!keepGroupFd) {
                    p.close(g);
                }
                return new VfioDeviceHolder() {
                    @Override
                    public long pid() {
                        return p.pid();
                    }

                    @Override
                    public void close() {
                        p.exit();
                    }
                };
            }

            @Override
            public java.util.Optional<NetInspector> net() {
                return java.util.Optional.of(new NetInspector() {
                    @Override
                    public java.util.Map<Integer, org.sriov4j.VfNetConfig> vfs(String pfNetdev) {
                        java.util.Map<Integer, org.sriov4j.VfNetConfig> m = new java.util.TreeMap<>();
                        kernel.netlink().link(pfNetdev).vfs().forEach(v -> m.put(v.index(), v.config()));
                        return m;
                    }

                    @Override
                    public void setLinkUp(String netdev, boolean up) {
                        kernel.netlink().setLinkUp(netdev, up);
                    }
                });
            }
        };
    }

    /**
     * The host this process runs on ({@code /sys} and {@code /dev}, or the roots of {@code config}); changing it
     * needs root.
     *
     * @param name a name for reports
     * @param config where sysfs and {@code /dev} are
     * @param pfs the PFs under test
     * @return the host
     */
    static ContractHost real(String name, SriovConfig config, PfUnderTest... pfs) {
        Objects.requireNonNull(config, "config");
        List<PfUnderTest> list = List.of(pfs);
        SysfsAccess sysfs = new NioSysfsAccess(config.sysfsRoot(), config.writableTree());
        DeviceNodeAccess devices = new NioDeviceNodeAccess(config.devRoot());
        return new ContractHost() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public SysfsAccess sysfs() {
                return sysfs;
            }

            @Override
            public DeviceNodeAccess devices() {
                return devices;
            }

            @Override
            public SriovHost open() {
                return SriovEngine.open(config, sysfs, devices);
            }

            @Override
            public List<PfUnderTest> pfs() {
                return list;
            }

            @Override
            public java.util.Optional<NetInspector> net() {
                return java.util.Optional.of(new IpLink());
            }
        };
    }
}
