package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;
import org.sriov4j.VfSelector;
import org.sriov4j.VfSelector.IndexRange;
import org.sriov4j.VfSelectorFormatException;

/** {@link VfSelector}: the text form (valid and invalid tables, a fuzz of random strings) and the builder. */
class VfSelectorTest {

    static Stream<Arguments> valid() {
        PciAddress pf = PciAddress.parse("0000:01:00.0");
        return Stream.of(
                Arguments.of("ens1f0", null, "ens1f0", List.of(), "ens1f0"),
                Arguments.of("ens1f0#0-3,6", null, "ens1f0", List.of(r(0, 3), r(6, 6)), "ens1f0#0-3,6"),
                Arguments.of("0000:01:00.0#2", pf, null, List.of(r(2, 2)), "0000:01:00.0#2"),
                Arguments.of("0000:01:00.0", pf, null, List.of(), "0000:01:00.0"),
                Arguments.of("01:00.0#0", pf, null, List.of(r(0, 0)), "0000:01:00.0#0"),
                Arguments.of("0000:AB:1F.7", PciAddress.parse("0000:ab:1f.7"), null, List.of(), "0000:ab:1f.7"),
                Arguments.of("eth0#0-0", null, "eth0", List.of(r(0, 0)), "eth0#0"),
                Arguments.of("eth0#0,1,2", null, "eth0", List.of(r(0, 0), r(1, 1), r(2, 2)), "eth0#0,1,2"),
                Arguments.of("eth0#0-3,4-7", null, "eth0", List.of(r(0, 3), r(4, 7)), "eth0#0-3,4-7"),
                Arguments.of("eth0#65535", null, "eth0", List.of(r(65535, 65535)), "eth0#65535"),
                Arguments.of("eth0#0-65535", null, "eth0", List.of(r(0, 65535)), "eth0#0-65535"),
                Arguments.of("abcdefghijklmno", null, "abcdefghijklmno", List.of(), "abcdefghijklmno"),
                Arguments.of("a.b-c_d@e", null, "a.b-c_d@e", List.of(), "a.b-c_d@e"),
                Arguments.of("...", null, "...", List.of(), "..."),
                Arguments.of("wlan\u00e9", null, "wlan\u00e9", List.of(), "wlan\u00e9"),
                Arguments.of("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9x", null, "\u00e9\u00e9\u00e9\u00e9\u00e9"
                        + "\u00e9\u00e9x", List.of(), "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9x"),
                Arguments.of("\ud83d\ude00net", null, "\ud83d\ude00net", List.of(), "\ud83d\ude00net"));
    }

    static IndexRange r(int first, int last) {
        return new IndexRange(first, last);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void theDocumentedFormsParseToTheirCriteriaAndPrintCanonically(String text, PciAddress pf, String netdev,
            List<IndexRange> ranges, String canonical) {
        VfSelector s = VfSelector.parse(text);
        assertEquals(Optional.ofNullable(pf), s.pfAddress());
        assertEquals(Optional.ofNullable(netdev), s.pfNetdev());
        assertEquals(ranges, s.vfIndices());
        assertEquals(Optional.empty(), s.id());
        assertEquals(Optional.empty(), s.driver());
        assertEquals(OptionalInt.empty(), s.numaNode());
        assertEquals(canonical, s.toString());
        assertEquals(s, VfSelector.parse(s.toString()));
        assertEquals(s.hashCode(), VfSelector.parse(s.toString()).hashCode());
    }

    static Stream<Arguments> withOtherCriteria() {
        return Stream.of(
                Arguments.of("any", VfSelector.any(), "any"),
                Arguments.of("id=8086:10ca", VfSelector.builder().id(PciId.parse("8086:10ca")).build(),
                        "id=8086:10ca"),
                Arguments.of("id=8086:10CA", VfSelector.builder().id(PciId.parse("8086:10ca")).build(),
                        "id=8086:10ca"),
                Arguments.of("driver=igbvf", VfSelector.builder().driver("igbvf").build(), "driver=igbvf"),
                Arguments.of("numa=0", VfSelector.builder().numaNode(0).build(), "numa=0"),
                Arguments.of("numa=2147483647", VfSelector.builder().numaNode(Integer.MAX_VALUE).build(),
                        "numa=2147483647"),
                Arguments.of("eth0#0-3 driver=igbvf numa=0", VfSelector.parse("eth0#0-3").toBuilder()
                        .driver("igbvf").numaNode(0).build(), "eth0#0-3 driver=igbvf numa=0"),
                Arguments.of("numa=1 driver=vfio-pci 01:00.0#2 id=8086:10ca", VfSelector.builder()
                        .pf(PciAddress.parse("0000:01:00.0")).vfIndex(2).id(PciId.parse("8086:10ca"))
                        .driver("vfio-pci").numaNode(1).build(),
                        "0000:01:00.0#2 id=8086:10ca driver=vfio-pci numa=1"),
                Arguments.of("driver=a=b", VfSelector.builder().driver("a=b").build(), "driver=a=b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withOtherCriteria")
    void everyCriterionHasATextFormThatParsesAndPrintsCanonically(String text, VfSelector expected,
            String canonical) {
        VfSelector s = VfSelector.parse(text);
        assertEquals(expected, s);
        assertEquals(canonical, s.toString());
        assertEquals(s, VfSelector.parse(canonical));
    }

    @Test
    void aNetdevThatTheTextFormCouldNotPrintIsRefusedByTheBuilderToo() {
        assertThrows(VfSelectorFormatException.class, () -> VfSelector.builder().pfNetdev("any"));
        assertThrows(VfSelectorFormatException.class, () -> VfSelector.builder().pfNetdev("numa=0"));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", 0, "expected a PF"),
                Arguments.of("#0", 0, "before '#'"),
                Arguments.of("eth0#", 5, "expected VF indices"),
                Arguments.of("eth0#,1", 5, "expected a VF index, found ','"),
                Arguments.of("eth0#1,", 7, "expected a VF index, found the end"),
                Arguments.of("eth0#1,,2", 7, "expected a VF index, found ','"),
                Arguments.of("eth0#1-", 7, "expected a VF index, found the end"),
                Arguments.of("eth0#-1", 5, "expected a VF index, found '-'"),
                Arguments.of("eth0#3-1", 5, "range 3-1 is not ascending"),
                Arguments.of("eth0#6,0-3", 7, "ascending and must not overlap"),
                Arguments.of("eth0#0-3,2", 9, "ascending and must not overlap"),
                Arguments.of("eth0#0-3,3-5", 9, "ascending and must not overlap"),
                Arguments.of("eth0#1,1", 7, "ascending and must not overlap"),
                Arguments.of("eth0#65536", 5, "greater than 65535"),
                Arguments.of("eth0#0-99999999999999999999", 7, "greater than 65535"),
                Arguments.of("eth0#01", 5, "leading zeros"),
                Arguments.of("eth0#00", 5, "leading zeros"),
                Arguments.of("eth0#+1", 5, "found '+'"),
                Arguments.of("eth0# 1", 5, "found ' '"),
                Arguments.of("eth0#1 ", 7, "expected a criterion after the blank, found the end"),
                Arguments.of("eth0#1- ", 7, "expected a VF index, found ' '"),
                Arguments.of("eth0#1-2-3", 8, "found '-'"),
                Arguments.of("eth0#1#2", 6, "found '#'"),
                Arguments.of("eth0#1\n", 6, "found U+000A"),
                Arguments.of("eth0#\u0661", 5, "found U+0661"),
                Arguments.of("eth0#1,2;3", 8, "found ';'"),
                Arguments.of("abcdefghijklmnop", 15, "at most 15 bytes"),
                Arguments.of("abcdefghijklmnop#1", 15, "at most 15 bytes"),
                Arguments.of("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 7, "at most 15 bytes"),
                Arguments.of(".", 0, "must not be \".\" or \"..\""),
                Arguments.of("..#1", 0, "must not be \".\" or \"..\""),
                Arguments.of("eth/0", 3, "'/' is not allowed"),
                Arguments.of("eth 0", 4, "the PF is given twice, or a criterion lacks its key"),
                Arguments.of("eth\t0", 3, "white space"),
                Arguments.of("eth0\n", 4, "white space"),
                Arguments.of("\u000beth0", 0, "white space"),
                Arguments.of("eth\u00000", 3, "NUL"),
                Arguments.of("eth\ud800", 3, "unpaired surrogate"),
                Arguments.of("\udc00eth", 0, "unpaired surrogate"),
                Arguments.of("0000:01:00.0#", 13, "expected VF indices"),
                Arguments.of("0000:01:00.8#1", 0, "not a PCI address"),
                Arguments.of("0000:01:00", 0, "not a PCI address"),
                Arguments.of("eth:0", 0, "not a PCI address"),
                Arguments.of(":", 0, "not a PCI address"),
                Arguments.of(" 0000:01:00.0", 0, "found a blank"),
                Arguments.of("0000:01:00.0 #1", 13, "the PF is given twice"),
                Arguments.of("eth0  numa=0", 5, "found a blank"),
                Arguments.of("eth0 eth1", 5, "the PF is given twice"),
                Arguments.of("any numa=0", 0, "any stands alone"),
                Arguments.of("eth0 any", 5, "any stands alone"),
                Arguments.of("any#1", 0, "\"any\" is the selector without criteria"),
                Arguments.of("eth=0", 0, "unknown criterion eth="),
                Arguments.of("e1=x", 2, "'=' is not allowed in a netdev name"),
                Arguments.of("vendor=8086", 0, "unknown criterion vendor="),
                Arguments.of("driver=a driver=b", 9, "driver= is given twice"),
                Arguments.of("driver=", 7, "not a driver name"),
                Arguments.of("driver=a/b", 7, "not a driver name"),
                Arguments.of("driver=..", 7, "not a driver name"),
                Arguments.of("id=8086", 3, "expected a vendor and device id"),
                Arguments.of("id=8086:10ca id=8086:10ca", 13, "id= is given twice"),
                Arguments.of("numa=", 5, "expected a NUMA node"),
                Arguments.of("numa=01", 5, "no leading zeros"),
                Arguments.of("numa=-1", 5, "found '-'"),
                Arguments.of("numa=1x", 6, "found 'x'"),
                Arguments.of("numa=2147483648", 5, "greater than 2147483647"),
                Arguments.of("eth0#0-3 numa=0 numa=1", 16, "numa= is given twice"));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("invalid")
    void malformedTextIsRejectedNamingTheInputAndThePosition(String text, int position, String reason) {
        VfSelectorFormatException e = assertThrows(VfSelectorFormatException.class, () -> VfSelector.parse(text));
        assertEquals(text, e.input());
        assertEquals(position, e.position(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("not a VF selector: \""), e.getMessage());
        assertTrue(e.getMessage().contains(" at position " + position + ": "), e.getMessage());
        assertTrue(e instanceof IllegalArgumentException);
    }

    @Test
    void theMessageEscapesControlCharactersAndTruncatesLongInput() {
        VfSelectorFormatException e = assertThrows(VfSelectorFormatException.class,
                () -> VfSelector.parse("eth0#1\u001b[2J"));
        assertTrue(e.getMessage().contains("eth0#1\\u001b[2J"), e.getMessage());
        String longInput = "eth0#" + "1,".repeat(100) + "x";
        e = assertThrows(VfSelectorFormatException.class, () -> VfSelector.parse(longInput));
        assertTrue(e.getMessage().contains("...\" at position"), e.getMessage());
    }

    @Test
    void nullIsANullPointerException() {
        assertThrows(NullPointerException.class, () -> VfSelector.parse(null));
    }

    /**
     * 100,000 random strings, biased toward the selector alphabet: each either parses (and then prints to a text
     * that parses back to an equal selector) or fails with the documented exception at a position inside the input
     * or at its end; nothing else is ever thrown.
     */
    @Test
    void randomStringsEitherParseAndRoundTripOrFailWithTheDocumentedException() {
        SplittableRandom random = new SplittableRandom(20240611);
        String alphabet = "0123456789,-#:.=abcdefABCDEF/ \t\n\u0000\u00e9\ud83d\ude00\ud800+x";
        String[] seeds = {"ens1f0#", "0000:01:00.0#", "01:00.0", "eth0#0-3,6", "65535", "-", ",", "any", " numa=",
            " driver=", "id=8086:", " id=", "numa=1 "};
        int parsed = 0;
        for (int n = 0; n < 100_000; n++) {
            StringBuilder b = new StringBuilder();
            if (random.nextInt(3) == 0) {
                b.append(seeds[random.nextInt(seeds.length)]);
            }
            int len = random.nextInt(20);
            for (int i = 0; i < len; i++) {
                if (random.nextInt(8) == 0) {
                    b.append((char) random.nextInt(0x10000));
                } else {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String text = b.toString();
            try {
                VfSelector s = VfSelector.parse(text);
                parsed++;
                assertEquals(s, VfSelector.parse(s.toString()), () -> "round trip of \"" + text + "\"");
                assertTrue(s.pfAddress().isEmpty() || s.pfNetdev().isEmpty());
                assertEquals(s.toString(), VfSelector.parse(s.toString()).toString());
            } catch (VfSelectorFormatException e) {
                assertEquals(text, e.input());
                assertTrue(e.position() >= 0 && e.position() <= text.length(), e.getMessage());
            } catch (RuntimeException e) {
                fail("\"" + text + "\" threw " + e, e);
            }
        }
        assertTrue(parsed > 1000, "the fuzz should also produce valid selectors: " + parsed);
    }

    @Test
    void theBuilderCombinesEveryCriterionAndPrintsThem() {
        VfSelector s = VfSelector.parse("ens1f0#0-3").toBuilder().id(PciId.parse("8086:10ca")).driver("igbvf")
                .numaNode(1).build();
        assertEquals("ens1f0#0-3 id=8086:10ca driver=igbvf numa=1", s.toString());
        assertEquals(Optional.of(PciId.parse("8086:10ca")), s.id());
        assertEquals(Optional.of("igbvf"), s.driver());
        assertEquals(OptionalInt.of(1), s.numaNode());
        assertEquals(s, s.toBuilder().build());
        assertFalse(s.equals(VfSelector.parse("ens1f0#0-3")));
        assertEquals("any", VfSelector.any().toString());
        assertEquals("id=8086:10ca", VfSelector.builder().id(PciId.parse("8086:10ca")).build().toString());
        VfSelector byAddress = VfSelector.builder().pfNetdev("eth0").pf(PciAddress.parse("0000:01:00.0"))
                .vfIndex(2).vfIndices(4, 6).build();
        assertEquals("0000:01:00.0#2,4-6", byAddress.toString());
        assertEquals(Optional.empty(), byAddress.pfNetdev());
        assertEquals(List.of(r(0, 3), r(6, 6)), VfSelector.builder().pfNetdev("e").vfIndex(9).vfIndices("0-3,6")
                .build().vfIndices());
    }

    @Test
    void theBuilderRejectsWhatTheTextFormRejects() {
        VfSelector.Builder b = VfSelector.builder();
        VfSelectorFormatException e = assertThrows(VfSelectorFormatException.class, () -> b.pfNetdev("bad/name"));
        assertEquals(3, e.position());
        assertThrows(VfSelectorFormatException.class, () -> b.pfNetdev("has#hash"));
        assertThrows(VfSelectorFormatException.class, () -> b.pfNetdev(""));
        assertThrows(VfSelectorFormatException.class, () -> b.vfIndices(""));
        e = assertThrows(VfSelectorFormatException.class, () -> b.vfIndices("1,0"));
        assertEquals(2, e.position());
        assertThrows(IllegalArgumentException.class, () -> b.vfIndices(3, 2));
        assertThrows(IllegalArgumentException.class, () -> b.vfIndices(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> b.vfIndex(65536));
        b.vfIndices(2, 4);
        assertThrows(IllegalArgumentException.class, () -> b.vfIndex(4));
        assertThrows(IllegalStateException.class, b::build, "indices without a PF");
        assertThrows(IllegalArgumentException.class, () -> b.numaNode(-1));
        for (String driver : new String[] {"", ".", "..", "a/b", "a b", "a\nb", "a\u0000"}) {
            assertThrows(IllegalArgumentException.class, () -> b.driver(driver), driver);
        }
        assertThrows(IllegalArgumentException.class, () -> new IndexRange(5, 4));
    }
}
