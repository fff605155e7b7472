package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.vfio.kernel.IommufdAbi;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * An open iommufd ({@code /dev/iommu}) with the IO address spaces (IOAS) it allocated. Device cdevs bind to it
 * ({@code VFIO_DEVICE_BIND_IOMMUFD}, which keeps the iommufd context alive until the device is closed) and attach to
 * one IOAS; mappings are made on the IOAS.
 *
 * <p>Close order: close the device cdevs first (closing unbinds them), then this; the kernel destroys the remaining
 * IOAS objects, and their mappings, with the last reference.
 */
final class IommufdFd extends KernelFd {
    private final ReusableArg mapArg;
    private final ReusableArg unmapArg;

    private IommufdFd(LinuxSyscalls sys, String path, int fd) {
        super(sys, path, fd, "iommufd " + path);
        mapArg = new ReusableArg(sys, IommufdAbi.IoasMap.SIZE);
        unmapArg = new ReusableArg(sys, IommufdAbi.IoasUnmap.SIZE);
    }

    /**
     * Opens {@code devRoot/iommu}.
     *
     * @param sys system calls
     * @param devRoot the device directory, ending in {@code /}
     * @param required whether a missing node is an error (else null)
     * @return the descriptor; null when not required and the kernel has no iommufd ({@code ENOENT}, {@code ENODEV},
     *     {@code ENXIO})
     * @throws VfioException when the open fails otherwise (e.g. {@code EACCES}), or when required and missing
     */
    static @Nullable IommufdFd open(LinuxSyscalls sys, String devRoot, boolean required) {
        String path = devRoot + IommufdAbi.IOMMU_NODE;
        int fd = sys.open(path, LinuxSyscalls.O_RDWR | LinuxSyscalls.O_CLOEXEC);
        if (fd >= 0) {
            return new IommufdFd(sys, path, fd);
        }
        boolean missing = fd == -Errno.ENOENT.number() || fd == -Errno.ENODEV.number()
                || fd == -Errno.ENXIO.number();
        if (missing && !required) {
            return null;
        }
        throw VfioException.kernel(missing ? VfioError.IOMMUFD_UNAVAILABLE : VfioError.SYSTEM_CALL_FAILED,
                "open iommufd", null, path, fd, missing
                ? "the kernel offers no iommufd (CONFIG_IOMMUFD; modprobe iommufd)" : "");
    }

    /**
     * {@code IOMMU_IOAS_ALLOC}.
     *
     * @return the new IOAS id
     */
    int allocIoas() {
        ByteBuffer b = VfioAbi.struct(IommufdAbi.IoasAlloc.SIZE);
        ioctl("IOMMU_IOAS_ALLOC", IommufdAbi.IOAS_ALLOC, b, null, "");
        return b.getInt(IommufdAbi.IoasAlloc.OUT_IOAS_ID);
    }

    /**
     * {@code IOMMU_IOAS_IOVA_RANGES}, retried with the count the kernel asks for ({@code EMSGSIZE}).
     *
     * @param ioas the IOAS id
     * @return the allowed ranges and the IOVA alignment (as the page-size bitmap, one bit)
     */
    ContainerFd.IommuInfo iovaRanges(int ioas) {
        checkOpen();
        int capacity = 4;
        for (int attempt = 0; attempt < 4; attempt++) {
            ByteBuffer b = VfioAbi.struct(IommufdAbi.IovaRanges.SIZE);
            ByteBuffer ranges = VfioAbi.struct(capacity * IommufdAbi.IovaRanges.RANGE_SIZE);
            ranges.putInt(0, 0);
            b.putInt(IommufdAbi.IovaRanges.IOAS_ID, ioas);
            b.putInt(IommufdAbi.IovaRanges.NUM_IOVAS, capacity);
            b.putLong(IommufdAbi.IovaRanges.ALLOWED_IOVAS, sys.addressOf(ranges));
            int r = sys.ioctl(fd, IommufdAbi.IOAS_IOVA_RANGES, b);
            int n = b.getInt(IommufdAbi.IovaRanges.NUM_IOVAS);
            if (r == -Errno.EMSGSIZE.number() && n > capacity) {
                capacity = n;
                continue;
            }
            if (r < 0) {
                throw VfioException.kernel("IOMMU_IOAS_IOVA_RANGES", null, path, r, "IOAS " + ioas);
            }
            List<IovaRange> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int at = i * IommufdAbi.IovaRanges.RANGE_SIZE;
                list.add(new IovaRange(ranges.getLong(at), ranges.getLong(at + 8)));
            }
            long alignment = b.getLong(IommufdAbi.IovaRanges.OUT_IOVA_ALIGNMENT);
            return new ContainerFd.IommuInfo(alignment <= 0 ? 1 : alignment, List.copyOf(list), -1);
        }
        throw VfioException.kernel("IOMMU_IOAS_IOVA_RANGES", null, path, 0, "the range count kept growing");
    }

    /**
     * {@code IOMMU_IOAS_MAP} at a fixed IOVA.
     *
     * @param ioas the IOAS id
     * @param iova the IOVA
     * @param userVa the process address
     * @param length bytes
     * @param flags {@link IommufdAbi#MAP_READABLE} / {@link IommufdAbi#MAP_WRITEABLE}; FIXED_IOVA is added
     */
    synchronized void map(int ioas, long iova, long userVa, long length, int flags) {
        checkOpen();
        ByteBuffer b = mapArg.buffer();
        b.putInt(IommufdAbi.IoasMap.FLAGS, flags | IommufdAbi.MAP_FIXED_IOVA);
        b.putInt(IommufdAbi.IoasMap.IOAS_ID, ioas);
        b.putInt(IommufdAbi.IoasMap.RESERVED, 0);
        b.putLong(IommufdAbi.IoasMap.USER_VA, userVa);
        b.putLong(IommufdAbi.IoasMap.LENGTH, length);
        b.putLong(IommufdAbi.IoasMap.IOVA, iova);
        dmaIoctl("IOMMU_IOAS_MAP", IommufdAbi.IOAS_MAP, mapArg, ioas, iova, length);
    }

    /**
     * {@code IOMMU_IOAS_UNMAP}.
     *
     * @param ioas the IOAS id
     * @param iova first IOVA
     * @param length bytes
     * @return the bytes the kernel reports it unmapped
     */
    synchronized long unmap(int ioas, long iova, long length) {
        checkOpen();
        ByteBuffer b = unmapArg.buffer();
        b.putInt(IommufdAbi.IoasUnmap.IOAS_ID, ioas);
        b.putLong(IommufdAbi.IoasUnmap.IOVA, iova);
        b.putLong(IommufdAbi.IoasUnmap.LENGTH, length);
        dmaIoctl("IOMMU_IOAS_UNMAP", IommufdAbi.IOAS_UNMAP, unmapArg, ioas, iova, length);
        return b.getLong(IommufdAbi.IoasUnmap.LENGTH);
    }

    /**
     * {@code IOMMU_DESTROY} of an object (an IOAS with no device attached).
     *
     * @param id the object id
     */
    void destroy(int id) {
        ByteBuffer b = VfioAbi.struct(IommufdAbi.Destroy.SIZE);
        b.putInt(IommufdAbi.Destroy.ID, id);
        ioctl("IOMMU_DESTROY", IommufdAbi.DESTROY, b, null, "object " + id);
    }

    @Override
    public void close() {
        closeDescriptor(null);
    }
}
