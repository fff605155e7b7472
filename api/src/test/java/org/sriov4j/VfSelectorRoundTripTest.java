package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The round-trip property of {@link VfSelector}'s text form over generated selectors: what {@code toString} prints,
 * {@code parse} reads back to an equal selector, and printing that again gives the same text.
 */
class VfSelectorRoundTripTest {

    private static final int SELECTORS = 50_000;
    /** Netdev names: ASCII, the characters the kernel allows that are not special, and multi-byte ones. */
    private static final String NETDEV_CHARS = "abcdefxyzABCXYZ0123456789._-@+%!~\u00e9\u4e2d";
    private static final String DRIVER_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-.=:#";

    @Test
    void everyGeneratedSelectorPrintsToATextThatParsesBackToItAndPrintsTheSame() {
        SplittableRandom random = new SplittableRandom(20261205);
        Set<String> shapes = new HashSet<>();
        for (int n = 0; n < SELECTORS; n++) {
            VfSelector s = generate(random);
            String text = s.toString();
            VfSelector back = VfSelector.parse(text);
            assertEquals(s, back, () -> "parse(\"" + text + "\")");
            assertEquals(s.hashCode(), back.hashCode(), text);
            assertEquals(text, back.toString());
            shapes.add(shape(s));
        }
        // every combination was generated: no PF (then no indices) or a PF by address or by netdev, with or
        // without indices; each with or without id, driver and numa
        assertEquals((1 + 2 * 2) * 2 * 2 * 2, shapes.size(), shapes.toString());
    }

    @Test
    void theSelectorWithoutCriteriaPrintsAnyWhichParsesBackToIt() {
        assertEquals("any", VfSelector.any().toString());
        assertEquals(VfSelector.any(), VfSelector.parse("any"));
        assertEquals(VfSelector.any(), VfSelector.builder().build());
        assertTrue(VfSelector.parse("any").pfNetdev().isEmpty());
    }

    /** A random selector: each criterion present or not, values from their whole ranges. */
    static VfSelector generate(SplittableRandom random) {
        VfSelector.Builder b = VfSelector.builder();
        int pf = random.nextInt(3);
        if (pf == 1) {
            b.pf(new PciAddress(random.nextInt(0x10000), random.nextInt(0x100), random.nextInt(0x20),
                    random.nextInt(8)));
        } else if (pf == 2) {
            b.pfNetdev(netdev(random));
        }
        if (pf != 0 && random.nextBoolean()) {
            int next = random.nextInt(4);
            int parts = 1 + random.nextInt(4);
            for (int i = 0; i < parts && next <= VfSelector.MAX_VF_INDEX; i++) {
                int first = random.nextInt(8) == 0 ? VfSelector.MAX_VF_INDEX : next;
                int last = first + random.nextInt(Math.min(64, VfSelector.MAX_VF_INDEX - first + 1));
                b.vfIndices(first, last);
                next = last + 1 + random.nextInt(16);
                if (first == VfSelector.MAX_VF_INDEX) {
                    break;
                }
            }
        }
        if (random.nextBoolean()) {
            b.id(new PciId(random.nextInt(0x10000), random.nextInt(0x10000)));
        }
        if (random.nextBoolean()) {
            b.driver(driver(random));
        }
        if (random.nextBoolean()) {
            b.numaNode(random.nextInt(4) == 0 ? random.nextInt(Integer.MAX_VALUE) : random.nextInt(8));
        }
        return b.build();
    }

    private static String netdev(SplittableRandom random) {
        while (true) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(15);
            for (int i = 0; i < length; i++) {
                name.append(NETDEV_CHARS.charAt(random.nextInt(NETDEV_CHARS.length())));
            }
            String s = name.toString();
            if (s.getBytes(StandardCharsets.UTF_8).length <= VfSelector.MAX_NETDEV_LENGTH
                    && !s.equals(".") && !s.equals("..") && !s.equals("any")) {
                return s;
            }
        }
    }

    private static String driver(SplittableRandom random) {
        while (true) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(20);
            for (int i = 0; i < length; i++) {
                name.append(DRIVER_CHARS.charAt(random.nextInt(DRIVER_CHARS.length())));
            }
            String s = name.toString();
            if (!s.equals(".") && !s.equals("..")) {
                return s;
            }
        }
    }

    private static String shape(VfSelector s) {
        return (s.pfAddress().isPresent() ? "A" : s.pfNetdev().isPresent() ? "N" : "-")
                + (s.vfIndices().isEmpty() ? "" : "#") + (s.id().isPresent() ? "i" : "")
                + (s.driver().isPresent() ? "d" : "") + (s.numaNode().isPresent() ? "n" : "");
    }
}
