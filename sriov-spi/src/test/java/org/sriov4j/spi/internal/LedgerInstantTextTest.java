package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ledger's own instant text (written and read without {@link java.time.format.DateTimeFormatter}, issue 15) is
 * exactly {@link Instant#toString()} and {@link Instant#parse}: entries written by earlier versions read the same,
 * and entries written now read the same with earlier versions.
 */
class LedgerInstantTextTest {

    @Test
    void writesExactlyWhatInstantToStringWritesAndReadsItBack() {
        SplittableRandom r = new SplittableRandom(15);
        for (int i = 0; i < 100_000; i++) {
            long sec = r.nextLong(-100_000_000_000L, 300_000_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1000;
                default -> r.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(sec, nano);
            String text = LedgerFormat.instantText(t);
            assertEquals(t.toString(), text);
            assertEquals(t, LedgerFormat.parseInstant(text), text);
        }
        Instant now = Instant.now();
        assertEquals(now.toString(), LedgerFormat.instantText(now));
        assertEquals(now.toString(), LedgerFormat.instantText(now)); // the remembered one
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-02-29T23:59:59Z", "2025-05-01T09:31:00.1Z", "2025-05-01T09:31:00.12345Z",
        "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.5Z", "2016-12-31T23:59:60Z",
        "+10000-01-01T00:00:00Z", "2025-05-01T09:31:00+01:00", "2025-05-01T09:31:00.000Z", "2025-05-01T24:00:00Z",
        "2025-05-01T09:31:00.Z", "2025-05-01T09:31:00z"})
    void readsWhatInstantParseReads(String text) {
        assertEquals(Instant.parse(text), LedgerFormat.parseInstant(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-05-01T09:60:00Z", "2025-05-01T09:31:00.1234567890Z", "2025-05-01T09:31:0xZ", "2025-05-01 09:31:00Z", "",
        "now"})
    void refusesWhatInstantParseRefuses(String text) {
        assertThrows(DateTimeParseException.class, () -> Instant.parse(text));
        assertThrows(DateTimeParseException.class, () -> LedgerFormat.parseInstant(text));
    }
}
