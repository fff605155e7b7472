package org.sriov4j.vfio;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;

/**
 * What an {@link IommuDomain} needs from the kernel interface behind it: attaching devices, the IOMMU's limits, and
 * raw map/unmap. The domain validates every request before it gets here and keeps the mapping table; the two
 * implementations ({@link Type1Backing}, {@link IommufdBacking}) only translate to their ioctls. Callers
 * synchronise on the domain.
 */
interface DomainBacking {

    /**
     * The interface.
     *
     * @return which one
     */
    IommuApi api();

    /**
     * The node requests go to, for messages ({@code /dev/vfio/vfio}, {@code /dev/iommu}).
     *
     * @return the path
     */
    String path();

    /**
     * Attaches a device's IOMMU group (or the device) to the address space and opens the device. Afterwards
     * {@link #info()} is current.
     *
     * @param device the device, bound to vfio-pci
     * @param iommuGroup its group number
     * @return the device descriptor
     */
    DeviceFd open(PciAddress device, int iommuGroup);

    /**
     * The IOMMU's page sizes and IOVA ranges as reported after the last attach.
     *
     * @return the information, or null before the first device
     */
    ContainerFd.@Nullable IommuInfo info();

    /**
     * Maps (already validated).
     *
     * @param iova the IOVA
     * @param hostAddress the process address
     * @param length bytes
     * @param read whether devices may read
     * @param write whether devices may write
     */
    void map(long iova, long hostAddress, long length, boolean read, boolean write);

    /**
     * Unmaps (already validated).
     *
     * @param iova the IOVA
     * @param length bytes
     * @return the bytes the kernel reports unmapped
     */
    long unmap(long iova, long length);

    /**
     * The IOMMU groups attached, in attach order.
     *
     * @return group numbers
     */
    List<Integer> groups();

    /**
     * Releases everything once the devices are closed and the mappings unmapped. Every step is attempted; the
     * first failure is thrown with the others suppressed.
     */
    void close();
}
