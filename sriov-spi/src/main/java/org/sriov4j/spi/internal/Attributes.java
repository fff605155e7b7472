package org.sriov4j.spi.internal;

import java.util.Optional;
import java.util.OptionalInt;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.spi.SysfsAccess;

/**
 * Parses sysfs attribute content exactly as the kernel writes it: one trailing newline, hex with or without
 * {@code 0x}, {@code -1} for an unknown NUMA node, {@code (null)} for an unset override. Anything else is a
 * {@link MalformedAttributeException} naming the file and its content; never a silent default.
 */
final class Attributes {

    private final SysfsAccess sysfs;

    Attributes(SysfsAccess sysfs) {
        this.sysfs = sysfs;
    }

    /** Strips exactly one trailing newline, if present. */
    static String chomp(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /** Reads a hexadecimal value of at most {@code maxDigits} digits, with or without 0x. */
    int hex(String path, int maxDigits) {
        String raw = sysfs.read(path);
        return parseHex(path, raw, maxDigits);
    }

    int parseHex(String path, String raw, int maxDigits) {
        String s = chomp(raw);
        int from = s.startsWith("0x") || s.startsWith("0X") ? 2 : 0;
        int n = s.length() - from;
        if (n < 1 || n > maxDigits) {
            throw malformed(path, raw, "a hexadecimal number of at most " + maxDigits + " digits");
        }
        int v = 0;
        for (int i = from; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0 || s.charAt(i) > 'f') {
                throw malformed(path, raw, "a hexadecimal number of at most " + maxDigits + " digits");
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** Reads a non-negative decimal integer. */
    int decimal(String path) {
        String raw = sysfs.read(path);
        return parseDecimal(path, raw);
    }

    int parseDecimal(String path, String raw) {
        String s = chomp(raw);
        if (s.isEmpty() || s.length() > 9) {
            throw malformed(path, raw, "a non-negative decimal number");
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw malformed(path, raw, "a non-negative decimal number");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Reads {@code 0} or {@code 1}. */
    boolean bool(String path) {
        String raw = sysfs.read(path);
        String s = chomp(raw);
        if (s.equals("1")) {
            return true;
        }
        if (s.equals("0")) {
            return false;
        }
        throw malformed(path, raw, "0 or 1");
    }

    /** Reads a NUMA node: {@code -1} (or a missing file) is unknown. */
    OptionalInt numaNode(String path) {
        if (!sysfs.exists(path)) {
            return OptionalInt.empty();
        }
        return numaNode(path, sysfs.read(path));
    }

    /** Parses what {@code numa_node} held: {@code -1} is no node. */
    OptionalInt numaNode(String path, String raw) {
        if (chomp(raw).equals("-1")) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(parseDecimal(path, raw));
    }

    /** Reads driver_override: {@code (null)} (or a missing file, on old kernels) is unset. */
    Optional<String> driverOverride(String path) {
        if (!sysfs.exists(path)) {
            return Optional.empty();
        }
        return driverOverride(path, sysfs.read(path));
    }

    /** Parses what {@code driver_override} held. */
    Optional<String> driverOverride(String path, String raw) {
        String s = chomp(raw);
        if (s.equals("(null)")) {
            return Optional.empty();
        }
        if (s.isEmpty() || s.indexOf('\n') >= 0) {
            throw malformed(path, raw, "a driver name or (null)");
        }
        return Optional.of(s);
    }

    MalformedAttributeException malformed(String path, String raw, String expected) {
        return new MalformedAttributeException(sysfs.describe(path), raw, expected);
    }
}
