package org.sriov4j.vfio;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The mapping table of an {@link IommuDomain}: mappings sorted by IOVA (unsigned) in parallel primitive arrays, so
 * that the map/unmap hot path needs no boxing, no tree nodes and no rebalancing. Look-ups are binary searches;
 * inserting or removing shifts the tail of the arrays, which is nothing at the end of the table (a VMM maps guest RAM
 * in ascending order and unmaps the newest first) and a short {@link System#arraycopy} elsewhere. Mappings never
 * overlap (the domain checks before adding). Not thread-safe: the domain synchronises.
 */
final class DmaTable {
    private long[] first = new long[8];
    private long[] last = new long[8];
    private DmaMapping[] mappings = new DmaMapping[8];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The index of the last mapping whose first IOVA is at or below {@code iova} (unsigned), or -1. */
    private int floor(long iova) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(first[mid], iova) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi;
    }

    /**
     * A mapping that shares an IOVA with {@code [from, to]}, or null.
     *
     * @param from first IOVA
     * @param to last IOVA (inclusive)
     * @return an overlapping mapping
     */
    @Nullable DmaMapping overlapping(long from, long to) {
        int k = floor(from);
        if (k >= 0 && Long.compareUnsigned(last[k], from) >= 0) {
            return mappings[k];
        }
        int next = k + 1;
        if (next < size && Long.compareUnsigned(first[next], to) <= 0) {
            return mappings[next];
        }
        return null;
    }

    /**
     * The mapping that contains an IOVA, or null.
     *
     * @param iova the IOVA
     * @return the mapping
     */
    @Nullable DmaMapping containing(long iova) {
        int k = floor(iova);
        return k >= 0 && Long.compareUnsigned(last[k], iova) >= 0 ? mappings[k] : null;
    }

    /**
     * The mapping that starts at {@code iova} and is {@code length} long, or null.
     *
     * @param iova the first IOVA
     * @param length bytes
     * @return its index, or -1
     */
    int exact(long iova, long length) {
        int k = size - 1; // the newest mapping at the end is the usual one: no search
        if (k < 0 || first[k] != iova) {
            k = floor(iova);
        }
        return k >= 0 && first[k] == iova && mappings[k].length() == length ? k : -1;
    }

    /**
     * Adds a mapping that overlaps none in the table.
     *
     * @param m the mapping
     */
    void add(DmaMapping m) {
        if (size == first.length) {
            int n = size * 2;
            first = Arrays.copyOf(first, n);
            last = Arrays.copyOf(last, n);
            mappings = Arrays.copyOf(mappings, n);
        }
        int at = size == 0 || Long.compareUnsigned(first[size - 1], m.iova()) < 0 ? size : floor(m.iova()) + 1;
        int tail = size - at;
        if (tail > 0) {
            System.arraycopy(first, at, first, at + 1, tail);
            System.arraycopy(last, at, last, at + 1, tail);
            System.arraycopy(mappings, at, mappings, at + 1, tail);
        }
        first[at] = m.iova();
        last[at] = m.lastIova();
        mappings[at] = m;
        size++;
    }

    /**
     * Removes the mappings at indices {@code [from, to)}.
     *
     * @param from first index
     * @param to one past the last index
     */
    void remove(int from, int to) {
        int tail = size - to;
        if (tail > 0) {
            System.arraycopy(first, to, first, from, tail);
            System.arraycopy(last, to, last, from, tail);
            System.arraycopy(mappings, to, mappings, from, tail);
        }
        Arrays.fill(mappings, size - (to - from), size, null);
        size -= to - from;
    }

    /**
     * The index range of the mappings that meet {@code [from, to]}: {@code [result[0], result[1])}.
     *
     * @param from first IOVA
     * @param to last IOVA (inclusive)
     * @return two indices
     */
    int[] meeting(long from, long to) {
        int k = floor(from);
        int start = k >= 0 && Long.compareUnsigned(last[k], from) >= 0 ? k : k + 1;
        int end = start;
        while (end < size && Long.compareUnsigned(first[end], to) <= 0) {
            end++;
        }
        return new int[] {start, end};
    }

    DmaMapping get(int index) {
        return mappings[index];
    }

    /** The mappings by IOVA. */
    List<DmaMapping> snapshot() {
        return List.of(Arrays.copyOf(mappings, size));
    }

    void clear() {
        Arrays.fill(mappings, 0, size, null);
        size = 0;
    }
}
