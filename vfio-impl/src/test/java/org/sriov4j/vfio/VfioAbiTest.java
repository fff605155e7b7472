package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sriov4j.vfio.kernel.VfioAbi;

/** The layouts and request numbers against include/uapi/linux/vfio.h (x86-64). */
class VfioAbiTest {

    @Test
    void requestNumbersAreIoSemicolonHundredPlusN() {
        assertEquals(0x3B64, VfioAbi.GET_API_VERSION);
        assertEquals(0x3B65, VfioAbi.CHECK_EXTENSION);
        assertEquals(0x3B66, VfioAbi.SET_IOMMU);
        assertEquals(0x3B67, VfioAbi.GROUP_GET_STATUS);
        assertEquals(0x3B68, VfioAbi.GROUP_SET_CONTAINER);
        assertEquals(0x3B69, VfioAbi.GROUP_UNSET_CONTAINER);
        assertEquals(0x3B6A, VfioAbi.GROUP_GET_DEVICE_FD);
        assertEquals(0x3B6B, VfioAbi.DEVICE_GET_INFO);
        assertEquals(0x3B6C, VfioAbi.DEVICE_GET_REGION_INFO);
        assertEquals(0x3B6D, VfioAbi.DEVICE_GET_IRQ_INFO);
        assertEquals(0x3B6E, VfioAbi.DEVICE_SET_IRQS);
        assertEquals(0x3B6F, VfioAbi.DEVICE_RESET);
        assertEquals(0x3B70, VfioAbi.IOMMU_GET_INFO);
        assertEquals(0x3B71, VfioAbi.IOMMU_MAP_DMA);
        assertEquals(0x3B72, VfioAbi.IOMMU_UNMAP_DMA);
        assertEquals(0x3B75, VfioAbi.DEVICE_FEATURE);
    }

    @Test
    void groupStatusIsEightBytes() {
        assertEquals(8, VfioAbi.GroupStatus.SIZE);
        assertEquals(0, VfioAbi.GroupStatus.ARGSZ);
        assertEquals(4, VfioAbi.GroupStatus.FLAGS);
    }

    @Test
    void deviceInfoIs24BytesWithCapOffsetAt16() {
        assertEquals(24, VfioAbi.DeviceInfo.SIZE);
        assertEquals(16, VfioAbi.DeviceInfo.MINSZ);
        assertEquals(4, VfioAbi.DeviceInfo.FLAGS);
        assertEquals(8, VfioAbi.DeviceInfo.NUM_REGIONS);
        assertEquals(12, VfioAbi.DeviceInfo.NUM_IRQS);
        assertEquals(16, VfioAbi.DeviceInfo.CAP_OFFSET);
    }

    @Test
    void regionInfoIs32BytesWithAlignedU64s() {
        assertEquals(32, VfioAbi.RegionInfo.SIZE);
        assertEquals(8, VfioAbi.RegionInfo.INDEX);
        assertEquals(12, VfioAbi.RegionInfo.CAP_OFFSET);
        assertEquals(16, VfioAbi.RegionInfo.REGION_SIZE);
        assertEquals(24, VfioAbi.RegionInfo.OFFSET);
        assertEquals(8, VfioAbi.SparseMmap.NR_AREAS);
        assertEquals(16, VfioAbi.SparseMmap.AREAS);
        assertEquals(16, VfioAbi.SparseMmap.AREA_SIZE);
        assertEquals(8, VfioAbi.CapHeader.SIZE);
        assertEquals(2, VfioAbi.CapHeader.VERSION);
        assertEquals(4, VfioAbi.CapHeader.NEXT);
    }

    @Test
    void irqInfoAndIrqSetLayouts() {
        assertEquals(16, VfioAbi.IrqInfo.SIZE);
        assertEquals(8, VfioAbi.IrqInfo.INDEX);
        assertEquals(12, VfioAbi.IrqInfo.COUNT);
        assertEquals(20, VfioAbi.IrqSet.SIZE);
        assertEquals(8, VfioAbi.IrqSet.INDEX);
        assertEquals(12, VfioAbi.IrqSet.START);
        assertEquals(16, VfioAbi.IrqSet.COUNT);
        assertEquals(20, VfioAbi.IrqSet.DATA);
    }

    @Test
    void iommuType1InfoAndIovaRangeCapability() {
        assertEquals(24, VfioAbi.IommuInfo.SIZE);
        assertEquals(16, VfioAbi.IommuInfo.MINSZ);
        assertEquals(8, VfioAbi.IommuInfo.IOVA_PGSIZES);
        assertEquals(16, VfioAbi.IommuInfo.CAP_OFFSET);
        assertEquals(8, VfioAbi.IovaRangeCap.NR_IOVAS);
        assertEquals(16, VfioAbi.IovaRangeCap.RANGES);
        assertEquals(16, VfioAbi.IovaRangeCap.RANGE_SIZE);
        assertEquals(8, VfioAbi.DmaAvailCap.AVAIL);
    }

    @Test
    void dmaMapIs32AndDmaUnmapIs24Bytes() {
        assertEquals(32, VfioAbi.DmaMap.SIZE);
        assertEquals(8, VfioAbi.DmaMap.VADDR);
        assertEquals(16, VfioAbi.DmaMap.IOVA);
        assertEquals(24, VfioAbi.DmaMap.MAP_SIZE);
        assertEquals(24, VfioAbi.DmaUnmap.SIZE);
        assertEquals(8, VfioAbi.DmaUnmap.IOVA);
        assertEquals(16, VfioAbi.DmaUnmap.UNMAP_SIZE);
    }

    @Test
    void deviceFeatureHeaderAndFlags() {
        assertEquals(8, VfioAbi.DeviceFeature.SIZE);
        assertEquals(8, VfioAbi.DeviceFeature.DATA);
        assertEquals(0x10000, VfioAbi.DEVICE_FEATURE_GET);
        assertEquals(0x20000, VfioAbi.DEVICE_FEATURE_SET);
        assertEquals(0x40000, VfioAbi.DEVICE_FEATURE_PROBE);
        assertEquals(1, VfioAbi.DEVICE_FEATURE_MIGRATION);
    }

    @Test
    void migDataSizeFeatureIsNineWithOneU64() {
        // include/uapi/linux/vfio.h: struct vfio_device_feature_mig_data_size { __aligned_u64 stop_copy_length; };
        // #define VFIO_DEVICE_FEATURE_MIG_DATA_SIZE 9
        assertEquals(9, VfioAbi.DEVICE_FEATURE_MIG_DATA_SIZE);
        assertEquals(8, VfioAbi.MigDataSize.SIZE);
        assertEquals(0, VfioAbi.MigDataSize.STOP_COPY_LENGTH);
    }

    @Test
    void hotResetInfoIsATwelveByteHeaderAndEightBytesPerDependentDevice() {
        assertEquals(0x3B70, VfioAbi.DEVICE_GET_PCI_HOT_RESET_INFO, "_IO(';', 100 + 12)");
        assertEquals(12, VfioAbi.HotResetInfo.SIZE);
        assertEquals(4, VfioAbi.HotResetInfo.FLAGS);
        assertEquals(8, VfioAbi.HotResetInfo.COUNT);
        assertEquals(12, VfioAbi.HotResetInfo.DEVICES);
        assertEquals(8, VfioAbi.DependentDevice.SIZE);
        assertEquals(0, VfioAbi.DependentDevice.GROUP_ID);
        assertEquals(4, VfioAbi.DependentDevice.SEGMENT);
        assertEquals(6, VfioAbi.DependentDevice.BUS);
        assertEquals(7, VfioAbi.DependentDevice.DEVFN);
        assertEquals(1, VfioAbi.PCI_HOT_RESET_FLAG_DEV_ID);
        assertEquals(2, VfioAbi.PCI_HOT_RESET_FLAG_DEV_ID_OWNED);
        assertEquals(3, VfioAbi.PCI_ERR_IRQ_INDEX);
        assertEquals(4, VfioAbi.PCI_REQ_IRQ_INDEX);
    }

    @Test
    void structBuffersCarryTheirSizeAsArgsz() {
        assertEquals(32, VfioAbi.struct(VfioAbi.DmaMap.SIZE).getInt(0));
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, VfioAbi.struct(8).order());
        assertEquals(13, VfioAbi.cString("0000:01:10.0").limit());
    }
}
