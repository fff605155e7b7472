package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * An open VFIO container ({@code /dev/vfio/vfio}). The {@code IOMMU_*} requests are only valid on this descriptor
 * type; groups and devices have their own classes.
 *
 * <p>Close order: {@link #close()} refuses while groups are attached ({@link IllegalStateException}); detach them
 * first ({@link GroupFd#unsetContainer()}). {@link IommuDomain#close()} does all of that in order.
 */
final class ContainerFd extends KernelFd {
    /** The container's device node. */
    static final String PATH_SUFFIX = "vfio/vfio";

    private final Set<GroupFd> groups = new LinkedHashSet<>();
    private final ReusableArg mapArg;
    private final ReusableArg unmapArg;
    private boolean iommuSet;

    private ContainerFd(LinuxSyscalls sys, String path, int fd) {
        super(sys, path, fd, "container " + path);
        mapArg = new ReusableArg(sys, VfioAbi.DmaMap.SIZE);
        unmapArg = new ReusableArg(sys, VfioAbi.DmaUnmap.SIZE);
    }

    /**
     * Opens a container.
     *
     * @param sys system calls
     * @param devRoot the device directory, normally {@code /dev/}
     * @return the container
     */
    static ContainerFd open(LinuxSyscalls sys, String devRoot) {
        String path = devRoot + PATH_SUFFIX;
        int fd = sys.open(path, LinuxSyscalls.O_RDWR | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0) {
            throw VfioException.kernel("open VFIO container", null, path, fd, "");
        }
        return new ContainerFd(sys, path, fd);
    }

    int apiVersion() {
        checkOpen();
        int r = sys.ioctl(fd, VfioAbi.GET_API_VERSION, 0);
        if (r < 0) {
            throw VfioException.kernel("VFIO_GET_API_VERSION", null, path, r, "");
        }
        return r;
    }

    boolean checkExtension(int extension) {
        checkOpen();
        int r = sys.ioctl(fd, VfioAbi.CHECK_EXTENSION, extension);
        if (r < 0) {
            throw VfioException.kernel("VFIO_CHECK_EXTENSION", null, path, r, "extension " + extension);
        }
        return r > 0;
    }

    void setIommu(int type) {
        checkOpen();
        int r = sys.ioctl(fd, VfioAbi.SET_IOMMU, type);
        if (r < 0) {
            throw VfioException.kernel("VFIO_SET_IOMMU", null, path, r, "type " + type);
        }
        iommuSet = true;
    }

    boolean iommuSet() {
        return iommuSet;
    }

    /** What {@code VFIO_IOMMU_GET_INFO} reported. */
    record IommuInfo(long pageSizes, List<IovaRange> iovaRanges, int dmaAvailable) {
    }

    IommuInfo iommuInfo() {
        checkOpen();
        int size = VfioAbi.IommuInfo.SIZE;
        for (int attempt = 0; attempt < 4; attempt++) {
            ByteBuffer b = VfioAbi.struct(size);
            ioctl("VFIO_IOMMU_GET_INFO", VfioAbi.IOMMU_GET_INFO, b, null, "");
            int flags = b.getInt(VfioAbi.IommuInfo.FLAGS);
            long argsz = VfioAbi.u32(b, VfioAbi.IommuInfo.ARGSZ);
            if ((flags & VfioAbi.IOMMU_INFO_CAPS) != 0 && argsz > size) {
                size = (int) argsz; // capability chain did not fit: retry with the size the kernel asked for
                continue;
            }
            long pageSizes = (flags & VfioAbi.IOMMU_INFO_PGSIZES) != 0 ? b.getLong(VfioAbi.IommuInfo.IOVA_PGSIZES) : 0;
            List<IovaRange> ranges = new ArrayList<>();
            int avail = -1;
            if ((flags & VfioAbi.IOMMU_INFO_CAPS) != 0) {
                int cap = b.getInt(VfioAbi.IommuInfo.CAP_OFFSET);
                int guard = 0;
                while (cap != 0 && cap + VfioAbi.CapHeader.SIZE <= size && guard++ < 64) {
                    int id = Short.toUnsignedInt(b.getShort(cap + VfioAbi.CapHeader.ID));
                    if (id == VfioAbi.IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
                        int n = b.getInt(cap + VfioAbi.IovaRangeCap.NR_IOVAS);
                        for (int i = 0; i < n; i++) {
                            int at = cap + VfioAbi.IovaRangeCap.RANGES + i * VfioAbi.IovaRangeCap.RANGE_SIZE;
                            ranges.add(new IovaRange(b.getLong(at), b.getLong(at + 8)));
                        }
                    } else if (id == VfioAbi.IOMMU_TYPE1_INFO_DMA_AVAIL) {
                        avail = b.getInt(cap + VfioAbi.DmaAvailCap.AVAIL);
                    }
                    cap = b.getInt(cap + VfioAbi.CapHeader.NEXT);
                }
            }
            if (ranges.isEmpty()) {
                ranges.add(new IovaRange(0, -1L)); // no capability: the whole 64-bit space (old kernels)
            }
            return new IommuInfo(pageSizes, List.copyOf(ranges), avail);
        }
        throw VfioException.kernel("VFIO_IOMMU_GET_INFO", null, path, 0, "capability chain size kept growing");
    }

    /** Callers synchronise (the domain does): the argument structure is reused, as on {@link IommufdFd}. */
    void mapDma(long iova, long vaddr, long length, int flags) {
        checkOpen();
        ByteBuffer b = mapArg.buffer();
        b.putInt(VfioAbi.DmaMap.FLAGS, flags);
        b.putLong(VfioAbi.DmaMap.VADDR, vaddr);
        b.putLong(VfioAbi.DmaMap.IOVA, iova);
        b.putLong(VfioAbi.DmaMap.MAP_SIZE, length);
        dmaIoctl("VFIO_IOMMU_MAP_DMA", VfioAbi.IOMMU_MAP_DMA, mapArg, -1, iova, length);
    }

    /** Returns the size the kernel reports it unmapped. Callers synchronise, as for {@link #mapDma}. */
    long unmapDma(long iova, long length) {
        checkOpen();
        ByteBuffer b = unmapArg.buffer();
        b.putInt(VfioAbi.DmaUnmap.FLAGS, 0);
        b.putLong(VfioAbi.DmaUnmap.IOVA, iova);
        b.putLong(VfioAbi.DmaUnmap.UNMAP_SIZE, length);
        dmaIoctl("VFIO_IOMMU_UNMAP_DMA", VfioAbi.IOMMU_UNMAP_DMA, unmapArg, -1, iova, length);
        return b.getLong(VfioAbi.DmaUnmap.UNMAP_SIZE);
    }

    void attached(GroupFd group) {
        groups.add(group);
    }

    void detached(GroupFd group) {
        groups.remove(group);
        if (groups.isEmpty()) {
            iommuSet = false; // the kernel releases the IOMMU with the last group
        }
    }

    Set<GroupFd> groups() {
        return Set.copyOf(groups);
    }

    /**
     * Closes the container.
     *
     * @throws IllegalStateException while groups are attached
     */
    @Override
    public void close() {
        if (!isClosed() && !groups.isEmpty()) {
            throw new IllegalStateException("container " + path + " still has " + groups.size()
                    + " group(s) attached; unset them first");
        }
        closeDescriptor(null);
    }
}
