package org.sriov4j.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.sriov4j.internal.json.Json;
import org.sriov4j.internal.json.JsonFormatException;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.migration.ProfileFormatException;

/**
 * A vendor's PF/VF driver compatibility matrix: which guest VF driver versions work with which PF driver versions
 * (and firmware). Shipped by a {@link VendorPlugin} as a JSON resource ({@link VendorPlugin#compatibilityMatrix()});
 * the format is documented in {@code docs/device-profile.md}:
 *
 * <pre>{@code
 * {"matrixVersion": 1, "id": "acme-x1", "entries": [
 *   {"pfDriver": "acme", "pfVersion": ">=2.0 <3", "pfOrigin": "out-of-tree", "pfFirmware": "*",
 *    "vfDriver": "acmevf", "vfVersion": ">=2.1", "result": "COMPATIBLE",
 *    "note": "mailbox API 1.2 on both ends", "source": "Acme X1 release notes 2.0, table 4"}]}
 * }</pre>
 *
 * <p>Entries are tried in order; the first whose every condition holds answers. A condition on something unknown (the
 * PF driver's version, origin or firmware) does not hold. No matching entry: {@link DriverCompatibility#UNKNOWN}.
 * A version condition is {@code *} or constraints separated by spaces, all of which must hold: {@code >=V},
 * {@code >V}, {@code <=V}, {@code <V}, {@code =V} (or just {@code V}). Versions are compared segment by segment,
 * segments split at {@code . - + ~ _}; numeric segments compare as numbers and sort before text segments; a version
 * that is a prefix of another is the smaller ({@code 6.12 < 6.12.118}).
 */
public final class CompatibilityMatrix {
    /** The format version this library reads: {@value}. */
    public static final int MATRIX_VERSION = 1;
    private static final Pattern DRIVER = Pattern.compile("\\*|[a-z0-9_-]{1,32}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+~-]{1,32}");

    private final String id;
    private final List<Entry> entries;

    private CompatibilityMatrix(String id, List<Entry> entries) {
        this.id = id;
        this.entries = List.copyOf(entries);
    }

    /** One entry of the matrix. */
    private record Entry(String pfDriver, String pfVersion, Optional<DriverOrigin> pfOrigin, String pfFirmware,
            String vfDriver, String vfVersion, DriverCompatibility result, String note, String source) {
    }

    /**
     * The matrix's id (e.g. {@code intel-igb}).
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * How many entries it has.
     *
     * @return the count
     */
    public int size() {
        return entries.size();
    }

    /**
     * Reads a matrix from a resource next to a class (the vendor plugin's own class, so that the lookup works in
     * its module).
     *
     * @param owner the class whose {@link Class#getResourceAsStream(String)} finds the resource
     * @param resource the resource name, relative to the owner's package unless it starts with {@code /}
     * @return the matrix
     * @throws ProfileFormatException if the resource is missing, unreadable or malformed (the field is named)
     */
    public static CompatibilityMatrix load(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ProfileFormatException("$", "no resource " + resource + " next to " + owner.getName());
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ProfileFormatException("$", "cannot read " + resource + ": " + e.getMessage());
        }
    }

    /**
     * Parses a matrix.
     *
     * @param json the JSON text
     * @return the matrix
     * @throws ProfileFormatException if it is not a matrix of version {@value #MATRIX_VERSION} (the field is named)
     */
    public static CompatibilityMatrix parse(String json) {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (JsonFormatException e) {
            throw new ProfileFormatException("$", Objects.requireNonNullElse(e.getMessage(), "not JSON"));
        }
        Map<?, ?> root = map("$", doc);
        if (!(root.get("matrixVersion") instanceof Long v) || v != MATRIX_VERSION) {
            throw new ProfileFormatException("matrixVersion", "missing or not " + MATRIX_VERSION);
        }
        String id = string(root, "$", "id");
        if (!(root.get("entries") instanceof List<?> list)) {
            throw new ProfileFormatException("entries", "missing or not an array");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "entries[" + i + "]";
            Map<?, ?> e = map(at, list.get(i));
            String pfDriver = driver(e, at, "pfDriver");
            String pfVersion = condition(e, at, "pfVersion");
            String originText = e.containsKey("pfOrigin") ? string(e, at, "pfOrigin") : "any";
            Optional<DriverOrigin> origin;
            switch (originText) {
                case "any": origin = Optional.empty(); break;
                case "in-tree": origin = Optional.of(DriverOrigin.IN_TREE); break;
                case "out-of-tree": origin = Optional.of(DriverOrigin.OUT_OF_TREE); break;
                default: throw new ProfileFormatException(at + ".pfOrigin", "must be in-tree, out-of-tree or any");
            }
            String pfFirmware = condition(e, at, "pfFirmware");
            String vfDriver = driver(e, at, "vfDriver");
            String vfVersion = condition(e, at, "vfVersion");
            DriverCompatibility result;
            try {
                result = DriverCompatibility.valueOf(string(e, at, "result"));
            } catch (IllegalArgumentException x) {
                throw new ProfileFormatException(at + ".result", "must be COMPATIBLE, INCOMPATIBLE or UNKNOWN");
            }
            entries.add(new Entry(pfDriver, pfVersion, origin, pfFirmware, vfDriver, vfVersion, result,
                    string(e, at, "note"), string(e, at, "source")));
        }
        return new CompatibilityMatrix(id, entries);
    }

    private static Map<?, ?> map(String at, Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new ProfileFormatException(at, "must be an object");
        }
        return m;
    }

    private static String string(Map<?, ?> m, String at, String key) {
        String path = at.equals("$") ? key : at + "." + key;
        if (!(m.get(key) instanceof String s)) {
            throw new ProfileFormatException(path, m.containsKey(key) ? "must be a string" : "missing");
        }
        if (s.length() > 1024) {
            throw new ProfileFormatException(path, "longer than 1024 characters");
        }
        return s;
    }

    private static String driver(Map<?, ?> m, String at, String key) {
        String s = string(m, at, key);
        if (!DRIVER.matcher(s).matches()) {
            throw new ProfileFormatException(at + "." + key, "must be * or a driver name [a-z0-9_-]");
        }
        return s;
    }

    private static String condition(Map<?, ?> m, String at, String key) {
        if (!m.containsKey(key)) {
            return "*";
        }
        String s = string(m, at, key).strip();
        if (s.equals("*")) {
            return s;
        }
        for (String c : s.split(" +")) {
            String v = c.replaceFirst("^(>=|<=|>|<|=)", "");
            if (!VERSION.matcher(v).matches()) {
                throw new ProfileFormatException(at + "." + key, "not a version condition: \"" + c + "\"");
            }
        }
        return s;
    }

    /**
     * The answer for a guest's VF driver on a PF.
     *
     * @param pfDriver the PF's driver; empty: none bound
     * @param pfVersion its version; empty: unknown
     * @param pfOrigin its origin; empty: unknown
     * @param pfFirmware the PF's firmware version; empty: unknown
     * @param guest the guest's VF driver
     * @return the first matching entry's answer, or {@link DriverCompatibility#UNKNOWN} naming what was missing
     */
    public CompatibilityVerdict judge(Optional<String> pfDriver, Optional<String> pfVersion,
            Optional<DriverOrigin> pfOrigin, Optional<String> pfFirmware, GuestVfDriver guest) {
        String pfText = describePf(pfDriver, pfVersion, pfOrigin);
        boolean versionNeeded = false;
        for (Entry e : entries) {
            if (pfDriver.isEmpty() || !(e.pfDriver().equals("*") || e.pfDriver().equals(pfDriver.get()))) {
                continue;
            }
            if (!(e.vfDriver().equals("*") || e.vfDriver().equals(guest.name()))
                    || !satisfies(Optional.of(guest.version()), e.vfVersion())) {
                continue;
            }
            if (!satisfies(pfVersion, e.pfVersion()) || !satisfies(pfFirmware, e.pfFirmware())
                    || e.pfOrigin().isPresent() && !e.pfOrigin().equals(pfOrigin)) {
                versionNeeded |= pfVersion.isEmpty() || pfFirmware.isEmpty() || pfOrigin.isEmpty();
                continue;
            }
            return new CompatibilityVerdict(e.result(), pfText, guest.toString(), Optional.of(id), e.note(),
                    Optional.of(e.source()));
        }
        String why = pfDriver.isEmpty() ? "the PF has no driver"
                : versionNeeded ? "an entry needs the PF driver's version, origin or firmware, which are unknown here"
                : "no entry of the matrix covers this pair";
        return new CompatibilityVerdict(DriverCompatibility.UNKNOWN, pfText, guest.toString(), Optional.of(id), why,
                Optional.empty());
    }

    static String describePf(Optional<String> pfDriver, Optional<String> pfVersion, Optional<DriverOrigin> origin) {
        return pfDriver.orElse("(no driver)") + " " + pfVersion.orElse("(version unknown)")
                + origin.map(o -> " (" + o.jsonName() + ")").orElse("");
    }

    /**
     * Whether a version satisfies a condition ({@code *} always, even for an unknown version).
     *
     * @param version the version; empty: unknown (satisfies only {@code *})
     * @param condition the condition
     * @return true if it holds
     */
    static boolean satisfies(Optional<String> version, String condition) {
        if (condition.equals("*")) {
            return true;
        }
        if (version.isEmpty()) {
            return false;
        }
        for (String c : condition.split(" +")) {
            String op = c.startsWith(">=") || c.startsWith("<=") ? c.substring(0, 2)
                    : c.startsWith(">") || c.startsWith("<") || c.startsWith("=") ? c.substring(0, 1) : "=";
            String v = c.substring(op.equals("=") && !c.startsWith("=") ? 0 : op.length());
            int cmp = compareVersions(version.get(), v);
            boolean ok = switch (op) {
                case ">=" -> cmp >= 0;
                case "<=" -> cmp <= 0;
                case ">" -> cmp > 0;
                case "<" -> cmp < 0;
                default -> cmp == 0;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Compares two versions as described in the class comment.
     *
     * @param a a version
     * @param b another
     * @return negative, zero or positive
     */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("[.\\-+~_]");
        String[] y = b.split("[.\\-+~_]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = compareSegments(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static int compareSegments(String s, String t) {
        boolean sn = !s.isEmpty() && s.chars().allMatch(Character::isDigit);
        boolean tn = !t.isEmpty() && t.chars().allMatch(Character::isDigit);
        if (sn && tn) {
            String s2 = s.replaceFirst("^0+(?=.)", "");
            String t2 = t.replaceFirst("^0+(?=.)", "");
            return s2.length() != t2.length() ? Integer.compare(s2.length(), t2.length()) : s2.compareTo(t2);
        }
        if (sn != tn) {
            return sn ? -1 : 1;
        }
        return s.compareTo(t);
    }

    @Override
    public String toString() {
        return "CompatibilityMatrix[" + id + ", " + entries.size() + " entries]";
    }
}
