package org.sriov4j.internal.json;

import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON (RFC 8259) reader and a writer for sriov4j's own documents.
 *
 * <p>{@link #parse(String)} returns one value: {@link Map} (insertion-ordered, unmodifiable), {@link List}
 * (unmodifiable), {@link String}, {@link Long} (integers that fit), {@link BigDecimal} (any other number),
 * {@link Boolean}, or {@link #NULL}. It refuses, with a {@link JsonFormatException} and nothing else: anything that
 * is not exactly one JSON value (trailing content, comments, single quotes, trailing commas, leading zeros, {@code NaN}),
 * control characters in strings, unpaired surrogate escapes, duplicate object keys, nesting deeper than
 * {@value #MAX_DEPTH}, and text longer than {@value #MAX_LENGTH} characters.
 */
public final class Json {

    /** The JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** The deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;
    /** The longest text accepted, in characters. */
    public static final int MAX_LENGTH = 1 << 20;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value.
     *
     * @param text the text; whitespace around the value is allowed
     * @return the value
     * @throws JsonFormatException if the text is not exactly one JSON value within the limits
     */
    public static Object parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new JsonFormatException(MAX_LENGTH, "longer than " + MAX_LENGTH + " characters");
        }
        Json p = new Json(text);
        p.skipBlanks();
        Object v = p.value(0);
        p.skipBlanks();
        if (p.pos != text.length()) {
            throw p.error("content after the value");
        }
        return v;
    }

    /**
     * Parses one JSON value from UTF-8 bytes.
     *
     * @param utf8 the bytes
     * @return the value
     * @throws JsonFormatException if the bytes are not UTF-8 or not exactly one JSON value within the limits
     */
    public static Object parse(byte[] utf8) {
        if (utf8.length > MAX_LENGTH * 4L) {
            throw new JsonFormatException(MAX_LENGTH, "longer than " + MAX_LENGTH + " characters");
        }
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString());
        } catch (CharacterCodingException e) {
            throw new JsonFormatException(0, "not UTF-8 text");
        }
    }

    private JsonFormatException error(String message) {
        return new JsonFormatException(pos, message);
    }

    private void skipBlanks() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private Object value(int depth) {
        if (pos >= text.length()) {
            throw error("a value expected, end of text found");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("a value expected, '" + printable(c) + "' found");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("'" + word + "' expected");
        }
        pos += word.length();
        return value;
    }

    private Map<String, Object> object(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipBlanks();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true) {
            skipBlanks();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw error("a member name (string) expected");
            }
            int at = pos;
            String key = string();
            skipBlanks();
            expect(':');
            skipBlanks();
            Object v = value(depth);
            if (map.putIfAbsent(key, v) != null) {
                throw new JsonFormatException(at, "duplicate member \"" + key + "\"");
            }
            skipBlanks();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect('}');
            return Collections.unmodifiableMap(map);
        }
    }

    private List<Object> array(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        pos++;
        List<Object> list = new ArrayList<>();
        skipBlanks();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true) {
            skipBlanks();
            list.add(value(depth));
            skipBlanks();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect(']');
            return Collections.unmodifiableList(list);
        }
    }

    private void expect(char c) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error("'" + c + "' expected" + (pos < text.length() ? ", '" + printable(text.charAt(pos))
                    + "' found" : ", end of text found"));
        }
        pos++;
    }

    private String string() {
        pos++; // the opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && pos + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(pos + 1))) {
                    b.append(c).append(text.charAt(pos + 1));
                    pos += 2;
                    continue;
                }
                throw error("unpaired surrogate in a string");
            }
            if (c != '\\') {
                b.append(c);
                pos++;
                continue;
            }
            if (pos + 1 >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u': {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (!text.startsWith("\\u", pos)) {
                            throw error("unpaired surrogate escape");
                        }
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("unpaired surrogate escape");
                        }
                        b.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("unpaired surrogate escape");
                    } else {
                        b.append(u);
                    }
                    break;
                }
                default:
                    pos -= 1;
                    throw error("unknown escape '\\" + printable(e) + "'");
            }
        }
    }

    private char hex4() {
        if (pos + 4 > text.length()) {
            throw error("four hex digits expected");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0 || text.charAt(pos + i) > 'f') {
                throw error("four hex digits expected");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        if (pos >= text.length() || !isDigit(text.charAt(pos))) {
            throw error("a digit expected");
        }
        if (text.charAt(pos) == '0') {
            pos++;
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                throw error("leading zero");
            }
        } else {
            digits();
        }
        boolean integer = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            integer = false;
            pos++;
            if (pos >= text.length() || !isDigit(text.charAt(pos))) {
                throw error("a digit expected after '.'");
            }
            digits();
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            integer = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos >= text.length() || !isDigit(text.charAt(pos))) {
                throw error("a digit expected in the exponent");
            }
            int expStart = pos;
            digits();
            if (pos - expStart > 9) {
                throw new JsonFormatException(expStart, "exponent too large");
            }
        }
        String n = text.substring(start, pos);
        if (integer && n.length() <= 18) {
            return Long.parseLong(n);
        }
        return new BigDecimal(n);
    }

    private void digits() {
        while (pos < text.length() && isDigit(text.charAt(pos))) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    /**
     * Writes a value as JSON, indented by two spaces per level.
     *
     * @param value a {@link Map} with string keys, {@link List}, {@link String}, {@link Number} (integral types,
     *     {@link BigDecimal}), {@link Boolean} or {@link #NULL}
     * @return the text, without a trailing newline
     * @throws IllegalArgumentException for any other value
     */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, int indent) {
        if (v == NULL) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short
                || v instanceof Byte || v instanceof java.math.BigInteger) {
            b.append(v);
        } else if (v instanceof BigDecimal d) {
            b.append(d.toString());
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON member names are strings: " + e.getKey());
                }
                b.append("  ".repeat(indent + 1));
                quote(b, key);
                b.append(": ");
                write(b, e.getValue(), indent + 1);
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            b.append("  ".repeat(indent)).append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append("[\n");
            for (int i = 0; i < l.size(); i++) {
                b.append("  ".repeat(indent + 1));
                write(b, l.get(i), indent + 1);
                b.append(i + 1 < l.size() ? ",\n" : "\n");
            }
            b.append("  ".repeat(indent)).append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20 || Character.isSurrogate(c) && !validSurrogateAt(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
