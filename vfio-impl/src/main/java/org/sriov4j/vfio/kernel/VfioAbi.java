package org.sriov4j.vfio.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The VFIO user ABI: ioctl request numbers, flag values and the byte layouts of the structures, as defined in the
 * Linux uAPI header {@code include/uapi/linux/vfio.h}. Structures are encoded by hand into little-endian direct
 * buffers (x86-64); each layout lists its size and field offsets, and the tests compare them with the header.
 */
public final class VfioAbi {
    private VfioAbi() {
    }

    /** {@code VFIO_TYPE}: the ioctl type character {@code ';'}. */
    public static final int TYPE = ';';
    /** {@code VFIO_BASE}. */
    public static final int BASE = 100;

    /**
     * {@code _IO(type, nr)}: direction and size bits are zero, so the number is {@code (type << 8) | nr}.
     *
     * @param nr offset from {@link #BASE}
     * @return the request number
     */
    public static long io(int nr) {
        return (TYPE << 8) | (BASE + nr);
    }

    // container (/dev/vfio/vfio)
    public static final long GET_API_VERSION = io(0);
    public static final long CHECK_EXTENSION = io(1);
    public static final long SET_IOMMU = io(2);
    // group (/dev/vfio/N)
    public static final long GROUP_GET_STATUS = io(3);
    public static final long GROUP_SET_CONTAINER = io(4);
    public static final long GROUP_UNSET_CONTAINER = io(5);
    public static final long GROUP_GET_DEVICE_FD = io(6);
    // device
    public static final long DEVICE_GET_INFO = io(7);
    public static final long DEVICE_GET_REGION_INFO = io(8);
    public static final long DEVICE_GET_IRQ_INFO = io(9);
    public static final long DEVICE_SET_IRQS = io(10);
    public static final long DEVICE_RESET = io(11);
    public static final long DEVICE_FEATURE = io(17);
    /**
     * {@code VFIO_DEVICE_GET_PCI_HOT_RESET_INFO}: on a vfio-pci device, {@code _IO(VFIO_TYPE, VFIO_BASE + 12)} (the same
     * number as {@code VFIO_IOMMU_GET_INFO} on a container).
     */
    public static final long DEVICE_GET_PCI_HOT_RESET_INFO = io(12);
    /** {@code VFIO_MIG_GET_PRECOPY_INFO}: on a PRE_COPY data fd, {@code _IO(VFIO_TYPE, VFIO_BASE + 21)}. */
    public static final long MIG_GET_PRECOPY_INFO = io(21);
    // type1 IOMMU (on the container once SET_IOMMU succeeded)
    public static final long IOMMU_GET_INFO = io(12);
    public static final long IOMMU_MAP_DMA = io(13);
    public static final long IOMMU_UNMAP_DMA = io(14);

    public static final int API_VERSION = 0;
    public static final int TYPE1_IOMMU = 1;
    public static final int TYPE1V2_IOMMU = 3;
    public static final int NOIOMMU_IOMMU = 8;

    public static final int GROUP_FLAGS_VIABLE = 1;
    public static final int GROUP_FLAGS_CONTAINER_SET = 2;

    public static final int DEVICE_FLAGS_RESET = 1;
    public static final int DEVICE_FLAGS_PCI = 2;

    public static final int REGION_INFO_FLAG_READ = 1;
    public static final int REGION_INFO_FLAG_WRITE = 2;
    public static final int REGION_INFO_FLAG_MMAP = 4;
    public static final int REGION_INFO_FLAG_CAPS = 8;
    public static final int REGION_INFO_CAP_SPARSE_MMAP = 1;

    public static final int PCI_CONFIG_REGION_INDEX = 7;
    public static final int PCI_NUM_REGIONS = 9;

    public static final int IRQ_INFO_EVENTFD = 1;
    public static final int IRQ_INFO_MASKABLE = 2;
    public static final int IRQ_INFO_AUTOMASKED = 4;
    public static final int IRQ_INFO_NORESIZE = 8;

    public static final int IRQ_SET_DATA_NONE = 1;
    public static final int IRQ_SET_DATA_BOOL = 2;
    public static final int IRQ_SET_DATA_EVENTFD = 4;
    public static final int IRQ_SET_ACTION_MASK = 8;
    public static final int IRQ_SET_ACTION_UNMASK = 16;
    public static final int IRQ_SET_ACTION_TRIGGER = 32;
    public static final int IRQ_SET_DATA_TYPE_MASK = 7;
    public static final int IRQ_SET_ACTION_TYPE_MASK = 56;

    public static final int PCI_INTX_IRQ_INDEX = 0;
    public static final int PCI_MSI_IRQ_INDEX = 1;
    public static final int PCI_MSIX_IRQ_INDEX = 2;
    public static final int PCI_ERR_IRQ_INDEX = 3;
    public static final int PCI_REQ_IRQ_INDEX = 4;
    public static final int PCI_NUM_IRQS = 5;

    public static final int IOMMU_INFO_PGSIZES = 1;
    public static final int IOMMU_INFO_CAPS = 2;
    public static final int IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;
    public static final int IOMMU_TYPE1_INFO_CAP_MIGRATION = 2;
    public static final int IOMMU_TYPE1_INFO_DMA_AVAIL = 3;

    public static final int DMA_MAP_FLAG_READ = 1;
    public static final int DMA_MAP_FLAG_WRITE = 2;

    public static final int DEVICE_FEATURE_MASK = 0xffff;
    public static final int DEVICE_FEATURE_GET = 1 << 16;
    public static final int DEVICE_FEATURE_SET = 1 << 17;
    public static final int DEVICE_FEATURE_PROBE = 1 << 18;
    public static final int DEVICE_FEATURE_MIGRATION = 1;
    /** {@code VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE}: GET/SET {@code struct vfio_device_feature_mig_state}. */
    public static final int DEVICE_FEATURE_MIG_DEVICE_STATE = 2;
    /**
     * {@code VFIO_DEVICE_FEATURE_MIG_DATA_SIZE}: GET only, {@code struct vfio_device_feature_mig_data_size}; the
     * estimated length of the STOP_COPY data.
     */
    public static final int DEVICE_FEATURE_MIG_DATA_SIZE = 9;
    public static final long MIGRATION_STOP_COPY = 1;
    public static final long MIGRATION_P2P = 2;
    public static final long MIGRATION_PRE_COPY = 4;

    /** {@code struct vfio_info_cap_header}: id u16, version u16, next u32 (offset from the start of the info). */
    public static final class CapHeader {
        public static final int SIZE = 8;
        public static final int ID = 0;
        public static final int VERSION = 2;
        public static final int NEXT = 4;

        private CapHeader() {
        }
    }

    /** {@code struct vfio_group_status}. */
    public static final class GroupStatus {
        public static final int SIZE = 8;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;

        private GroupStatus() {
        }
    }

    /** {@code struct vfio_device_info} (24 bytes since Linux 6.2 added cap_offset and pad; 16 is the minimum). */
    public static final class DeviceInfo {
        public static final int SIZE = 24;
        public static final int MINSZ = 16;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int NUM_REGIONS = 8;
        public static final int NUM_IRQS = 12;
        public static final int CAP_OFFSET = 16;

        private DeviceInfo() {
        }
    }

    /** {@code struct vfio_region_info}. */
    public static final class RegionInfo {
        public static final int SIZE = 32;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INDEX = 8;
        public static final int CAP_OFFSET = 12;
        public static final int REGION_SIZE = 16;
        public static final int OFFSET = 24;

        private RegionInfo() {
        }
    }

    /** {@code struct vfio_region_info_cap_sparse_mmap}: header, nr_areas u32, reserved u32, areas[] {offset, size}. */
    public static final class SparseMmap {
        public static final int NR_AREAS = 8;
        public static final int AREAS = 16;
        public static final int AREA_SIZE = 16;

        private SparseMmap() {
        }
    }

    /** {@code struct vfio_irq_info}. */
    public static final class IrqInfo {
        public static final int SIZE = 16;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INDEX = 8;
        public static final int COUNT = 12;

        private IrqInfo() {
        }
    }

    /** {@code struct vfio_irq_set}: fixed part, then {@code data[]} (s32 eventfds or u8 bools). */
    public static final class IrqSet {
        public static final int SIZE = 20;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INDEX = 8;
        public static final int START = 12;
        public static final int COUNT = 16;
        public static final int DATA = 20;

        private IrqSet() {
        }
    }

    /** {@code struct vfio_iommu_type1_info}. */
    public static final class IommuInfo {
        public static final int SIZE = 24;
        public static final int MINSZ = 16;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int IOVA_PGSIZES = 8;
        public static final int CAP_OFFSET = 16;

        private IommuInfo() {
        }
    }

    /** {@code struct vfio_iommu_type1_info_cap_iova_range}: header, nr_iovas, reserved, ranges[] {start, end}. */
    public static final class IovaRangeCap {
        public static final int NR_IOVAS = 8;
        public static final int RANGES = 16;
        public static final int RANGE_SIZE = 16;

        private IovaRangeCap() {
        }
    }

    /** {@code struct vfio_iommu_type1_info_dma_avail}: header, avail u32. */
    public static final class DmaAvailCap {
        public static final int AVAIL = 8;

        private DmaAvailCap() {
        }
    }

    /** {@code struct vfio_iommu_type1_dma_map}. */
    public static final class DmaMap {
        public static final int SIZE = 32;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int VADDR = 8;
        public static final int IOVA = 16;
        public static final int MAP_SIZE = 24;

        private DmaMap() {
        }
    }

    /** {@code struct vfio_iommu_type1_dma_unmap}; the kernel writes the unmapped size back into {@code size}. */
    public static final class DmaUnmap {
        public static final int SIZE = 24;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int IOVA = 8;
        public static final int UNMAP_SIZE = 16;

        private DmaUnmap() {
        }
    }

    /** {@code struct vfio_device_feature}: argsz, flags (feature index in bits 0–15), data[]. */
    public static final class DeviceFeature {
        public static final int SIZE = 8;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int DATA = 8;
        /** {@code struct vfio_device_feature_migration}: one aligned u64 of flags. */
        public static final int MIGRATION_DATA_SIZE = 8;

        private DeviceFeature() {
        }
    }

    /** {@code struct vfio_device_feature_mig_state}: device_state u32, data_fd s32 (after the feature header). */
    public static final class MigState {
        public static final int SIZE = 8;
        public static final int DEVICE_STATE = 0;
        public static final int DATA_FD = 4;

        private MigState() {
        }
    }

    /** {@code struct vfio_device_feature_mig_data_size}: stop_copy_length u64 (after the feature header). */
    public static final class MigDataSize {
        public static final int SIZE = 8;
        public static final int STOP_COPY_LENGTH = 0;

        private MigDataSize() {
        }
    }

    /** {@code struct vfio_precopy_info}: argsz u32, flags u32, initial_bytes u64, dirty_bytes u64. */
    public static final class PrecopyInfo {
        public static final int SIZE = 24;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int INITIAL_BYTES = 8;
        public static final int DIRTY_BYTES = 16;

        private PrecopyInfo() {
        }
    }

    /** {@code VFIO_PCI_HOT_RESET_FLAG_DEV_ID}: the ids are iommufd device ids, not group numbers (cdev path). */
    public static final int PCI_HOT_RESET_FLAG_DEV_ID = 1;
    /** {@code VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED}: every affected device is owned by the caller's iommufd. */
    public static final int PCI_HOT_RESET_FLAG_DEV_ID_OWNED = 2;

    /**
     * {@code struct vfio_pci_hot_reset_info}: argsz, flags, count (u32), then {@code devices[]} of
     * {@link DependentDevice}. Too small an argsz: {@code ENOSPC} with count set to the number of affected devices
     * (Linux 6.6+ also fills the entries that fit).
     */
    public static final class HotResetInfo {
        public static final int SIZE = 12;
        public static final int ARGSZ = 0;
        public static final int FLAGS = 4;
        public static final int COUNT = 8;
        public static final int DEVICES = 12;

        private HotResetInfo() {
        }
    }

    /**
     * {@code struct vfio_pci_dependent_device}: group_id or devid (a union, u32), segment u16, bus u8, devfn u8
     * (slot {@code devfn >> 3}, function {@code devfn & 7}).
     */
    public static final class DependentDevice {
        public static final int SIZE = 8;
        public static final int GROUP_ID = 0;
        public static final int SEGMENT = 4;
        public static final int BUS = 6;
        public static final int DEVFN = 7;

        private DependentDevice() {
        }
    }

    /**
     * A zeroed little-endian direct buffer of {@code size} bytes with {@code argsz} set at offset 0.
     *
     * @param size bytes
     * @return the buffer
     */
    public static ByteBuffer struct(int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, size);
        return b;
    }

    /**
     * A NUL-terminated C string in a direct buffer.
     *
     * @param text ASCII text
     * @return the buffer
     */
    public static ByteBuffer cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocateDirect(bytes.length + 1);
        b.put(bytes).put((byte) 0).flip();
        return b;
    }

    /**
     * An unsigned 32-bit field.
     *
     * @param b buffer
     * @param offset byte offset
     * @return the value
     */
    public static long u32(ByteBuffer b, int offset) {
        return Integer.toUnsignedLong(b.getInt(offset));
    }
}
