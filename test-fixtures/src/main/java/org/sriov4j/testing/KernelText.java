package org.sriov4j.testing;

import java.util.ArrayList;
import java.util.List;
import org.sriov4j.Errno;

/**
 * The kernel's text parsers, reproduced exactly: {@code kstrtoull} and friends (lib/kstrtox.c), {@code kstrtobool},
 * {@code sysfs_streq} and the {@code %x} conversions of {@code vsscanf}. Inputs are what a sysfs {@code store}
 * callback sees: the written bytes as a C string (anything after a NUL is invisible).
 */
final class KernelText {

    private KernelText() {
    }

    /** What a C function sees of a buffer: everything before the first NUL. */
    static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lc = (char) (c | 0x20);
        if (lc >= 'a' && lc <= 'f') {
            return lc - 'a' + 10;
        }
        return 99;
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && digit(s.charAt(i)) < 16;
    }

    /**
     * {@code kstrtoull(s, base)}: an optional {@code +}, the radix prefix rules of {@code base 0} ({@code 0x} hex,
     * leading {@code 0} octal), at least one digit, at most one trailing newline and nothing else.
     *
     * @throws KernelError EINVAL for malformed text, ERANGE when the value does not fit 64 bits
     */
    static long kstrtoull(String buf, int base) {
        String s = cString(buf);
        int i = 0;
        if (s.startsWith("+")) {
            i++;
        }
        return parseUnsigned(s, i, base);
    }

    private static long parseUnsigned(String s, int from, int baseIn) {
        int i = from;
        int base = baseIn;
        if (base == 0) {
            if (i < s.length() && s.charAt(i) == '0') {
                base = i + 1 < s.length() && (s.charAt(i + 1) | 0x20) == 'x' && isHex(s, i + 2) ? 16 : 8;
            } else {
                base = 10;
            }
        }
        if (base == 16 && i + 1 < s.length() && s.charAt(i) == '0' && (s.charAt(i + 1) | 0x20) == 'x') {
            i += 2;
        }
        long value = 0;
        boolean overflow = false;
        int start = i;
        while (i < s.length()) {
            int d = digit(s.charAt(i));
            if (d >= base) {
                break;
            }
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, base)) > 0) {
                overflow = true;
            }
            long next = value * base + d;
            if (Long.compareUnsigned(next, value * base) < 0) {
                overflow = true;
            }
            value = next;
            i++;
        }
        if (i == start) {
            throw new KernelError(Errno.EINVAL, "not a number: \"" + escape(s) + "\"");
        }
        if (overflow) {
            throw new KernelError(Errno.ERANGE, "number too large: \"" + escape(s) + "\"");
        }
        if (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        if (i != s.length()) {
            throw new KernelError(Errno.EINVAL, "trailing characters after the number: \"" + escape(s) + "\"");
        }
        return value;
    }

    /** {@code kstrtou16(s, 0)}: like {@link #kstrtoull}, ERANGE above 0xffff. */
    static int kstrtou16(String buf) {
        long v = kstrtoull(buf, 0);
        if (Long.compareUnsigned(v, 0xffff) > 0) {
            throw new KernelError(Errno.ERANGE, "number does not fit 16 bits: \"" + escape(buf) + "\"");
        }
        return (int) v;
    }

    /** {@code kstrtoul(s, 0)}. */
    static long kstrtoul(String buf) {
        return kstrtoull(buf, 0);
    }

    /** {@code kstrtoint(s, 0)}: an optional sign, then as {@link #kstrtoull}; ERANGE outside int. */
    static int kstrtoint(String buf) {
        String s = cString(buf);
        if (s.startsWith("-")) {
            long magnitude = parseUnsigned(s, 1, 0);
            if (Long.compareUnsigned(magnitude, 1L << 31) > 0) {
                throw new KernelError(Errno.ERANGE, "number does not fit an int: \"" + escape(s) + "\"");
            }
            return (int) -magnitude;
        }
        long v = kstrtoull(s, 0);
        if (Long.compareUnsigned(v, Integer.MAX_VALUE) > 0) {
            throw new KernelError(Errno.ERANGE, "number does not fit an int: \"" + escape(s) + "\"");
        }
        return (int) v;
    }

    /**
     * {@code kstrtobool}: decided by the first character ({@code 1yYtT} true, {@code 0nNfF} false) or the first two
     * ({@code on}, {@code of}); anything else EINVAL.
     */
    static boolean kstrtobool(String buf) {
        String s = cString(buf);
        char c0 = s.isEmpty() ? '\0' : s.charAt(0);
        switch (c0) {
            case 'y': case 'Y': case 't': case 'T': case '1':
                return true;
            case 'n': case 'N': case 'f': case 'F': case '0':
                return false;
            case 'o': case 'O':
                char c1 = s.length() > 1 ? s.charAt(1) : '\0';
                if (c1 == 'n' || c1 == 'N') {
                    return true;
                }
                if (c1 == 'f' || c1 == 'F') {
                    return false;
                }
                break;
            default:
                break;
        }
        throw new KernelError(Errno.EINVAL, "not a boolean: \"" + escape(s) + "\"");
    }

    /** {@code sysfs_streq(written, name)}: equal, or equal but for one trailing newline on the written side. */
    static boolean sysfsStreq(String written, String name) {
        String s = cString(written);
        return s.equals(name) || (s.length() == name.length() + 1 && s.endsWith("\n") && s.startsWith(name));
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /**
     * The {@code "%x %x %x ..."} conversions of the kernel's {@code vsscanf}: each skips blanks, takes an optional
     * {@code 0x} and hexadecimal digits (kept to 32 bits); scanning stops at the first field that does not convert.
     *
     * @return the converted fields (their count is what {@code sscanf} returns)
     */
    static List<Long> scanHex(String buf, int maxFields) {
        String s = cString(buf);
        List<Long> out = new ArrayList<>();
        int i = 0;
        while (out.size() < maxFields) {
            while (i < s.length() && isSpace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length() || !isHex(s, i)) {
                break;
            }
            if (s.charAt(i) == '0' && i + 1 < s.length() && (s.charAt(i + 1) | 0x20) == 'x' && isHex(s, i + 2)) {
                i += 2;
            }
            long v = 0;
            while (isHex(s, i)) {
                v = (v << 4 | digit(s.charAt(i))) & 0xffff_ffffL;
                i++;
            }
            out.add(v);
        }
        return out;
    }

    /** Shows control characters of a written value readably in messages. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(s.length(), 80);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\0') {
                b.append("\\0");
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > n) {
            b.append("... (").append(s.length()).append(" bytes)");
        }
        return b.toString();
    }
}
