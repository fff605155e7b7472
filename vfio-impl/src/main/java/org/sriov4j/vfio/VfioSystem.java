package org.sriov4j.vfio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;

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
    private static final String VFIO_PCI = "vfio-pci";

    /** Drivers whose devices leave an IOMMU group viable (they never do DMA for the host, or manage it). */
    private static final Set<String> VIABLE_DRIVERS = Set.of("vfio-pci", "pci-stub", "pcieport");

    private final LinuxSyscalls sys;
    private final String devRoot;
    private final Path sysfsRoot;
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
        this.sys = sys;
        this.devRoot = devRoot.endsWith("/") ? devRoot : devRoot + "/";
        this.sysfsRoot = sysfsRoot;
        String cdevDir = this.devRoot + IommufdAbi.CDEV_DIR;
        this.cdevNodesPresent = cdevNodesPresent != null ? cdevNodesPresent
                : () -> Files.isDirectory(Path.of(cdevDir));
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
            throw VfioException.rejected(VfioError.NOT_BOUND_TO_VFIO_PCI, op, device, Errno.ENODEV,
                    "no such PCI function (" + dir + ")");
        }
        String driver = linkName(dir.resolve("driver"));
        if (!VFIO_PCI.equals(driver)) {
            throw VfioException.rejected(VfioError.NOT_BOUND_TO_VFIO_PCI, op, device, Errno.ENODEV,
                    (driver == null ? "the function is bound to no driver" : "the function is bound to " + driver)
                            + ", not vfio-pci: lease it (SriovHost.lease, managed) or detach it"
                            + " (SriovHost.detach, 'sriov4j detach') first");
        }
        String group = linkName(dir.resolve("iommu_group"));
        if (group == null) {
            throw VfioException.rejected(VfioError.NO_IOMMU, op, device, Errno.ENODEV,
                    "the function has no IOMMU group (is the IOMMU on?)");
        }
        try {
            return Integer.parseInt(group);
        } catch (NumberFormatException e) {
            throw VfioException.rejected(VfioError.NOT_BOUND_TO_VFIO_PCI, op, device, Errno.ENODEV,
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
                return new IommuDomain(IommufdBacking.create(iommufd, this, devRoot), sys, this);
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
            return new IommuDomain(IommufdBacking.create(Objects.requireNonNull(iommufd), this, devRoot), sys, this);
        }
        return new IommuDomain(Type1Backing.open(sys, devRoot), sys, this);
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
     * The VFIO device cdev of a function ({@code vfioN}): the entry of {@code bus/pci/devices/BDF/vfio-dev/} that
     * has a {@code dev} attribute (a kernel without {@code CONFIG_VFIO_DEVICE_CDEV} makes the entry, but no node).
     *
     * @param device the function, bound to vfio-pci
     * @return the cdev name under {@code /dev/vfio/devices/}
     * @throws VfioException {@code ENODEV} (before the kernel) when there is none
     */
    String deviceCdev(PciAddress device) {
        Path dir = sysfsRoot.resolve("bus/pci/devices").resolve(device.toString()).resolve("vfio-dev");
        try (Stream<Path> entries = Files.list(dir)) {
            Optional<String> name = entries.filter(p -> Files.exists(p.resolve("dev")))
                    .map(p -> String.valueOf(p.getFileName())).filter(n -> n.startsWith("vfio")).sorted().findFirst();
            if (name.isPresent()) {
                return name.get();
            }
        } catch (IOException e) {
            // no vfio-dev directory: not on vfio-pci, or no cdev support
        }
        throw VfioException.rejected(VfioError.IOMMUFD_UNAVAILABLE, "open VFIO device cdev", device, Errno.ENODEV,
                "no VFIO device cdev in " + dir
                + " (is the function on vfio-pci; is the kernel built with CONFIG_VFIO_DEVICE_CDEV?)");
    }

    /**
     * Why an IOMMU group is not viable, from sysfs: the devices of {@code kernel/iommu_groups/N/devices/} bound to
     * a driver other than vfio-pci (or a vfio-pci variant), pci-stub or pcieport. The iommufd path has no
     * {@code VFIO_GROUP_GET_STATUS}; the kernel's bind would fail with {@code EPERM}.
     *
     * @param group the group number
     * @return the offending devices and their drivers, or null when viable (or the group is not in sysfs)
     */
    @Nullable String viabilityProblem(int group) {
        Path dir = sysfsRoot.resolve("kernel/iommu_groups").resolve(Integer.toString(group)).resolve("devices");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                String driver = linkName(p.resolve("driver"));
                if (driver != null && !VIABLE_DRIVERS.contains(driver) && !driver.contains("vfio")) {
                    offenders.add(p.getFileName() + " is bound to " + driver);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return offenders.isEmpty() ? null : String.join(", ", offenders)
                + " (unbind it, or bind it to vfio-pci; see " + dir + ")";
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
