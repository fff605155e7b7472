package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.MalformedAttributeException;

class SysfsNamesTest {

    static final SysfsAccess SYS = new NioSysfsAccess(java.nio.file.Path.of("/sys"));

    @Test
    void theKernelsPciDriverNamesAreDriverNames() {
        for (String n : List.of("igb", "igbvf", "vfio-pci", "pci-stub", "pciback", "mlx5_core", "8250_mid",
                "iosf_mbi_pci", "xen-platform-pci", "snd_hda_intel", "ixgbevf", "i915", "nvme")) {
            assertTrue(SysfsNames.isDriverName(n), n);
        }
    }

    @Test
    void namesThatWouldChangeAPathOrATerminalAreNot() {
        for (String n : List.of("", ".", "..", "a/b", "igb ", "i gb", "igb\n", "\u001b[2J", "vfio-pci\u0000",
                "igb\u200e", "x".repeat(65))) {
            assertFalse(SysfsNames.isDriverName(n), n);
        }
        assertTrue(SysfsNames.isDriverName("x".repeat(64)));
    }

    @Test
    void aMalformedDriverNameNamesTheLinkAndQuotesTheNameEscaped() {
        MalformedAttributeException e = assertThrows(MalformedAttributeException.class,
                () -> SysfsNames.driver(SYS, "bus/pci/devices/0000:01:10.0/driver", "..\u001b"));
        assertEquals("/sys/bus/pci/devices/0000:01:10.0/driver", e.path().orElseThrow());
        assertFalse(e.getMessage().contains("\u001b"), e.getMessage());
        assertEquals("..\u001b", e.content());
    }

    @Test
    void onlyTheCanonicalFormOfAnAddressIsWhatSysfsHolds() {
        assertEquals("0000:01:10.0", SysfsNames.address(SYS, "d", "0000:01:10.0").toString());
        assertEquals(0x10000, SysfsNames.address(SYS, "d", "10000:e1:00.0").domain(), "a VMD domain");
        for (String n : List.of("01:10.0", "0000:01:10.0 ", "0000:01:1A.0", "0000:01:10.0\n", "010000:01:10.0",
                "1000A:01:10.0")) {
            assertThrows(MalformedAttributeException.class, () -> SysfsNames.address(SYS, "d", n), n);
        }
    }

    @Test
    void numbersAreOneToNineDigits() {
        assertEquals(42, SysfsNames.number(SYS, "g", "42"));
        for (String n : List.of("", "-1", "+1", "1 ", "0x1", "1234567890")) {
            assertThrows(MalformedAttributeException.class, () -> SysfsNames.number(SYS, "g", n), n);
        }
    }

    @Test
    void quotingEscapesControlsAndCutsLongText() {
        assertEquals("\"a\\nb\\u001b[31m\\\"\\\\\"", SysfsNames.quote("a\nb\u001b[31m\"\\"));
        String q = SysfsNames.quote("y".repeat(100_000));
        assertTrue(q.length() < 240 && q.endsWith("\u2026 (100000 characters)"), q);
    }

    @Test
    void theErrnosOfPathResolutionKeepTheirName() {
        assertEquals(Errno.ELOOP, Errno.ofMessage("Too many levels of symbolic links").orElseThrow());
        assertEquals(Errno.ENAMETOOLONG, Errno.ofMessage("/x: File name too long").orElseThrow());
        assertEquals(Errno.EFBIG, Errno.ofNumber(27).orElseThrow());
        assertEquals(Errno.EXDEV, Errno.ofNumber(18).orElseThrow());
    }
}
