package org.sriov4j;

import java.util.Locale;
import java.util.Objects;

/**
 * A 48-bit Ethernet MAC address, immutable. {@link #parse(String)} accepts only six pairs of hex digits separated by
 * colons ({@code 02:11:22:33:44:55}, either case); {@link #toString()} gives the lower-case form.
 *
 * <p>{@link #ZERO} ({@code 00:00:00:00:00:00}) is what a VF shows before an administrator sets its MAC, and setting it
 * clears an administratively set MAC (the VF driver may then choose its own).
 */
public final class MacAddress implements Comparable<MacAddress> {

    /** {@code 00:00:00:00:00:00}: no administratively set MAC. */
    public static final MacAddress ZERO = new MacAddress(0L);

    private static final long MASK = 0xFFFF_FFFF_FFFFL;

    /** The 48 bits, first octet in bits 40..47. */
    private final long value;

    private MacAddress(long value) {
        this.value = value & MASK;
    }

    /**
     * Parses {@code XX:XX:XX:XX:XX:XX} (hex digits in either case).
     *
     * @param text the text
     * @return the address
     * @throws IllegalArgumentException if {@code text} is not of that form (the message quotes it)
     */
    public static MacAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() != 17) {
            throw bad(text);
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(i * 3), 16);
            int lo = Character.digit(text.charAt(i * 3 + 1), 16);
            if (hi < 0 || lo < 0 || !isAsciiHex(text.charAt(i * 3)) || !isAsciiHex(text.charAt(i * 3 + 1))
                    || i < 5 && text.charAt(i * 3 + 2) != ':') {
                throw bad(text);
            }
            v = v << 8 | hi << 4 | lo;
        }
        return new MacAddress(v);
    }

    private static boolean isAsciiHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static IllegalArgumentException bad(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return new IllegalArgumentException("not a MAC address (XX:XX:XX:XX:XX:XX): \""
                + shown.replaceAll("\\p{Cntrl}", "?") + "\"");
    }

    /**
     * The address of six octets.
     *
     * @param octets exactly 6 bytes, first octet first
     * @return the address
     * @throws IllegalArgumentException if there are not 6 bytes
     */
    public static MacAddress of(byte[] octets) {
        if (octets.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, not " + octets.length);
        }
        long v = 0;
        for (byte b : octets) {
            v = v << 8 | (b & 0xFF);
        }
        return new MacAddress(v);
    }

    /**
     * The six octets.
     *
     * @return a new array, first octet first
     */
    public byte[] octets() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    /**
     * Whether this is {@code 00:00:00:00:00:00}.
     *
     * @return true for {@link #ZERO}
     */
    public boolean isZero() {
        return value == 0;
    }

    /**
     * Whether this is a unicast address that is not zero: the group bit (bit 0 of the first octet) is clear. The
     * kernel refuses a multicast or broadcast address as a VF's MAC ({@code EINVAL}).
     *
     * @return true for a usable unicast address
     */
    public boolean isUnicast() {
        return value != 0 && (value >>> 40 & 1) == 0;
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    /**
     * The lower-case colon form, e.g. {@code 02:11:22:33:44:55}.
     *
     * @return the text {@link #parse(String)} reads back
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                b.append(':');
            }
            b.append(String.format(Locale.ROOT, "%02x", value >>> (40 - 8 * i) & 0xFF));
        }
        return b.toString();
    }
}
