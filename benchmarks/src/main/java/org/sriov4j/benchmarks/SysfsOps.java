package org.sriov4j.benchmarks;

/**
 * How many sysfs operations of each kind a discovery made: the currency in which the engine and the plain-files
 * baseline are compared.
 *
 * @param reads whole-attribute reads ({@code open + read + close})
 * @param readLinks {@code readlink} calls
 * @param exists existence checks ({@code lstat})
 * @param lists directory listings
 */
public record SysfsOps(long reads, long readLinks, long exists, long lists) {

    /**
     * The sum of all operations.
     *
     * @return the total
     */
    public long total() {
        return reads + readLinks + exists + lists;
    }

    @Override
    public String toString() {
        return "reads=" + reads + " readLinks=" + readLinks + " exists=" + exists + " lists=" + lists + " (total "
                + total() + ")";
    }
}
