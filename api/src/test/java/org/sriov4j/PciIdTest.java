package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PciIdTest {

    @Test
    void printsFourLowerCaseHexDigitsEach() {
        assertEquals("8086:10c9", new PciId(0x8086, 0x10C9).toString());
        assertEquals("0001:000a", new PciId(1, 10).toString());
    }

    @Test
    void parsesItsOwnTextForm() {
        assertEquals(new PciId(0x8086, 0x10ca), PciId.parse("8086:10CA"));
    }

    @Test
    void rejectsMalformedIds() {
        for (String s : new String[] {"8086:10c", "8086-10ca", "808g:10ca", " 8086:10c", "+086:10ca"}) {
            assertThrows(IllegalArgumentException.class, () -> PciId.parse(s), s);
        }
        assertThrows(IllegalArgumentException.class, () -> new PciId(0x10000, 0));
    }
}
