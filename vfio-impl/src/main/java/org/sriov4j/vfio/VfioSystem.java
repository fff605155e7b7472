package org.sriov4j.vfio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;

/**
 * Entry point to VFIO on this host: creates {@link IommuDomain}s (one per guest), eventfds and DMA-able memory.
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
    private static final String VFIO_PCI = "vfio-pci";

    private final LinuxSyscalls sys;
    private final String devRoot;
    private final Path sysfsRoot;

    VfioSystem(LinuxSyscalls sys, String devRoot) {
        this(sys, devRoot, Path.of("/sys"));
    }

    VfioSystem(LinuxSyscalls sys, String devRoot, Path sysfsRoot) {
        this.sys = sys;
        this.devRoot = devRoot.endsWith("/") ? devRoot : devRoot + "/";
        this.sysfsRoot = sysfsRoot;
    }

    /**
     * VFIO of this host through the C library ({@code /dev/vfio/...}).
     *
     * @return the system
     * @throws UnsatisfiedLinkError when JNA's native part cannot load
     */
    public static VfioSystem open() {
        return new VfioSystem(JnaLinuxSyscalls.INSTANCE, "/dev/");
    }

    /**
     * VFIO of this host with the sysfs and device roots of a configuration (e.g. the CLI's {@code --sysfs-root} and
     * {@code --dev-root}): device nodes are looked for under {@code devRoot/vfio/}, drivers and IOMMU groups under
     * {@code sysfsRoot/bus/pci/devices/}.
     *
     * @param config the configuration whose roots to use
     * @return the system
     * @throws UnsatisfiedLinkError when JNA's native part cannot load
     */
    public static VfioSystem open(SriovConfig config) {
        return new VfioSystem(JnaLinuxSyscalls.INSTANCE, config.devRoot().toString(), config.sysfsRoot());
    }

    /**
     * The IOMMU group of a function that is bound to vfio-pci, read from sysfs (no system call). This is the check
     * {@link IommuDomain#openDevice(PciAddress)} makes before it opens anything.
     *
     * @param device the function
     * @return its IOMMU group number
     * @throws VfioException {@link VfioError#NOT_BOUND_TO_VFIO_PCI} ({@code ENODEV}, before the kernel) when the
     *     function does not exist, is bound to another driver or to none, or has no IOMMU group
     */
    public int iommuGroup(PciAddress device) {
        Path dir = sysfsRoot.resolve("bus/pci/devices").resolve(device.toString());
        String op = "open VFIO device";
        if (!Files.isDirectory(dir)) {
            throw VfioException.rejected(op, device, VfioError.NOT_BOUND_TO_VFIO_PCI.errno(),
                    "no such PCI function (" + dir + ")");
        }
        String driver = linkName(dir.resolve("driver"));
        if (!VFIO_PCI.equals(driver)) {
            throw VfioException.rejected(op, device, VfioError.NOT_BOUND_TO_VFIO_PCI.errno(),
                    (driver == null ? "the function is bound to no driver" : "the function is bound to " + driver)
                            + ", not vfio-pci: lease it (SriovHost.lease, managed) or detach it"
                            + " (SriovHost.detach, 'sriov4j detach') first");
        }
        String group = linkName(dir.resolve("iommu_group"));
        if (group == null) {
            throw VfioException.rejected(op, device, VfioError.NOT_BOUND_TO_VFIO_PCI.errno(),
                    "the function has no IOMMU group (is the IOMMU on?)");
        }
        try {
            return Integer.parseInt(group);
        } catch (NumberFormatException e) {
            throw VfioException.rejected(op, device, VfioError.NOT_BOUND_TO_VFIO_PCI.errno(),
                    "unexpected IOMMU group name '" + group + "'");
        }
    }

    private static @Nullable String linkName(Path link) {
        if (!Files.isSymbolicLink(link) && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Path target = Files.readSymbolicLink(link).getFileName();
            return target == null ? null : target.toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Opens a new, empty domain: a type1v2 container. Checks the API version (0) and that the kernel offers
     * type1v2; attach devices with {@link IommuDomain#openDevice}.
     *
     * @return the domain
     * @throws VfioException when {@code /dev/vfio/vfio} cannot be opened, or the kernel lacks type1v2
     */
    public IommuDomain newDomain() {
        ContainerFd c = ContainerFd.open(sys, devRoot);
        try {
            int version = c.apiVersion();
            if (version != VfioAbi.API_VERSION) {
                throw VfioException.rejected("open VFIO container", null, Errno.EINVAL,
                        "unknown VFIO API version " + version + " (expected 0)");
            }
            if (!c.checkExtension(VfioAbi.TYPE1V2_IOMMU)) {
                throw VfioException.rejected("open VFIO container", null, Errno.ENODEV,
                        "the kernel offers no type1v2 IOMMU (is vfio_iommu_type1 loaded, is the IOMMU on?)");
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return new IommuDomain(c, devRoot, this);
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
