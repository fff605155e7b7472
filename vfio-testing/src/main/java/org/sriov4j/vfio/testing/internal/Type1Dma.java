package org.sriov4j.vfio.testing.internal;

import static org.sriov4j.vfio.testing.internal.FakeVfioKernel.*;

import java.nio.ByteBuffer;
import java.util.List;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * The type1 IOMMU of a container (drivers/vfio/vfio_iommu_type1.c, Linux 6.12): GET_INFO with its capability chain,
 * MAP_DMA and UNMAP_DMA with the kernel's checks, in the order the kernel makes them.
 */
final class Type1Dma {
    private Type1Dma() {
    }

    static int iommuInfo(FakeVfioKernel k, FakeContainer c, ByteBuffer b) {
        int argsz = b.getInt(VfioAbi.IommuInfo.ARGSZ);
        if (argsz < VfioAbi.IommuInfo.MINSZ) {
            return -EINVAL;
        }
        int rangesCap = VfioAbi.IommuInfo.SIZE;
        int rangesSize = VfioAbi.IovaRangeCap.RANGES + k.iovaRanges.length * VfioAbi.IovaRangeCap.RANGE_SIZE;
        int availCap = rangesCap + rangesSize;
        int needed = availCap + 12;
        b.putInt(VfioAbi.IommuInfo.FLAGS, VfioAbi.IOMMU_INFO_PGSIZES | VfioAbi.IOMMU_INFO_CAPS);
        b.putLong(VfioAbi.IommuInfo.IOVA_PGSIZES, PAGE_SIZES);
        if (argsz < VfioAbi.IommuInfo.SIZE) {
            return 0;
        }
        if (argsz < needed) {
            b.putInt(VfioAbi.IommuInfo.ARGSZ, needed);
            b.putInt(VfioAbi.IommuInfo.CAP_OFFSET, 0);
            return 0;
        }
        b.putInt(VfioAbi.IommuInfo.CAP_OFFSET, rangesCap);
        b.putShort(rangesCap + VfioAbi.CapHeader.ID, (short) VfioAbi.IOMMU_TYPE1_INFO_CAP_IOVA_RANGE);
        b.putShort(rangesCap + VfioAbi.CapHeader.VERSION, (short) 1);
        b.putInt(rangesCap + VfioAbi.CapHeader.NEXT, availCap);
        b.putInt(rangesCap + VfioAbi.IovaRangeCap.NR_IOVAS, k.iovaRanges.length);
        for (int i = 0; i < k.iovaRanges.length; i++) {
            int at = rangesCap + VfioAbi.IovaRangeCap.RANGES + i * VfioAbi.IovaRangeCap.RANGE_SIZE;
            b.putLong(at, k.iovaRanges[i][0]).putLong(at + 8, k.iovaRanges[i][1]);
        }
        b.putShort(availCap + VfioAbi.CapHeader.ID, (short) VfioAbi.IOMMU_TYPE1_INFO_DMA_AVAIL);
        b.putShort(availCap + VfioAbi.CapHeader.VERSION, (short) 1);
        b.putInt(availCap + VfioAbi.CapHeader.NEXT, 0);
        b.putInt(availCap + VfioAbi.DmaAvailCap.AVAIL, c.dmaAvail);
        return 0;
    }

    static int mapDma(FakeVfioKernel k, FakeContainer c, ByteBuffer b) {
        if (b.getInt(VfioAbi.DmaMap.ARGSZ) < VfioAbi.DmaMap.SIZE) {
            return -EINVAL;
        }
        int flags = b.getInt(VfioAbi.DmaMap.FLAGS);
        long vaddr = b.getLong(VfioAbi.DmaMap.VADDR);
        long iova = b.getLong(VfioAbi.DmaMap.IOVA);
        long size = b.getLong(VfioAbi.DmaMap.MAP_SIZE);
        if ((flags & ~3) != 0 || size == 0) {
            return -EINVAL;
        }
        if ((flags & 3) == 0) {
            return -EINVAL;
        }
        long pg = Long.lowestOneBit(PAGE_SIZES);
        if (((size | iova | vaddr) & (pg - 1)) != 0) {
            return -EINVAL;
        }
        long last = iova + size - 1;
        if (Long.compareUnsigned(last, iova) < 0 || Long.compareUnsigned(vaddr + size - 1, vaddr) < 0) {
            return -EINVAL;
        }
        if (overlaps(k, c, iova, last)) {
            return -EEXIST;
        }
        if (c.dmaAvail == 0) {
            return -ENOSPC;
        }
        boolean inRange = false;
        for (long[] r : k.iovaRanges) {
            inRange |= Long.compareUnsigned(iova, r[0]) >= 0 && Long.compareUnsigned(last, r[1]) <= 0;
        }
        if (!inRange) {
            return -EINVAL;
        }
        c.dma.put(iova, new long[] {iova, size, vaddr});
        c.dmaAvail--;
        return 0;
    }

    static boolean overlaps(FakeVfioKernel k, FakeContainer c, long first, long last) {
        for (long[] m : c.dma.values()) {
            long mLast = m[0] + m[1] - 1;
            if (Long.compareUnsigned(m[0], last) <= 0 && Long.compareUnsigned(mLast, first) >= 0) {
                return true;
            }
        }
        return false;
    }

    static int unmapDma(FakeVfioKernel k, FakeContainer c, ByteBuffer b) {
        if (b.getInt(VfioAbi.DmaUnmap.ARGSZ) < VfioAbi.DmaUnmap.SIZE || b.getInt(VfioAbi.DmaUnmap.FLAGS) != 0) {
            return -EINVAL;
        }
        long iova = b.getLong(VfioAbi.DmaUnmap.IOVA);
        long size = b.getLong(VfioAbi.DmaUnmap.UNMAP_SIZE);
        long pg = Long.lowestOneBit(PAGE_SIZES);
        long last = iova + size - 1;
        if (size == 0 || (size & (pg - 1)) != 0 || Long.compareUnsigned(last, iova) < 0) {
            return -EINVAL;
        }
        for (long[] m : c.dma.values()) { // type1v2: no splitting of a mapping at either end
            long mLast = m[0] + m[1] - 1;
            boolean containsFirst = Long.compareUnsigned(m[0], iova) <= 0 && Long.compareUnsigned(mLast, iova) >= 0;
            boolean containsLast = Long.compareUnsigned(m[0], last) <= 0 && Long.compareUnsigned(mLast, last) >= 0;
            if ((containsFirst && m[0] != iova) || (containsLast && mLast != last)) {
                return -EINVAL;
            }
        }
        long unmapped = 0;
        for (long[] m : List.copyOf(c.dma.values())) {
            if (Long.compareUnsigned(m[0], iova) >= 0 && Long.compareUnsigned(m[0] + m[1] - 1, last) <= 0) {
                c.dma.remove(m[0]);
                c.dmaAvail++;
                unmapped += m[1];
            }
        }
        b.putLong(VfioAbi.DmaUnmap.UNMAP_SIZE, unmapped);
        return 0;
    }
}
