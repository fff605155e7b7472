package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;

/**
 * The on-disk form of a {@link LedgerEntry}: UTF-8 text, one {@code key=value} per line, between a version line and a
 * CRC-32 line.
 *
 * <pre>
 * sriov4j-ledger 1
 * device=0000:01:10.0
 * phase=DETACHED
 * original_driver=igbvf
 * original_driver_override=
 * stub_driver=vfio-pci
 * managed=true
 * owner_pid=4711
 * owner_start=2025-05-01T09:30:12.340Z
 * guest=vm-42
 * updated=2025-05-01T09:31:00.123456789Z
 * x.xen.domain=7
 * crc32=1c291ca3
 * </pre>
 *
 * <p>Version 2 is version 1 with, for a leased function ({@link LedgerEntry#lease()}), three more core keys that
 * come together: {@code lease} ({@code taker}, {@code process} or {@code durable}), {@code lease_pid} and
 * {@code lease_start} (the holding process's pid and start time; empty for a durable lease); and, for a VF whose
 * network settings sriov4j changed, the saved originals as {@code x.net.*} extras. An entry with neither is written as
 * version 1, byte for byte as before, so that a sriov4j that reads only version 1 still reads it; an entry with
 * either is written as version 2, which such a sriov4j reports as of an unknown version and never acts on (it must
 * not give back a function whose lease it cannot see, nor leave a guest's MAC on a VF).
 *
 * <pre>
 * sriov4j-ledger 2
 * ...
 * guest=vm-42
 * lease=process
 * lease_pid=5120
 * lease_start=2025-05-01T09:35:02.120Z
 * ...
 * </pre>
 *
 * <ul>
 *   <li>The first line is exactly {@code sriov4j-ledger 1} or {@code sriov4j-ledger 2}; another number is an entry of
 *       a version this code does not read (reported as such, never guessed at).
 *   <li>The last line is {@code crc32=} and eight lower-case hex digits: the CRC-32 of every byte before that line.
 *       The file ends with that line's newline. A file cut anywhere, or with any byte changed, therefore fails.
 *   <li>Every core key appears exactly once, in any order. An empty value means "none" for
 *       {@code original_driver}, {@code original_driver_override}, {@code owner_start} and {@code guest}.
 *       Times are ISO-8601 UTC ({@link Instant#toString()}).
 *   <li>{@link LedgerEntry#extras() Extras} are stored as {@code x.<key>}. Any other key makes the file unreadable:
 *       the ledger drives undo, and a reader must not act on an entry it only partly understands. A later version
 *       that adds a field a reader may ignore stores it as an extra; one that adds a field a reader must understand
 *       bumps the version.
 *   <li>In values, {@code \} is written {@code \\}, newline {@code \n}, carriage return {@code \r}, and every
 *       other control character and U+2028/U+2029 as {@code \}{@code uXXXX}. Keys never contain {@code =}; a value
 *       is everything after the first {@code =}.
 * </ul>
 */
final class LedgerFormat {

    /** The version line's prefix. */
    static final String MAGIC = "sriov4j-ledger ";
    /** The version of entries without a lease and without saved VF network settings. */
    static final int VERSION = 1;
    /**
     * The version of entries with a lease ({@link #LEASE_KEYS}) or with saved VF network settings ({@code x.net.*}
     * extras), or both: things a reader must act on. An older reader, which would give back a function whose lease it
     * cannot see or leave a guest's MAC on a VF, reports such an entry as of an unknown version instead.
     */
    static final int VERSION_2 = 2;
    /** Files larger than this are not read (an entry is a few hundred bytes; 64 extras of 4096 fit). */
    static final int MAX_FILE_BYTES = 1 << 20;

    private static final String CRC_KEY = "crc32=";
    private static final String EXTRA_PREFIX = "x.";
    private static final Set<String> CORE_KEYS = Set.of("device", "phase", "original_driver",
            "original_driver_override", "stub_driver", "managed", "owner_pid", "owner_start", "guest", "updated");
    private static final Set<String> LEASE_KEYS = Set.of("lease", "lease_pid", "lease_start");

    private LedgerFormat() {
    }

    /** Why a file is not a readable entry. */
    static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;
        /** Whether the file is a well-formed entry of another version (as opposed to damaged). */
        private final boolean unknownVersion;
        /** What is wrong (the message). */
        private final String reason;

        /**
         * Creates the exception.
         *
         * @param reason what is wrong, for people
         * @param unknownVersion whether the file is a well-formed entry of another version
         */
        FormatException(String reason, boolean unknownVersion) {
            super(reason, null, false, false);
            this.reason = reason;
            this.unknownVersion = unknownVersion;
        }

        /**
         * Creates the exception for a damaged file.
         *
         * @param reason what is wrong, for people
         */
        FormatException(String reason) {
            this(reason, false);
        }

        /**
         * Whether the file is a well-formed entry of another version.
         *
         * @return true for another version, false for damage
         */
        boolean unknownVersion() {
            return unknownVersion;
        }

        /**
         * What is wrong, for people: the message, never null.
         *
         * @return the reason given when it was created
         */
        String reason() {
            return reason;
        }
    }

    /**
     * Encodes an entry.
     *
     * @param e the entry
     * @return the file's bytes
     */
    static byte[] encode(LedgerEntry e) {
        StringBuilder b = new StringBuilder(512);
        boolean net = anyNet(e.extras().keySet());
        b.append(MAGIC).append(e.lease().isPresent() || net ? VERSION_2 : VERSION).append('\n');
        line(b, "device", e.device().toString());
        line(b, "phase", e.phase().name());
        line(b, "original_driver", e.originalDriver().orElse(""));
        line(b, "original_driver_override", e.originalDriverOverride().orElse(""));
        line(b, "stub_driver", e.stubDriver());
        line(b, "managed", Boolean.toString(e.managed()));
        line(b, "owner_pid", Long.toString(e.ownerPid()));
        line(b, "owner_start", e.ownerStart().map(LedgerFormat::instantText).orElse(""));
        line(b, "guest", e.guest().orElse(""));
        e.lease().ifPresent(l -> {
            line(b, "lease", l.kind().name().toLowerCase(Locale.ROOT));
            line(b, "lease_pid", l.pid().isPresent() ? Long.toString(l.pid().getAsLong()) : "");
            line(b, "lease_start", l.processStart().map(LedgerFormat::instantText).orElse(""));
        });
        line(b, "updated", instantText(e.updated()));
        e.extras().forEach((k, v) -> line(b, EXTRA_PREFIX + k, v));
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] trailer = (CRC_KEY + crcHex(body, body.length) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[body.length + trailer.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(trailer, 0, all, body.length, trailer.length);
        return all;
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append('=').append(escape(value)).append('\n');
    }

    /**
     * Decodes an entry file.
     *
     * @param bytes the file's content
     * @return the entry
     * @throws FormatException if the content is not a complete, unchanged version-1 entry
     */
    static LedgerEntry decode(byte[] bytes) throws FormatException {
        if (bytes.length == 0) {
            throw new FormatException("empty file");
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new FormatException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("not UTF-8");
        }
        int firstEnd = text.indexOf('\n');
        String first = firstEnd < 0 ? text : text.substring(0, firstEnd);
        if (!first.startsWith(MAGIC)) {
            throw new FormatException("not a ledger entry: first line is not '" + MAGIC + VERSION + "'");
        }
        String version = first.substring(MAGIC.length());
        boolean v2 = version.equals(Integer.toString(VERSION_2));
        if (!version.equals(Integer.toString(VERSION)) && !v2) {
            if (firstEnd >= 0 && !version.isEmpty() && version.length() <= 9 && version.chars().allMatch(
                    c -> c >= '0' && c <= '9')) {
                throw new FormatException("entry of version " + version + "; this sriov4j reads versions " + VERSION
                        + " and " + VERSION_2, true);
            }
            throw new FormatException("not a ledger entry: bad version line");
        }
        if (text.charAt(text.length() - 1) != '\n') {
            throw new FormatException("truncated: the file does not end with a newline");
        }
        int lastStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        String last = text.substring(lastStart, text.length() - 1);
        if (!last.startsWith(CRC_KEY) || last.length() != CRC_KEY.length() + 8 || lastStart == 0) {
            throw new FormatException("truncated: the last line is not a crc32 line");
        }
        String stored = last.substring(CRC_KEY.length());
        boolean hex = true;
        for (int i = 0; i < stored.length(); i++) {
            char c = stored.charAt(i);
            hex &= c >= '0' && c <= '9' || c >= 'a' && c <= 'f';
        }
        if (!hex) {
            throw new FormatException("the crc32 line is not eight lower-case hex digits");
        }
        // lastStart counts chars; the bytes before the crc line are the UTF-8 of text[0, lastStart)
        int bodyBytes = bytes.length - (last.length() + 1);
        String actual = crcHex(bytes, bodyBytes);
        if (!stored.equals(actual)) {
            throw new FormatException("crc32 mismatch (file says " + stored + ", content has " + actual
                    + "): changed or damaged");
        }
        Map<String, String> values = new HashMap<>();
        Map<String, String> extras = new TreeMap<>();
        for (String line : text.substring(firstEnd + 1, lastStart).split("\n", -1)) {
            if (line.isEmpty()) {
                continue; // the split's empty tail
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new FormatException("line without key=value: " + abbreviate(line));
            }
            String key = line.substring(0, eq);
            String value = unescape(line.substring(eq + 1));
            if (key.startsWith(EXTRA_PREFIX)) {
                if (extras.put(key.substring(EXTRA_PREFIX.length()), value) != null) {
                    throw new FormatException("key '" + abbreviate(key) + "' appears twice");
                }
            } else if (CORE_KEYS.contains(key) || v2 && LEASE_KEYS.contains(key)) {
                if (values.put(key, value) != null) {
                    throw new FormatException("key '" + key + "' appears twice");
                }
            } else {
                throw new FormatException("unknown key '" + abbreviate(key) + "' (written by a newer sriov4j?)");
            }
        }
        for (String k : CORE_KEYS) {
            if (!values.containsKey(k)) {
                throw new FormatException("key '" + k + "' missing");
            }
        }
        int leaseKeys = 0;
        for (String k : LEASE_KEYS) {
            leaseKeys += values.containsKey(k) ? 1 : 0;
        }
        if (leaseKeys != 0 && leaseKeys != LEASE_KEYS.size()) {
            throw new FormatException("the lease keys " + new java.util.TreeSet<>(LEASE_KEYS)
                    + " come all together or not at all");
        }
        boolean leased = leaseKeys != 0;
        if (v2 && !leased && !anyNet(extras.keySet())) {
            throw new FormatException("a version-2 entry names a lease or holds saved VF network settings; this one"
                    + " does neither");
        }
        try {
            return new LedgerEntry(
                    PciAddress.parse(value(values, "device")),
                    LedgerEntry.Phase.valueOf(value(values, "phase")),
                    optional(value(values, "original_driver")),
                    optional(value(values, "original_driver_override")),
                    value(values, "stub_driver"),
                    bool(value(values, "managed")),
                    pid(value(values, "owner_pid")),
                    optional(value(values, "owner_start")).map(LedgerFormat::parseInstant),
                    optional(value(values, "guest")),
                    parseInstant(value(values, "updated")),
                    extras,
                    leased ? Optional.of(lease(values)) : Optional.empty());
        } catch (IllegalArgumentException | DateTimeParseException e) { // PciAddress.parse, Phase.valueOf, checks
            throw new FormatException("bad value: " + escape(String.valueOf(e.getMessage())));
        }
    }

    private static LeaseHolder lease(Map<String, String> values) throws FormatException {
        String text = value(values, "lease");
        LeaseHolder.Kind kind;
        try {
            kind = LeaseHolder.Kind.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FormatException("lease must be taker, process or durable: " + abbreviate(text));
        }
        if (!text.equals(kind.name().toLowerCase(Locale.ROOT))) {
            throw new FormatException("lease must be written in lower case: " + abbreviate(text));
        }
        String p = value(values, "lease_pid");
        OptionalLong pid = p.isEmpty() ? OptionalLong.empty() : OptionalLong.of(pid(p));
        // LeaseHolder's own checks (a process lease names its process, a durable one none) apply; its
        // IllegalArgumentException is reported as a bad value by the caller
        return new LeaseHolder(kind, pid, optional(value(values, "lease_start")).map(LedgerFormat::parseInstant));
    }

    /** A key's value; the callers have checked that the key is there, so a missing one is a damaged file. */
    private static String value(Map<String, String> values, String key) throws FormatException {
        String v = values.get(key);
        if (v == null) {
            throw new FormatException("key '" + key + "' missing");
        }
        return v;
    }

    private static Optional<String> optional(String v) {
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static boolean bool(String v) throws FormatException {
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw new FormatException("managed must be true or false: " + abbreviate(v));
    }

    private static boolean anyNet(Set<String> extras) {
        for (String k : extras) {
            if (k.startsWith(VfNetIdentity.PREFIX)) {
                return true;
            }
        }
        return false;
    }

    /** An instant and its text. */
    private record Stamp(Instant instant, String text) {
    }

    /** The last instant {@link #instantText} wrote, with its text (a process stamps its own start on every entry). */
    private static volatile Stamp last = new Stamp(Instant.EPOCH, "1970-01-01T00:00:00Z");

    /**
     * {@link Instant#toString()}, the same text, without {@link java.time.format.DateTimeFormatter}: an entry carries
     * two or three instants, and under emulation, where this code runs interpreted, the formatter costs more than a
     * file operation (issue 15). Years outside 1970–9999 go through {@link Instant#toString()}.
     *
     * @param t the instant
     * @return its ISO-8601 text, e.g. {@code 2025-05-01T09:31:00.123456789Z}
     */
    static String instantText(Instant t) {
        Stamp known = last;
        if (t.equals(known.instant())) {
            return known.text();
        }
        long sec = t.getEpochSecond();
        if (sec < 0 || sec >= 253_402_300_800L) { // 10000-01-01T00:00:00Z
            return t.toString();
        }
        java.time.LocalDate day = java.time.LocalDate.ofEpochDay(sec / 86_400);
        int sod = (int) (sec % 86_400);
        StringBuilder b = new StringBuilder(30);
        pad(b, day.getYear(), 4).append('-');
        pad(b, day.getMonthValue(), 2).append('-');
        pad(b, day.getDayOfMonth(), 2).append('T');
        pad(b, sod / 3600, 2).append(':');
        pad(b, sod / 60 % 60, 2).append(':');
        pad(b, sod % 60, 2);
        int nano = t.getNano();
        if (nano != 0) { // ISO_INSTANT: 3, 6 or 9 digits, as many as needed
            b.append('.');
            if (nano % 1_000_000 == 0) {
                pad(b, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                pad(b, nano / 1000, 6);
            } else {
                pad(b, nano, 9);
            }
        }
        String text = b.append('Z').toString();
        last = new Stamp(t, text);
        return text;
    }

    private static StringBuilder pad(StringBuilder b, int v, int width) {
        String digits = Integer.toString(v);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
    }

    /**
     * {@link Instant#parse}, the same result, without {@link java.time.format.DateTimeFormatter} for the text
     * {@link #instantText} writes ({@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}); any other text goes to
     * {@link Instant#parse}, which accepts or refuses it as before.
     *
     * @param s the text
     * @return the instant
     * @throws java.time.format.DateTimeParseException if it is not an instant
     */
    static Instant parseInstant(String s) {
        int n = s.length();
        if (n >= 20 && n <= 30 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T'
                && s.charAt(13) == ':' && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z') {
            int year = (int) digits(s, 0, 4);
            int month = (int) digits(s, 5, 7);
            int day = (int) digits(s, 8, 10);
            int hour = (int) digits(s, 11, 13);
            int minute = (int) digits(s, 14, 16);
            int second = (int) digits(s, 17, 19);
            int nano = 0;
            boolean ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23
                    && minute >= 0 && minute <= 59 && second >= 0 && second <= 59; // a leap second: Instant.parse
            if (ok && n > 20) {
                int fraction = n - 21;
                ok = s.charAt(19) == '.' && fraction >= 1 && fraction <= 9;
                if (ok) {
                    nano = (int) digits(s, 20, n - 1);
                    ok = nano >= 0;
                    for (int i = fraction; i < 9; i++) {
                        nano *= 10;
                    }
                }
            }
            if (ok && day <= java.time.YearMonth.of(year, month).lengthOfMonth()) {
                long days = java.time.LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(days * 86_400 + hour * 3600L + minute * 60L + second, nano);
            }
        }
        return Instant.parse(s);
    }

    /** The decimal value of {@code s[from, to)}, or -1 if it is not 1 to 18 ASCII digits. */
    private static long digits(String s, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Parses a positive decimal pid, digits only.
     *
     * @param v the text
     * @return the pid
     * @throws FormatException if it is not 1 to 18 digits
     */
    static long pid(String v) throws FormatException {
        if (v.isEmpty() || v.length() > 18 || digits(v, 0, v.length()) < 0) {
            throw new FormatException("not a pid: " + abbreviate(v));
        }
        return Long.parseLong(v);
    }

    private static String crcHex(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /**
     * Escapes a value for one line: {@code \\}, {@code \n}, {@code \r}, and {@code \}{@code uXXXX} for every other
     * control character and U+2028/U+2029.
     *
     * @param s the value
     * @return text without line breaks or control characters
     */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep;
            if (c == '\\') {
                rep = "\\\\";
            } else if (c == '\n') {
                rep = "\\n";
            } else if (c == '\r') {
                rep = "\\r";
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                rep = String.format(Locale.ROOT, "\\u%04x", (int) c);
            } else {
                if (b != null) {
                    b.append(c);
                }
                continue;
            }
            if (b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            b.append(rep);
        }
        return b == null ? s : b.toString();
    }

    /**
     * Reverses {@link #escape(String)}.
     *
     * @param s escaped text
     * @return the value
     * @throws FormatException on an unknown or incomplete escape
     */
    static String unescape(String s) throws FormatException {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i >= s.length()) {
                throw new FormatException("value ends in a lone backslash");
            }
            char n = s.charAt(i);
            switch (n) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 'u' -> {
                    if (i + 4 >= s.length()) {
                        throw new FormatException("incomplete \\u escape");
                    }
                    int v = 0;
                    for (int k = 1; k <= 4; k++) {
                        char h = s.charAt(i + k);
                        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
                        if (d < 0) {
                            throw new FormatException("bad \\u escape");
                        }
                        v = v * 16 + d;
                    }
                    b.append((char) v);
                    i += 4;
                }
                default -> throw new FormatException("unknown escape \\" + n);
            }
        }
        return b.toString();
    }

    /**
     * Encodes lines of {@code key=value} (values escaped) after a first line, for small informational files.
     *
     * @param first the first line
     * @param values the keys and values, in order
     * @return UTF-8 bytes
     */
    static byte[] encodeInfo(String first, Map<String, String> values) {
        StringBuilder b = new StringBuilder(first).append('\n');
        values.forEach((k, v) -> line(b, k, v));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes what {@link #encodeInfo} wrote, leniently: lines that do not parse are skipped; the first line is
     * not checked.
     *
     * @param bytes the content (possibly partial)
     * @return the keys and values found
     */
    static Map<String, String> decodeInfo(byte[] bytes) {
        Map<String, String> m = new LinkedHashMap<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        // the last piece has no newline after it: possibly cut by a concurrent write, so it is not trusted
        for (int i = 1; i < lines.length - 1; i++) {
            int eq = lines[i].indexOf('=');
            if (eq > 0) {
                try {
                    m.putIfAbsent(lines[i].substring(0, eq), unescape(lines[i].substring(eq + 1)));
                } catch (FormatException e) {
                    // skipped
                }
            }
        }
        return m;
    }

    /**
     * Maps a JDK I/O exception to the errno behind it.
     *
     * @param e the exception
     * @return the errno, or null if it cannot be told
     */
    static @Nullable Errno errno(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return reason == null ? null : Errno.ofMessage(reason).orElse(null);
    }

    /**
     * Cuts text for a message and escapes control characters.
     *
     * @param s the text
     * @return at most 64 characters and an ellipsis, escaped
     */
    static String abbreviate(String s) {
        return escape(s.length() > 64 ? s.substring(0, 64) + "..." : s);
    }
}
