package org.sriov4j.vfio;

/**
 * The iommufd user ABI ({@code include/uapi/linux/iommufd.h}) and the VFIO device-cdev requests that use it
 * ({@code include/uapi/linux/vfio.h}: {@code VFIO_DEVICE_BIND_IOMMUFD}, {@code VFIO_DEVICE_ATTACH_IOMMUFD_PT},
 * {@code VFIO_DEVICE_DETACH_IOMMUFD_PT}), as of Linux 6.12. Layouts are x86-64 little-endian; the tests compare
 * sizes and offsets with the headers.
 *
 * <p>Every iommufd structure starts with a {@code __u32 size} the kernel checks against the structure's minimum
 * ({@code EINVAL} when smaller; bytes beyond what the kernel knows must be zero, else {@code E2BIG}).
 */
final class IommufdAbi {
    private IommufdAbi() {
    }

    /** {@code IOMMUFD_TYPE}: {@code ';'}, shared with VFIO. */
    static final int TYPE = ';';
    /** {@code IOMMUFD_CMD_BASE}. */
    static final int CMD_BASE = 0x80;

    /** {@code IOMMU_DESTROY}. */
    static final long DESTROY = (TYPE << 8) | CMD_BASE;
    /** {@code IOMMU_IOAS_ALLOC}. */
    static final long IOAS_ALLOC = (TYPE << 8) | (CMD_BASE + 1);
    /** {@code IOMMU_IOAS_IOVA_RANGES}. */
    static final long IOAS_IOVA_RANGES = (TYPE << 8) | (CMD_BASE + 4);
    /** {@code IOMMU_IOAS_MAP}. */
    static final long IOAS_MAP = (TYPE << 8) | (CMD_BASE + 5);
    /** {@code IOMMU_IOAS_UNMAP}. */
    static final long IOAS_UNMAP = (TYPE << 8) | (CMD_BASE + 6);

    /** {@code VFIO_DEVICE_BIND_IOMMUFD}: {@code _IO(VFIO_TYPE, VFIO_BASE + 18)}, on a device cdev. */
    static final long DEVICE_BIND_IOMMUFD = VfioAbi.io(18);
    /** {@code VFIO_DEVICE_ATTACH_IOMMUFD_PT}: {@code _IO(VFIO_TYPE, VFIO_BASE + 19)}. */
    static final long DEVICE_ATTACH_IOMMUFD_PT = VfioAbi.io(19);
    /** {@code VFIO_DEVICE_DETACH_IOMMUFD_PT}: {@code _IO(VFIO_TYPE, VFIO_BASE + 20)}. */
    static final long DEVICE_DETACH_IOMMUFD_PT = VfioAbi.io(20);

    /** {@code IOMMU_IOAS_MAP_FIXED_IOVA}. */
    static final int MAP_FIXED_IOVA = 1;
    /** {@code IOMMU_IOAS_MAP_WRITEABLE}. */
    static final int MAP_WRITEABLE = 1 << 1;
    /** {@code IOMMU_IOAS_MAP_READABLE}. */
    static final int MAP_READABLE = 1 << 2;

    /** The iommufd device node, under the device root. */
    static final String IOMMU_NODE = "iommu";
    /** The directory of VFIO device cdevs, under the device root ({@code vfio/devices/vfioN}). */
    static final String CDEV_DIR = "vfio/devices/";

    /** {@code struct iommu_destroy { __u32 size; __u32 id; }}. */
    static final class Destroy {
        static final int SIZE = 8;
        static final int ID = 4;

        private Destroy() {
        }
    }

    /** {@code struct iommu_ioas_alloc { __u32 size; __u32 flags; __u32 out_ioas_id; }}. */
    static final class IoasAlloc {
        static final int SIZE = 12;
        static final int FLAGS = 4;
        static final int OUT_IOAS_ID = 8;

        private IoasAlloc() {
        }
    }

    /**
     * {@code struct iommu_ioas_iova_ranges { __u32 size, ioas_id, num_iovas, __reserved; __aligned_u64 allowed_iovas,
     * out_iova_alignment; }}; {@code allowed_iovas} points to an array of {@code struct iommu_iova_range
     * { __aligned_u64 start, last; }}.
     */
    static final class IovaRanges {
        static final int SIZE = 32;
        static final int IOAS_ID = 4;
        static final int NUM_IOVAS = 8;
        static final int RESERVED = 12;
        static final int ALLOWED_IOVAS = 16;
        static final int OUT_IOVA_ALIGNMENT = 24;
        static final int RANGE_SIZE = 16;

        private IovaRanges() {
        }
    }

    /**
     * {@code struct iommu_ioas_map { __u32 size, flags, ioas_id, __reserved; __aligned_u64 user_va, length, iova; }}.
     */
    static final class IoasMap {
        static final int SIZE = 40;
        static final int FLAGS = 4;
        static final int IOAS_ID = 8;
        static final int RESERVED = 12;
        static final int USER_VA = 16;
        static final int LENGTH = 24;
        static final int IOVA = 32;

        private IoasMap() {
        }
    }

    /** {@code struct iommu_ioas_unmap { __u32 size, ioas_id; __aligned_u64 iova, length; }}: length is in/out. */
    static final class IoasUnmap {
        static final int SIZE = 24;
        static final int IOAS_ID = 4;
        static final int IOVA = 8;
        static final int LENGTH = 16;

        private IoasUnmap() {
        }
    }

    /** {@code struct vfio_device_bind_iommufd { __u32 argsz, flags; __s32 iommufd; __u32 out_devid; }}. */
    static final class BindIommufd {
        static final int SIZE = 16;
        static final int FLAGS = 4;
        static final int IOMMUFD = 8;
        static final int OUT_DEVID = 12;

        private BindIommufd() {
        }
    }

    /**
     * {@code struct vfio_device_attach_iommufd_pt { __u32 argsz, flags, pt_id; }} (6.12; later kernels append a
     * {@code pasid} read only with {@code VFIO_DEVICE_ATTACH_PASID}).
     */
    static final class AttachPt {
        static final int SIZE = 12;
        static final int FLAGS = 4;
        static final int PT_ID = 8;

        private AttachPt() {
        }
    }

    /** {@code struct vfio_device_detach_iommufd_pt { __u32 argsz, flags; }}. */
    static final class DetachPt {
        static final int SIZE = 8;
        static final int FLAGS = 4;

        private DetachPt() {
        }
    }
}
