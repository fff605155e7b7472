package org.sriov4j.vfio;

import org.sriov4j.Errno;

/**
 * Entry point to VFIO on this host: creates {@link IommuDomain}s (one per guest), eventfds and DMA-able memory.
 *
 * <p>{@link #open()} loads the native bridge (JNA) on first use; nothing native is touched before. The functions
 * must already be bound to vfio-pci (the engine's detach/lease does that).
 *
 * <p>Example: <pre>{@code
 * VfioSystem vfio = VfioSystem.open();
 * try (IommuDomain domain = vfio.newDomain()) {
 *     AssignedDevice dev = domain.openDevice(PciAddress.parse("0000:01:10.0"), 6);
 *     ...
 * }
 * }</pre>
 */
public final class VfioSystem {
    private final LinuxSyscalls sys;
    private final String devRoot;

    VfioSystem(LinuxSyscalls sys, String devRoot) {
        this.sys = sys;
        this.devRoot = devRoot.endsWith("/") ? devRoot : devRoot + "/";
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
        return new IommuDomain(c, devRoot);
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
