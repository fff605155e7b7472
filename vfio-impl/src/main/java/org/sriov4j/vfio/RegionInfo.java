package org.sriov4j.vfio;

import java.util.List;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * One region of an assigned device ({@code VFIO_DEVICE_GET_REGION_INFO}). For vfio-pci, indexes 0–5 are the BARs,
 * 6 the expansion ROM, 7 the configuration space and 8 VGA; a size of 0 means the region is not implemented.
 *
 * @param index the region index
 * @param flags the raw {@code VFIO_REGION_INFO_FLAG_*} bits
 * @param size bytes
 * @param offset where the region starts in the device file (for pread/pwrite/mmap)
 * @param sparseAreas the parts that may be mmapped when the sparse-mmap capability is present; empty otherwise
 */
public record RegionInfo(int index, int flags, long size, long offset, List<Area> sparseAreas) {

    /** The config space region index of vfio-pci. */
    public static final int PCI_CONFIG = VfioAbi.PCI_CONFIG_REGION_INDEX;

    /**
     * Copies the area list.
     *
     * @param index the region index
     * @param flags the flag bits
     * @param size bytes
     * @param offset the file offset
     * @param sparseAreas the mmappable areas
     */
    public RegionInfo {
        sparseAreas = List.copyOf(sparseAreas);
    }

    /**
     * An mmappable part of a region.
     *
     * @param offset offset inside the region
     * @param size bytes
     */
    public record Area(long offset, long size) {
    }

    /**
     * Whether the region can be read.
     *
     * @return the READ flag
     */
    public boolean readable() {
        return (flags & VfioAbi.REGION_INFO_FLAG_READ) != 0;
    }

    /**
     * Whether the region can be written.
     *
     * @return the WRITE flag
     */
    public boolean writable() {
        return (flags & VfioAbi.REGION_INFO_FLAG_WRITE) != 0;
    }

    /**
     * Whether (parts of) the region can be mmapped.
     *
     * @return the MMAP flag
     */
    public boolean mappable() {
        return (flags & VfioAbi.REGION_INFO_FLAG_MMAP) != 0;
    }

    /**
     * The areas an mmap may cover: the sparse areas when the kernel gave them, else the whole region when it is
     * mappable, else none.
     *
     * @return the areas
     */
    public List<Area> mappableAreas() {
        if (!mappable() || size == 0) {
            return List.of();
        }
        return sparseAreas.isEmpty() ? List.of(new Area(0, size)) : sparseAreas;
    }
}
