/*
 * The C loop of the in-process comparison (benchmarks/run-vfio-map.sh): VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA
 * pairs on a container descriptor the calling process already set up, for a given time. Built as a shared library
 * and called once per time slice by VfioMapBench (through JNA) on the very container sriov4j opened, so that the C
 * slices and sriov4j's slices alternate in one process on one container, milliseconds apart: the ratio of each
 * pair of neighbouring slices is free of the drift a shared, noisy machine adds between two processes.
 *
 *   long vfio_map_pairs(int container, unsigned long vaddr, unsigned long size, unsigned long iova, double seconds)
 *
 * Returns the number of pairs made, or -errno of the first failed call.
 */
#include <errno.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

long vfio_map_pairs(int container, unsigned long vaddr, unsigned long size, unsigned long iova, double seconds) {
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
        .vaddr = vaddr,
        .iova = iova,
        .size = size,
    };
    struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof(unmap), .iova = iova, .size = size};
    double end = now() + seconds;
    long n = 0;
    do {
        for (int i = 0; i < 16; i++, n++) {
            if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
                return -errno;
            }
            unmap.size = size;
            if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0) {
                return -errno;
            }
            if (unmap.size != size) {
                return -EIO;
            }
        }
    } while (now() < end);
    return n;
}
