package org.sriov4j.vfio;

/**
 * A range of I/O virtual addresses the IOMMU accepts mappings in, as the kernel reports it
 * ({@code VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE}). Both ends are inclusive and compared unsigned.
 *
 * @param start first address
 * @param end last address (inclusive)
 */
public record IovaRange(long start, long end) {

    /**
     * Whether {@code [first, last]} lies entirely in this range.
     *
     * @param first first address
     * @param last last address (inclusive)
     * @return true when contained
     */
    public boolean contains(long first, long last) {
        return Long.compareUnsigned(first, start) >= 0 && Long.compareUnsigned(last, end) <= 0;
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(start) + "-0x" + Long.toHexString(end);
    }
}
