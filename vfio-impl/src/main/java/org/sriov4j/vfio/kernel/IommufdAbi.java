package org.sriov4j.vfio.kernel;

/**
 * The iommufd user ABI ({@code include/uapi/linux/iommufd.h}) and the VFIO device-cdev requests that use it
 * ({@code include/uapi/linux/vfio.h}: {@code VFIO_DEVICE_BIND_IOMMUFD}, {@code VFIO_DEVICE_ATTACH_IOMMUFD_PT},
 * {@code VFIO_DEVICE_DETACH_IOMMUFD_PT}), as of Linux 6.12. Layouts are x86-64 little-endian; the tests compare
 * sizes and offsets with the headers.
 *
 * <p>Every iommufd structure starts with a {@code __u32 size} the kernel checks against the structure's minimum
 * ({@code EINVAL} when smaller; bytes beyond what the kernel knows must be zero, else {@code E2BIG}).
 */
public final class IommufdAbi {
    private IommufdAbi() {
    }

    /** {@code IOMMUFD_TYPE}: {@code ';'}, shared with VFIO. */
    public static final int TYPE = ';';
    /** {@code IOMMUFD_CMD_BASE}. */
    public static final int CMD_BASE = 0x80;

    /** {@code IOMMU_DESTROY}. */
    public static final long DESTROY = (TYPE << 8) | CMD_BASE;
    /** {@code IOMMU_IOAS_ALLOC}. */
    public static final long IOAS_ALLOC = (TYPE << 8) | (CMD_BASE + 1);
    /** {@code IOMMU_IOAS_IOVA_RANGES}. */
    public static final long IOAS_IOVA_RANGES = (TYPE << 8) | (CMD_BASE + 4);
    /** {@code IOMMU_IOAS_MAP}. */
    public static final long IOAS_MAP = (TYPE << 8) | (CMD_BASE + 5);
    /** {@code IOMMU_IOAS_UNMAP}. */
    public static final long IOAS_UNMAP = (TYPE << 8) | (CMD_BASE + 6);

    /** {@code VFIO_DEVICE_BIND_IOMMUFD}: {@code _IO(VFIO_TYPE, VFIO_BASE + 18)}, on a device cdev. */
    public static final long DEVICE_BIND_IOMMUFD = VfioAbi.io(18);
    /** {@code VFIO_DEVICE_ATTACH_IOMMUFD_PT}: {@code _IO(VFIO_TYPE, VFIO_BASE + 19)}. */
    public static final long DEVICE_ATTACH_IOMMUFD_PT = VfioAbi.io(19);
    /** {@code VFIO_DEVICE_DETACH_IOMMUFD_PT}: {@code _IO(VFIO_TYPE, VFIO_BASE + 20)}. */
    public static final long DEVICE_DETACH_IOMMUFD_PT = VfioAbi.io(20);

    /** {@code IOMMU_IOAS_MAP_FIXED_IOVA}. */
    public static final int MAP_FIXED_IOVA = 1;
    /** {@code IOMMU_IOAS_MAP_WRITEABLE}. */
    public static final int MAP_WRITEABLE = 1 << 1;
    /** {@code IOMMU_IOAS_MAP_READABLE}. */
    public static final int MAP_READABLE = 1 << 2;

    /** The iommufd device node, under the device root. */
    public static final String IOMMU_NODE = "iommu";
    /** The directory of VFIO device cdevs, under the device root ({@code vfio/devices/vfioN}). */
    public static final String CDEV_DIR = "vfio/devices/";

    /** {@code struct iommu_destroy { __u32 size; __u32 id; }}. */
    public static final class Destroy {
        public static final int SIZE = 8;
        public static final int ID = 4;

        private Destroy() {
        }
    }

    /** {@code struct iommu_ioas_alloc { __u32 size; __u32 flags; __u32 out_ioas_id; }}. */
    public static final class IoasAlloc {
        public static final int SIZE = 12;
        public static final int FLAGS = 4;
        public static final int OUT_IOAS_ID = 8;

        private IoasAlloc() {
        }
    }

    /**
     * {@code struct iommu_ioas_iova_ranges { __u32 size, ioas_id, num_iovas, __reserved; __aligned_u64 allowed_iovas,
     * out_iova_alignment; }}; {@code allowed_iovas} points to an array of {@code struct iommu_iova_range
     * { __aligned_u64 start, last; }}.
     */
    public static final class IovaRanges {
        public static final int SIZE = 32;
        public static final int IOAS_ID = 4;
        public static final int NUM_IOVAS = 8;
        public static final int RESERVED = 12;
        public static final int ALLOWED_IOVAS = 16;
        public static final int OUT_IOVA_ALIGNMENT = 24;
        public static final int RANGE_SIZE = 16;

        private IovaRanges() {
        }
    }

    /**
     * {@code struct iommu_ioas_map { __u32 size, flags, ioas_id, __reserved; __aligned_u64 user_va, length, iova; }}.
     */
    public static final class IoasMap {
        public static final int SIZE = 40;
        public static final int FLAGS = 4;
        public static final int IOAS_ID = 8;
        public static final int RESERVED = 12;
        public static final int USER_VA = 16;
        public static final int LENGTH = 24;
        public static final int IOVA = 32;

        private IoasMap() {
        }
    }

    /** {@code struct iommu_ioas_unmap { __u32 size, ioas_id; __aligned_u64 iova, length; }}: length is in/out. */
    public static final class IoasUnmap {
        public static final int SIZE = 24;
        public static final int IOAS_ID = 4;
        public static final int IOVA = 8;
        public static final int LENGTH = 16;

        private IoasUnmap() {
        }
    }

    /** {@code struct vfio_device_bind_iommufd { __u32 argsz, flags; __s32 iommufd; __u32 out_devid; }}. */
    public static final class BindIommufd {
        public static final int SIZE = 16;
        public static final int FLAGS = 4;
        public static final int IOMMUFD = 8;
        public static final int OUT_DEVID = 12;

        private BindIommufd() {
        }
    }

    /**
     * {@code struct vfio_device_attach_iommufd_pt { __u32 argsz, flags, pt_id; }} (6.12; later kernels append a
     * {@code pasid} read only with {@code VFIO_DEVICE_ATTACH_PASID}).
     */
    public static final class AttachPt {
        public static final int SIZE = 12;
        public static final int FLAGS = 4;
        public static final int PT_ID = 8;

        private AttachPt() {
        }
    }

    /** {@code struct vfio_device_detach_iommufd_pt { __u32 argsz, flags; }}. */
    public static final class DetachPt {
        public static final int SIZE = 8;
        public static final int FLAGS = 4;

        private DetachPt() {
        }
    }
}
