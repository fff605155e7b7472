package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.migration.ProfileFormatException;
import org.sriov4j.spi.vendor.IntelIgbVendorPlugin;

/** The matrix format, version comparison, first-match rule, and the shipped igb/igbvf data. */
class CompatibilityMatrixTest {

    static final String ACME = """
            {"matrixVersion": 1, "id": "acme", "entries": [
              {"pfDriver": "acme", "pfVersion": ">=2.0 <3", "pfFirmware": ">=7", "vfDriver": "acmevf",
               "vfVersion": ">=2.1", "result": "COMPATIBLE", "note": "API 1.2", "source": "Acme notes 2.0"},
              {"pfDriver": "acme", "vfDriver": "acmevf", "vfVersion": "<2.1", "result": "INCOMPATIBLE",
               "note": "API 1.1 VF on a 1.2 PF", "source": "Acme notes 2.0, table 4"}]}
            """;

    @ParameterizedTest
    @CsvSource({"6.12.118,6.12,1", "6.12,6.12.118,-1", "5.8,5.10,-1", "2.4.0-k,2.4.0,1", "10,9,1", "1.0,1.0,0",
        "6.12.118+deb12-amd64,6.12.118,1", "007,7,0", "1.a,1.1,1"})
    void versionsCompareSegmentBySegment(String a, String b, int sign) {
        assertEquals(sign, Integer.signum(CompatibilityMatrix.compareVersions(a, b)));
    }

    @Test
    void theFirstMatchingEntryAnswersAndUnknownPfFactsMatchNothing() {
        CompatibilityMatrix m = CompatibilityMatrix.parse(ACME);
        GuestVfDriver v22 = new GuestVfDriver("acmevf", "2.2");
        CompatibilityVerdict ok = m.judge(Optional.of("acme"), Optional.of("2.5"), Optional.empty(), Optional.of("7.1"),
                v22);
        assertEquals(DriverCompatibility.COMPATIBLE, ok.result());
        assertEquals(Optional.of("Acme notes 2.0"), ok.source());
        assertEquals(DriverCompatibility.INCOMPATIBLE, m.judge(Optional.of("acme"), Optional.of("2.5"),
                Optional.empty(), Optional.of("7.1"), new GuestVfDriver("acmevf", "2.0.9")).result());
        CompatibilityVerdict noFw = m.judge(Optional.of("acme"), Optional.of("2.5"), Optional.empty(), Optional.empty(),
                v22);
        assertEquals(DriverCompatibility.UNKNOWN, noFw.result());
        assertTrue(noFw.reason().contains("unknown"), noFw.reason());
        assertEquals(DriverCompatibility.UNKNOWN, m.judge(Optional.of("acme"), Optional.of("3.0"), Optional.empty(),
                Optional.of("7.1"), v22).result());
        assertEquals(DriverCompatibility.UNKNOWN, m.judge(Optional.of("other"), Optional.of("2.5"), Optional.empty(),
                Optional.of("7.1"), v22).result());
    }

    @Test
    void aMalformedMatrixNamesTheField() {
        assertEquals("entries[0].result", assertThrows(ProfileFormatException.class, () -> CompatibilityMatrix.parse(
                ACME.replace("\"COMPATIBLE\"", "\"MAYBE\""))).field());
        assertEquals("entries[0].pfVersion", assertThrows(ProfileFormatException.class,
                () -> CompatibilityMatrix.parse(ACME.replace(">=2.0 <3", ">=2.0 <3!"))).field());
        assertEquals("matrixVersion", assertThrows(ProfileFormatException.class,
                () -> CompatibilityMatrix.parse(ACME.replace("\"matrixVersion\": 1", "\"matrixVersion\": 2"))).field());
        assertEquals("entries[1].vfDriver", assertThrows(ProfileFormatException.class,
                () -> CompatibilityMatrix.parse(ACME.replace("\"vfDriver\": \"acmevf\", \"vfVersion\": \"<2.1\"",
                        "\"vfDriver\": \"Acme VF\", \"vfVersion\": \"<2.1\""))).field());
    }

    @Test
    void igbShipsInTreeIgbvfAsCompatibleAndEverythingElseUnknown() {
        CompatibilityMatrix igb = new IntelIgbVendorPlugin().compatibilityMatrix().orElseThrow();
        assertEquals("intel-igb", igb.id());
        GuestVfDriver guest = new GuestVfDriver("igbvf", "6.12.118+deb12-amd64");
        CompatibilityVerdict v = igb.judge(Optional.of("igb"), Optional.of("6.12.118+deb12-amd64"),
                Optional.of(DriverOrigin.IN_TREE), Optional.empty(), guest);
        assertEquals(DriverCompatibility.COMPATIBLE, v.result(), v.toString());
        assertTrue(v.source().orElseThrow().contains("not from an Intel-published matrix"));
        assertEquals(DriverCompatibility.UNKNOWN, igb.judge(Optional.of("igb"), Optional.of("5.15.6"),
                Optional.of(DriverOrigin.OUT_OF_TREE), Optional.empty(), guest).result());
        assertEquals(DriverCompatibility.UNKNOWN, igb.judge(Optional.of("igb"), Optional.of("6.12.118"),
                Optional.empty(), Optional.empty(), guest).result(), "origin unknown: not guessed");
        assertEquals(DriverCompatibility.UNKNOWN, igb.judge(Optional.of("igb"), Optional.of("6.12.118"),
                Optional.of(DriverOrigin.IN_TREE), Optional.empty(), new GuestVfDriver("igbvf", "2.4.0-k")).result(),
                "a pre-5.8 in-tree igbvf is not covered");
        assertEquals(DriverCompatibility.UNKNOWN, igb.judge(Optional.of("igb"), Optional.of("6.12.118"),
                Optional.of(DriverOrigin.IN_TREE), Optional.empty(), new GuestVfDriver("ixgbevf", "6.12.118"))
                .result());
    }
}
