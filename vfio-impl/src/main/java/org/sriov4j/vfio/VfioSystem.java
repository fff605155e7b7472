package org.sriov4j.vfio;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.NioDeviceNodeAccess;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * Entry point to VFIO on this host: creates {@link IommuDomain}s (one per guest, through iommufd when the kernel
 * offers it, else the legacy container: {@link IommuApi}), eventfds and DMA-able memory.
 *
 * <p>{@link #open()} loads the native bridge (JNA) on first use; nothing native is touched before. The functions
 * must already be bound to vfio-pci: a {@link org.sriov4j.Lease} from {@link org.sriov4j.SriovHost#lease} (managed
 * leases detach the function) or {@link org.sriov4j.SriovHost#detach} does that. {@link #iommuGroup(PciAddress)}
 * checks it in sysfs before anything native happens.
 *
 * <p>Example: <pre>{@code
 * VfioSystem vfio = VfioSystem.open();
 * try (Lease lease = host.lease(PciAddress.parse("0000:01:10.0"), "vm1");
 *      IommuDomain domain = vfio.newDomain()) {
 *     AssignedDevice dev = domain.openDevice(lease);   // the group from sysfs; refused unless on vfio-pci
 *     ...
 * }   // the domain closes first (device, mappings, group, container), then the lease gives the VF back
 * }</pre>
 */
public final class VfioSystem {
    private final LinuxSyscalls sys;
    private final String devRoot;
    private final VfioSysfs sysfs;
    private final BooleanSupplier cdevNodesPresent;

    VfioSystem(LinuxSyscalls sys, String devRoot) {
        this(sys, devRoot, Path.of("/sys"));
    }

    VfioSystem(LinuxSyscalls sys, String devRoot, Path sysfsRoot) {
        this(sys, devRoot, sysfsRoot, null);
    }

    /**
     * @param cdevNodesPresent whether {@code devRoot/vfio/devices/} exists; null: look in the file system
     */
    VfioSystem(LinuxSyscalls sys, String devRoot, Path sysfsRoot, @Nullable BooleanSupplier cdevNodesPresent) {
        this(sys, devRoot, new NioSysfsAccess(sysfsRoot), new NioDeviceNodeAccess(Path.of(devRoot)),
                cdevNodesPresent);
    }

    /**
     * VFIO with the engine's seams: sysfs and /dev are read only through {@code sysfs} and {@code devices}; system
     * calls name nodes under {@code devRoot}.
     *
     * @param cdevNodesPresent whether device cdevs exist; null: ask {@code devices}
     */
    VfioSystem(LinuxSyscalls sys, String devRoot, SysfsAccess sysfs, DeviceNodeAccess devices,
            @Nullable BooleanSupplier cdevNodesPresent) {
        this.sys = sys;
        this.devRoot = devRoot.endsWith("/") ? devRoot : devRoot + "/";
        this.sysfs = new VfioSysfs(sysfs, devices);
        this.cdevNodesPresent = cdevNodesPresent != null ? cdevNodesPresent : this.sysfs::cdevNodesPresent;
    }

    /**
     * VFIO of this host through the C library, with the roots of {@link SriovConfig#defaults()} ({@code /sys} and
     * {@code /dev}), as {@code SriovHost.open(SriovConfig.defaults())} uses. A host opened with other roots (a
     * container's {@code SRIOV4J_SYSFS_ROOT}, read by {@link SriovConfig#fromEnvironment()}; the CLI's
     * {@code --sysfs-root}) passes the same configuration to {@link #open(SriovConfig)}.
     *
     * @return the system
     * @throws UnsatisfiedLinkError when JNA's native part cannot load
     */
    public static VfioSystem open() {
        return open(SriovConfig.defaults());
    }

    /**
     * VFIO of this host with the sysfs and device roots of a configuration (e.g. the CLI's {@code --sysfs-root} and
     * {@code --dev-root}), read through the same seams as the engine's: device nodes are looked for under
     * {@code devRoot/vfio/}, drivers and IOMMU groups under {@code sysfsRoot/bus/pci/devices/}.
     *
     * @param config the configuration whose roots to use
     * @return the system
     * @throws UnsatisfiedLinkError when JNA's native part cannot load
     */
    public static VfioSystem open(SriovConfig config) {
        return new VfioSystem(JnaLinuxSyscalls.INSTANCE, config.devRoot().toString(),
                new NioSysfsAccess(config.sysfsRoot(), config.writableTree()),
                new NioDeviceNodeAccess(config.devRoot()), null);
    }

    /**
     * The IOMMU group of a function that is bound to vfio-pci, read from sysfs (no system call). This is the check
     * {@link IommuDomain#openDevice(PciAddress)} makes before it opens anything.
     *
     * @param device the function
     * @return its IOMMU group number
     * @throws VfioException {@link VfioError#NOT_BOUND_TO_VFIO_PCI} ({@code ENODEV}, before the kernel) when the
     *     function does not exist or is bound to another driver or to none; {@link VfioError#NO_IOMMU} when it has no
     *     IOMMU group
     */
    public int iommuGroup(PciAddress device) {
        return sysfs.iommuGroup(device);
    }

    /**
     * Opens a new, empty domain through the interface the kernel offers: {@link IommuApi#IOMMUFD} when device
     * cdevs exist ({@code /dev/vfio/devices/}) and {@code /dev/iommu} opens, otherwise
     * {@link IommuApi#LEGACY_CONTAINER}. Attach devices with {@link IommuDomain#openDevice}.
     *
     * @return the domain
     * @throws VfioException as {@link #newDomain(IommuApi)}
     */
    public IommuDomain newDomain() {
        if (cdevNodesPresent.getAsBoolean()) {
            IommufdFd iommufd = IommufdFd.open(sys, devRoot, false);
            if (iommufd != null) {
                return new IommuDomain(IommufdBacking.create(iommufd, sysfs, devRoot), sys, sysfs);
            }
        }
        return newDomain(IommuApi.LEGACY_CONTAINER);
    }

    /**
     * Opens a new, empty domain through a given interface. {@link IommuApi#LEGACY_CONTAINER}: opens a container
     * and checks the API version (0) and that the kernel offers type1v2. {@link IommuApi#IOMMUFD}: opens
     * {@code /dev/iommu} and allocates an IO address space.
     *
     * @param api the interface
     * @return the domain
     * @throws VfioException when {@code /dev/vfio/vfio} (or {@code /dev/iommu}) cannot be opened, the kernel lacks
     *     type1v2, or the IOAS cannot be allocated
     */
    public IommuDomain newDomain(IommuApi api) {
        if (api == IommuApi.IOMMUFD) {
            IommufdFd iommufd = IommufdFd.open(sys, devRoot, true);
            return new IommuDomain(IommufdBacking.create(Objects.requireNonNull(iommufd), sysfs, devRoot), sys,
                    sysfs);
        }
        return new IommuDomain(Type1Backing.open(sys, devRoot), sys, sysfs);
    }

    /**
     * The interface {@link #newDomain()} would use now, found the same way (the iommufd node is opened and closed
     * again).
     *
     * @return the interface
     */
    public IommuApi preferredApi() {
        if (cdevNodesPresent.getAsBoolean()) {
            IommufdFd iommufd = IommufdFd.open(sys, devRoot, false);
            if (iommufd != null) {
                iommufd.close();
                return IommuApi.IOMMUFD;
            }
        }
        return IommuApi.LEGACY_CONTAINER;
    }

    /**
     * A non-blocking eventfd for interrupts.
     *
     * @return the eventfd
     */
    public EventFd newEventFd() {
        return EventFd.create(sys);
    }

    /**
     * Anonymous page-aligned memory for DMA.
     *
     * @param length bytes (a multiple of the IOMMU page size to be mappable)
     * @return the memory
     */
    public HostMemory allocate(long length) {
        return HostMemory.allocate(sys, length);
    }

    /**
     * The process page size.
     *
     * @return bytes
     */
    public long pageSize() {
        return sys.pageSize();
    }
}
