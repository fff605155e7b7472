package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DmaTableTest {
    private static final long PAGE = 4096;

    private static DmaMapping m(long iova, long length) {
        return new DmaMapping(iova, 0x7f00_0000_0000L + iova, length, DmaAccess.READ_WRITE);
    }

    /** The reference: a tree keyed by unsigned IOVA, as the table was before. */
    private static DmaMapping overlapInTree(TreeMap<Long, DmaMapping> tree, long from, long to) {
        Map.Entry<Long, DmaMapping> below = tree.floorEntry(from);
        if (below != null && Long.compareUnsigned(below.getValue().lastIova(), from) >= 0) {
            return below.getValue();
        }
        Map.Entry<Long, DmaMapping> above = tree.ceilingEntry(from);
        return above != null && Long.compareUnsigned(above.getKey(), to) <= 0 ? above.getValue() : null;
    }

    @Test
    void agreesWithASortedTreeOnRandomAddsRemovesAndLookUpsIncludingAddressesAboveTheSignBit() {
        Random random = new Random(15);
        for (int run = 0; run < 20; run++) {
            DmaTable table = new DmaTable();
            TreeMap<Long, DmaMapping> tree = new TreeMap<>(Long::compareUnsigned);
            for (int step = 0; step < 2000; step++) {
                // addresses in two windows: low, and just below 2^64 (negative as signed longs)
                long base = random.nextBoolean() ? 0 : -(1L << 30);
                long iova = base + PAGE * random.nextInt(1 << 14);
                long length = PAGE * (1 + random.nextInt(64));
                long last = iova + length - 1;
                if (Long.compareUnsigned(last, iova) < 0) {
                    continue;
                }
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        DmaMapping expected = overlapInTree(tree, iova, last);
                        assertSame(expected, table.overlapping(iova, last));
                        if (expected == null) {
                            DmaMapping mapping = m(iova, length);
                            table.add(mapping);
                            tree.put(iova, mapping);
                        }
                    }
                    case 2 -> {
                        int[] meet = table.meeting(iova, last);
                        List<DmaMapping> fromTable = new ArrayList<>();
                        for (int k = meet[0]; k < meet[1]; k++) {
                            fromTable.add(table.get(k));
                        }
                        List<DmaMapping> fromTree = new ArrayList<>();
                        Map.Entry<Long, DmaMapping> below = tree.lowerEntry(iova);
                        if (below != null && Long.compareUnsigned(below.getValue().lastIova(), iova) >= 0) {
                            fromTree.add(below.getValue());
                        }
                        fromTree.addAll(tree.subMap(iova, true, last, true).values());
                        assertEquals(fromTree, fromTable);
                        table.remove(meet[0], meet[1]);
                        fromTree.forEach(x -> tree.remove(x.iova()));
                    }
                    default -> {
                        Map.Entry<Long, DmaMapping> e = tree.floorEntry(iova);
                        DmaMapping expected = e != null && Long.compareUnsigned(e.getValue().lastIova(), iova) >= 0
                                ? e.getValue() : null;
                        assertSame(expected, table.containing(iova));
                    }
                }
                assertEquals(List.copyOf(tree.values()), table.snapshot());
            }
        }
    }

    @Test
    void exactFindsOnlyAMappingWithTheSameStartAndLength() {
        DmaTable table = new DmaTable();
        table.add(m(0x1000_0000L, 2 * PAGE));
        table.add(m(0x2000_0000L, PAGE));
        assertEquals(0, table.exact(0x1000_0000L, 2 * PAGE));
        assertEquals(1, table.exact(0x2000_0000L, PAGE));
        assertEquals(-1, table.exact(0x1000_0000L, PAGE));
        assertEquals(-1, table.exact(0x1000_0000L + PAGE, PAGE));
        assertEquals(-1, table.exact(0x3000_0000L, PAGE));
    }

    @Test
    void growsPastItsFirstCapacityAndClears() {
        DmaTable table = new DmaTable();
        for (int i = 100; i > 0; i--) { // descending: every add inserts at the front
            table.add(m(i * 16 * PAGE, PAGE));
        }
        assertEquals(100, table.size());
        assertEquals(16 * PAGE, table.get(0).iova());
        assertEquals(100 * 16 * PAGE, table.get(99).iova());
        table.clear();
        assertEquals(0, table.size());
        assertNull(table.containing(16 * PAGE));
    }
}
