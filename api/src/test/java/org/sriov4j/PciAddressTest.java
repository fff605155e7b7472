package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PciAddressTest {

    @Test
    void parsesTheFullFormIntoItsFields() {
        PciAddress a = PciAddress.parse("0000:01:10.2");
        assertEquals(new PciAddress(0, 1, 0x10, 2), a);
    }

    @Test
    void parsesTheShortFormWithDomainZero() {
        assertEquals(new PciAddress(0, 0x3b, 0x1f, 7), PciAddress.parse("3b:1f.7"));
    }

    @Test
    void acceptsUpperCaseAndPrintsCanonicalLowerCase() {
        PciAddress a = PciAddress.parse("ABCD:EF:1A.3");
        assertEquals("abcd:ef:1a.3", a.toString());
    }

    @Test
    void toStringRoundTripsThroughParseForEveryFieldBoundary() {
        for (int domain : new int[] {0, 1, 0xffff}) {
            for (int bus : new int[] {0, 0x80, 0xff}) {
                for (int dev = 0; dev <= 0x1f; dev += 0x1f) {
                    for (int fn = 0; fn <= 7; fn += 7) {
                        PciAddress a = new PciAddress(domain, bus, dev, fn);
                        assertEquals(a, PciAddress.parse(a.toString()));
                        assertEquals(12, a.toString().length());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"10000:e1:00.0", "1001f:00:1f.7", "fffff:ff:00.1", "100000:01:00.0", "7fffffff:ff:1f.7"})
    void readsAndPrintsDomainsAboveFfffAsTheKernelNamesThem(String kernelName) {
        PciAddress a = PciAddress.parse(kernelName);
        assertEquals(kernelName, a.toString());
        assertEquals(a, new PciAddress(a.domain(), a.bus(), a.device(), a.function()));
        assertTrue(a.domain() > 0xffff);
        assertTrue(new PciAddress(0xffff, 0xff, 0x1f, 7).compareTo(a) < 0, "every VMD domain sorts after ffff");
    }

    @Test
    void aVmdDomainIsTheNextAfterFfffInTextAndValue() {
        assertEquals("10000:00:00.0", new PciAddress(0x10000, 0, 0, 0).toString());
        assertEquals(0x10000, PciAddress.parse("10000:00:00.0").domain());
        assertEquals("7fffffff:00:00.0", new PciAddress(Integer.MAX_VALUE, 0, 0, 0).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 0000:01:00.0", "0000:01:00.0 ", "0000:01:00.0\n", "0000:01:00.8", "0000:01:20.0",
        "0000:01:00", "00000:01:00.0", "000:01:00.0", "0000-01-00.0", "0000:01:00:0", "+000:01:00.0", "-000:01:00.0",
        "0000:0g:00.0", "0x00:01:00.0", "../01:00.0", "0000:01/00.0", "0000:01:00.0/", "1:0.0", "01:00.0.0",
        "0000:01:00.0:0", "0000:01:00.a", "0000:01:00.-", "01:1f.9", "zz:00.0", "0000:01:00.\u0660",
        "\uff10\uff10:00.0", "0ffff:01:00.0", "010000:01:00.0", "80000000:00:00.0", "ffffffff:00:00.0",
        "123456789:00:00.0", "1000g:00:00.0", "10000:01:00.0\n"})
    void rejectsAnythingButTheTwoSyntaxes(String text) {
        PciAddressFormatException e = assertThrows(PciAddressFormatException.class, () -> PciAddress.parse(text));
        assertEquals(text, e.input());
        assertFalse(PciAddress.isValid(text));
    }

    @Test
    void rejectionMessageQuotesTheInputWithControlCharactersEscaped() {
        PciAddressFormatException e = assertThrows(PciAddressFormatException.class,
                () -> PciAddress.parse("0000:01:00.0\n"));
        assertTrue(e.getMessage().contains("0000:01:00.0\\u000a"), e.getMessage());
    }

    @Test
    void constructorRejectsOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(0, 0x100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(0, 0, 0x20, 0));
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(0, 0, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> new PciAddress(-1, 0, 0, 0));
    }

    @Test
    void ordersByDomainBusDeviceFunction() {
        List<PciAddress> list = new ArrayList<>(List.of(PciAddress.parse("0001:00:00.0"), PciAddress.parse("01:11.0"),
                PciAddress.parse("01:10.6"), PciAddress.parse("00:1f.3"), PciAddress.parse("01:10.0")));
        Collections.sort(list);
        assertEquals("[0000:00:1f.3, 0000:01:10.0, 0000:01:10.6, 0000:01:11.0, 0001:00:00.0]", list.toString());
    }

    @Test
    void routingIdMatchesTheKernelsVfPlacementFor82576() {
        PciAddress pf = PciAddress.parse("0000:01:00.0");
        assertEquals(0x100, pf.routingId());
        assertEquals(PciAddress.parse("0000:01:10.0"), pf.withRoutingId(pf.routingId() + 128));
        assertEquals(PciAddress.parse("0000:01:11.4"), pf.withRoutingId(pf.routingId() + 128 + 6 * 2));
    }

    @Test
    void hundredThousandRandomAndMutatedStringsRaiseNothingButTheDocumentedException() {
        SplittableRandom r = new SplittableRandom(20261122);
        String alphabet = "0123456789abcdefABCDEFgxzG:.:.-+ /\\\n\t\0\u00e9\u0660\uff10";
        String[] seeds = {"0000:01:00.0", "01:10.2", "ffff:ff:1f.7", "0000:00:00.0"};
        int accepted = 0;
        for (int i = 0; i < 100_000; i++) {
            String s;
            if (i % 2 == 0) {
                StringBuilder b = new StringBuilder();
                int len = r.nextInt(16);
                for (int k = 0; k < len; k++) {
                    b.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                s = b.toString();
            } else {
                StringBuilder b = new StringBuilder(seeds[r.nextInt(seeds.length)]);
                int mutations = 1 + r.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    int op = r.nextInt(3);
                    int pos = b.length() == 0 ? 0 : r.nextInt(b.length());
                    char c = r.nextInt(4) == 0 ? (char) r.nextInt(0x10000) : alphabet.charAt(r.nextInt(alphabet.length()));
                    if (op == 0 && b.length() > 0) {
                        b.setCharAt(pos, c);
                    } else if (op == 1) {
                        b.insert(pos, c);
                    } else if (b.length() > 0) {
                        b.deleteCharAt(pos);
                    }
                }
                s = b.toString();
            }
            try {
                PciAddress a = PciAddress.parse(s);
                accepted++;
                assertEquals(s.toLowerCase(java.util.Locale.ROOT), s.length() == 7 ? a.toString().substring(5)
                        : a.toString(), "accepted input must print back canonically: " + s);
            } catch (PciAddressFormatException expected) {
                // the one documented exception
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for input \"" + s + "\"");
            }
        }
        assertTrue(accepted > 0, "the mutations should leave some inputs valid");
    }
}
