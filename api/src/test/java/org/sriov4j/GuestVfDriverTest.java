package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GuestVfDriverTest {
    @Test
    void parsesNameAndVersionAndRefusesAnythingElse() {
        assertEquals(new GuestVfDriver("igbvf", "6.12.118+deb12-amd64"), GuestVfDriver.parse("igbvf:6.12.118+deb12-amd64"));
        for (String bad : new String[] {"igbvf", ":1", "igbvf:", "IGBVF:1", "igbvf:1 2", "a/b:1", "igbvf:1:2"}) {
            assertThrows(IllegalArgumentException.class, () -> GuestVfDriver.parse(bad), bad);
        }
    }
}
