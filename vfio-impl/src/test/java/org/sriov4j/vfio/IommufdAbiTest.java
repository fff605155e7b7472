package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sriov4j.vfio.kernel.IommufdAbi;

/** The iommufd and VFIO cdev layouts against include/uapi/linux/iommufd.h and vfio.h (Linux 6.12, x86-64). */
class IommufdAbiTest {

    @Test
    void requestNumbersAreTheHeadersIoOfTypeSemicolon() {
        assertEquals(0x3b80, IommufdAbi.DESTROY);
        assertEquals(0x3b81, IommufdAbi.IOAS_ALLOC);
        assertEquals(0x3b84, IommufdAbi.IOAS_IOVA_RANGES);
        assertEquals(0x3b85, IommufdAbi.IOAS_MAP);
        assertEquals(0x3b86, IommufdAbi.IOAS_UNMAP);
        assertEquals(0x3b76, IommufdAbi.DEVICE_BIND_IOMMUFD); // VFIO_BASE + 18
        assertEquals(0x3b77, IommufdAbi.DEVICE_ATTACH_IOMMUFD_PT);
        assertEquals(0x3b78, IommufdAbi.DEVICE_DETACH_IOMMUFD_PT);
    }

    @Test
    void mapFlagsAreTheEnumsBits() {
        assertEquals(1, IommufdAbi.MAP_FIXED_IOVA);
        assertEquals(2, IommufdAbi.MAP_WRITEABLE);
        assertEquals(4, IommufdAbi.MAP_READABLE);
    }

    @Test
    void structLayoutsMatchTheHeaders() {
        assertEquals(8, IommufdAbi.Destroy.SIZE);
        assertEquals(4, IommufdAbi.Destroy.ID);
        assertEquals(12, IommufdAbi.IoasAlloc.SIZE);
        assertEquals(8, IommufdAbi.IoasAlloc.OUT_IOAS_ID);
        assertEquals(32, IommufdAbi.IovaRanges.SIZE);
        assertEquals(8, IommufdAbi.IovaRanges.NUM_IOVAS);
        assertEquals(16, IommufdAbi.IovaRanges.ALLOWED_IOVAS);
        assertEquals(24, IommufdAbi.IovaRanges.OUT_IOVA_ALIGNMENT);
        assertEquals(16, IommufdAbi.IovaRanges.RANGE_SIZE);
        assertEquals(40, IommufdAbi.IoasMap.SIZE);
        assertEquals(8, IommufdAbi.IoasMap.IOAS_ID);
        assertEquals(16, IommufdAbi.IoasMap.USER_VA);
        assertEquals(24, IommufdAbi.IoasMap.LENGTH);
        assertEquals(32, IommufdAbi.IoasMap.IOVA);
        assertEquals(24, IommufdAbi.IoasUnmap.SIZE);
        assertEquals(8, IommufdAbi.IoasUnmap.IOVA);
        assertEquals(16, IommufdAbi.IoasUnmap.LENGTH);
        assertEquals(16, IommufdAbi.BindIommufd.SIZE);
        assertEquals(8, IommufdAbi.BindIommufd.IOMMUFD);
        assertEquals(12, IommufdAbi.BindIommufd.OUT_DEVID);
        assertEquals(12, IommufdAbi.AttachPt.SIZE);
        assertEquals(8, IommufdAbi.AttachPt.PT_ID);
        assertEquals(8, IommufdAbi.DetachPt.SIZE);
    }
}
