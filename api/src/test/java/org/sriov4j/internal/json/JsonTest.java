package org.sriov4j.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null, \"x\\u00e9\\n\\ud83d\\ude00\"], \"b\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2L, a.get(1));
        assertEquals(new BigDecimal("3.5"), a.get(2));
        assertEquals(new BigDecimal("1e3"), a.get(3));
        assertEquals(Boolean.TRUE, a.get(4));
        assertEquals(Json.NULL, a.get(6));
        assertEquals("x\u00e9\n\ud83d\ude00", a.get(7));
        assertEquals(Map.of(), m.get("b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "1e", "NaN", "'a'", "\"\\x\"",
        "\"a", "{\"a\" 1}", "{a:1}", "[1] [2]", "// c\n1", "\"\t\"", "\"\\ud800\"", "\"\\udc00x\"", "tru", "nul",
        "{\"a\":1,\"a\":2}", "1e9999999999", "[1 2]"})
    void refusesAnythingThatIsNotExactlyOneJsonValue(String text) {
        assertThrows(JsonFormatException.class, () -> Json.parse(text));
    }

    @Test
    void refusesDeepNestingAndNonUtf8WithItsOwnException() {
        assertThrows(JsonFormatException.class, () -> Json.parse("[".repeat(65) + "]".repeat(65)));
        Json.parse("[".repeat(64) + "]".repeat(64));
        assertThrows(JsonFormatException.class, () -> Json.parse(new byte[] {'"', (byte) 0xc3, '"'}));
    }

    @Test
    void writeThenParseGivesTheSameValue() {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("s", "quote \" backslash \\ newline \n tab \t ctl \u0001 é");
        doc.put("n", 42L);
        doc.put("l", List.of(true, Json.NULL, new BigDecimal("2.5")));
        doc.put("o", Map.of());
        assertEquals(doc, Json.parse(Json.write(doc)));
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButJsonFormatException() {
        Random r = new Random(42);
        String alphabet = "{}[]\",:0123456789-+.eEtrufalsn \\u\n";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(24);
            for (int j = 0; j < n; j++) {
                b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            try {
                Json.parse(b.toString());
                Json.parse(b.toString().getBytes(StandardCharsets.UTF_8));
            } catch (JsonFormatException expected) {
                // the only failure allowed
            }
        }
    }
}
