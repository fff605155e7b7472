package org.sriov4j.vfio.testing.internal;

import static org.sriov4j.vfio.testing.internal.FakeVfioKernel.*;

import java.nio.ByteBuffer;
import java.util.List;
import org.sriov4j.vfio.kernel.IommufdAbi;

/**
 * iommufd's IO address spaces (drivers/iommu/iommufd/, Linux 6.12): IOAS_ALLOC, IOAS_IOVA_RANGES, IOAS_MAP and
 * IOAS_UNMAP with the kernel's checks, the reserved regions outside the IOMMU's IOVA ranges.
 */
final class IoasRules {
    private IoasRules() {
    }

    /** Whether [first, last] meets a reserved region of the attached devices: the complement of k.iovaRanges. */
    static boolean reserved(FakeVfioKernel k, long first, long last) {
        long next = 0;
        for (long[] r : k.iovaRanges) {
            if (Long.compareUnsigned(r[0], next) > 0 && overlapsRange(k, first, last, next, r[0] - 1)) {
                return true;
            }
            next = r[1] + 1;
            if (next == 0) {
                return false;
            }
        }
        return overlapsRange(k, first, last, next, -1L);
    }

    static boolean overlapsRange(FakeVfioKernel k, long first, long last, long from, long to) {
        return Long.compareUnsigned(first, to) <= 0 && Long.compareUnsigned(last, from) >= 0;
    }

    static int iommufdIoctl(FakeVfioKernel k, IommufdContext ictx, long request, ByteBuffer b) {
        int size = b.getInt(0);
        if (request == IommufdAbi.IOAS_ALLOC) {
            if (size < IommufdAbi.IoasAlloc.SIZE) {
                return -EINVAL;
            }
            if (b.getInt(IommufdAbi.IoasAlloc.FLAGS) != 0) {
                return -EOPNOTSUPP;
            }
            int id = ictx.nextId++;
            ictx.ioas.put(id, new FakeIoas());
            b.putInt(IommufdAbi.IoasAlloc.OUT_IOAS_ID, id);
            return 0;
        }
        if (request == IommufdAbi.DESTROY) {
            if (size < IommufdAbi.Destroy.SIZE) {
                return -EINVAL;
            }
            FakeIoas a = ictx.ioas.get(b.getInt(IommufdAbi.Destroy.ID));
            if (a == null) {
                return -ENOENT;
            }
            if (!a.attached.isEmpty()) {
                return -EBUSY;
            }
            ictx.ioas.remove(b.getInt(IommufdAbi.Destroy.ID));
            return 0;
        }
        if (request == IommufdAbi.IOAS_IOVA_RANGES) {
            if (size < IommufdAbi.IovaRanges.SIZE) {
                return -EINVAL;
            }
            if (b.getInt(IommufdAbi.IovaRanges.RESERVED) != 0) {
                return -EOPNOTSUPP;
            }
            FakeIoas a = ictx.ioas.get(b.getInt(IommufdAbi.IovaRanges.IOAS_ID));
            if (a == null) {
                return -ENOENT;
            }
            long[][] ranges = a.attached.isEmpty() ? new long[][] {{0, -1L}} : k.iovaRanges;
            int max = b.getInt(IommufdAbi.IovaRanges.NUM_IOVAS);
            ByteBuffer out = k.foreign(b.getLong(IommufdAbi.IovaRanges.ALLOWED_IOVAS));
            for (int i = 0; i < ranges.length && i < max; i++) {
                out.putLong(i * 16, ranges[i][0]).putLong(i * 16 + 8, ranges[i][1]);
            }
            b.putInt(IommufdAbi.IovaRanges.NUM_IOVAS, ranges.length);
            b.putLong(IommufdAbi.IovaRanges.OUT_IOVA_ALIGNMENT, IOMMUFD_ALIGNMENT);
            return ranges.length > max ? -EMSGSIZE : 0;
        }
        if (request == IommufdAbi.IOAS_MAP) {
            k.mapRequests++;
            return ioasMap(k, ictx, size, b);
        }
        if (request == IommufdAbi.IOAS_UNMAP) {
            k.unmapRequests++;
            return ioasUnmap(k, ictx, size, b);
        }
        return -ENOTTY;
    }

    static int ioasMap(FakeVfioKernel k, IommufdContext ictx, int size, ByteBuffer b) {
        if (size < IommufdAbi.IoasMap.SIZE) {
            return -EINVAL;
        }
        int flags = b.getInt(IommufdAbi.IoasMap.FLAGS);
        int known = IommufdAbi.MAP_FIXED_IOVA | IommufdAbi.MAP_READABLE | IommufdAbi.MAP_WRITEABLE;
        if ((flags & ~known) != 0 || b.getInt(IommufdAbi.IoasMap.RESERVED) != 0) {
            return -EOPNOTSUPP;
        }
        long iova = b.getLong(IommufdAbi.IoasMap.IOVA);
        long length = b.getLong(IommufdAbi.IoasMap.LENGTH);
        long va = b.getLong(IommufdAbi.IoasMap.USER_VA);
        if (iova == -1L || length == -1L) {
            return -EOVERFLOW;
        }
        if ((flags & (IommufdAbi.MAP_READABLE | IommufdAbi.MAP_WRITEABLE)) == 0) {
            return -EINVAL;
        }
        FakeIoas a = ictx.ioas.get(b.getInt(IommufdAbi.IoasMap.IOAS_ID));
        if (a == null) {
            return -ENOENT;
        }
        if (length == 0) {
            return -EINVAL; // iopt_alloc_pages
        }
        if (Long.compareUnsigned(va + length - 1, va) < 0) {
            return -EOVERFLOW;
        }
        if ((length & (IOMMUFD_ALIGNMENT - 1)) != 0) {
            return -EINVAL; // iopt_alloc_area_pages
        }
        if ((flags & IommufdAbi.MAP_FIXED_IOVA) == 0) {
            long next = IOMMUFD_ALIGNMENT; // iopt_alloc_iova: never IOVA 0; here simply after the last area
            for (long[] m : a.dma.values()) {
                next = Math.max(next, m[0] + m[1]);
            }
            iova = next;
        }
        if ((iova & (IOMMUFD_ALIGNMENT - 1)) != 0) {
            return -EINVAL; // iopt_check_iova
        }
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            return -EOVERFLOW;
        }
        if (!a.attached.isEmpty() && reserved(k, iova, last)) {
            return -EINVAL;
        }
        for (long[] m : a.dma.values()) {
            if (overlapsRange(k, iova, last, m[0], m[0] + m[1] - 1)) {
                return -EEXIST;
            }
        }
        if ((va & (IOMMUFD_ALIGNMENT - 1)) != 0) {
            return -EINVAL; // iopt_insert_area: page offset of the user address
        }
        a.dma.put(iova, new long[] {iova, length, va});
        b.putLong(IommufdAbi.IoasMap.IOVA, iova);
        return 0;
    }

    static int ioasUnmap(FakeVfioKernel k, IommufdContext ictx, int size, ByteBuffer b) {
        if (size < IommufdAbi.IoasUnmap.SIZE) {
            return -EINVAL;
        }
        FakeIoas a = ictx.ioas.get(b.getInt(IommufdAbi.IoasUnmap.IOAS_ID));
        if (a == null) {
            return -ENOENT;
        }
        long iova = b.getLong(IommufdAbi.IoasUnmap.IOVA);
        long length = b.getLong(IommufdAbi.IoasUnmap.LENGTH);
        boolean all = iova == 0 && length == -1L;
        if (!all && (iova == -1L || length == -1L)) {
            return -EOVERFLOW;
        }
        if (length == 0) {
            return -EINVAL;
        }
        long last = all ? -1L : iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            return -EOVERFLOW;
        }
        long unmapped = 0;
        int rc = -ENOENT;
        for (long[] m : List.copyOf(a.dma.values())) { // iopt_unmap_iova_range: in IOVA order
            long mLast = m[0] + m[1] - 1;
            if (!overlapsRange(k, m[0], mLast, iova, last)) {
                continue;
            }
            if (Long.compareUnsigned(m[0], iova) < 0 || Long.compareUnsigned(mLast, last) > 0) {
                rc = -ENOENT; // splitting an area: refused; areas already removed stay removed
                unmapped = -1;
                break;
            }
            a.dma.remove(m[0]);
            unmapped += m[1];
        }
        if (unmapped < 0) {
            return rc;
        }
        if (unmapped == 0 && !all) {
            return -ENOENT;
        }
        b.putLong(IommufdAbi.IoasUnmap.LENGTH, unmapped);
        return 0;
    }
}
