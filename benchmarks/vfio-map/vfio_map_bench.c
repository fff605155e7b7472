/*
 * The C baseline of the VFIO DMA map benchmark: VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA pairs per second on a
 * type1v2 container with one group attached, the same ioctls sriov4j's IommuDomain.map/unmap make (no validation,
 * no mapping table). Built and run by benchmarks/run-vfio-map.sh in the real-kernel guest.
 *
 *   vfio_map_bench GROUP SIZE WARMUP_SECONDS SECONDS
 *
 * Prints one line: "c size=SIZE pairs=N seconds=S pairs_per_s=R us_per_pair=U". Exit 1 on any failed call.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define IOVA 0x10000000ULL

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "vfio_map_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long pairs(int container, void *buf, unsigned long size, double seconds) {
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map),
        .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
        .vaddr = (unsigned long) buf,
        .iova = IOVA,
        .size = size,
    };
    struct vfio_iommu_type1_dma_unmap unmap = {.argsz = sizeof(unmap), .iova = IOVA, .size = size};
    double end = now() + seconds;
    long n = 0;
    do {
        for (int i = 0; i < 16; i++, n++) {
            if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0) {
                die("VFIO_IOMMU_MAP_DMA");
            }
            unmap.size = size;
            if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0) {
                die("VFIO_IOMMU_UNMAP_DMA");
            }
            if (unmap.size != size) {
                fprintf(stderr, "vfio_map_bench: unmapped %llu bytes, not %lu\n", (unsigned long long) unmap.size,
                        size);
                exit(1);
            }
        }
    } while (now() < end);
    return n;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: vfio_map_bench GROUP SIZE WARMUP_SECONDS SECONDS\n");
        return 2;
    }
    unsigned long size = strtoul(argv[2], NULL, 0);
    double warmup = atof(argv[3]), seconds = atof(argv[4]);
    char path[64];
    snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);

    int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
    if (container < 0) {
        die("open /dev/vfio/vfio");
    }
    if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
        die("VFIO_GET_API_VERSION");
    }
    if (ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
        die("VFIO_CHECK_EXTENSION type1v2");
    }
    int group = open(path, O_RDWR | O_CLOEXEC);
    if (group < 0) {
        die(path);
    }
    struct vfio_group_status status = {.argsz = sizeof(status)};
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) < 0 || !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        die("VFIO_GROUP_GET_STATUS (viable)");
    }
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0) {
        die("VFIO_GROUP_SET_CONTAINER");
    }
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
        die("VFIO_SET_IOMMU");
    }
    void *buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        die("mmap");
    }
    memset(buf, 1, size);
    pairs(container, buf, size, warmup);
    double t0 = now();
    long n = pairs(container, buf, size, seconds);
    double t = now() - t0;
    printf("c size=%lu pairs=%ld seconds=%.3f pairs_per_s=%.1f us_per_pair=%.2f\n", size, n, t, n / t, t * 1e6 / n);
    munmap(buf, size);
    ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
    close(group);
    close(container);
    return 0;
}
