package org.sriov4j;

/**
 * The address of a PCI function: domain, bus, device and function ("BDF").
 *
 * <p>The canonical text form is {@code DDDD:BB:DD.F} in lower-case hexadecimal, e.g. {@code 0000:01:10.2}, exactly
 * as the kernel names devices under {@code /sys/bus/pci/devices} ({@code "%04x:%02x:%02x.%d"}): a domain above
 * {@code ffff} has as many digits as it needs and no leading zero, e.g. {@code 10000:e1:00.0} behind an Intel VMD
 * controller, whose domains start at {@code 0x10000}. Because every field is range-checked, the text
 * form of a {@code PciAddress} is always safe to use as a sysfs path component or to write to a sysfs attribute.
 *
 * <p>Instances are immutable, compare by value and sort by domain, bus, device, function.
 *
 * @param domain the PCI domain (segment), 0 to 0x7fffffff (the kernel's domain numbers are non-negative ints)
 * @param bus the bus number, 0 to 0xff
 * @param device the device number, 0 to 0x1f
 * @param function the function number, 0 to 7
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    /**
     * Checks the ranges.
     *
     * @param domain the PCI domain (segment), 0 to 0x7fffffff
     * @param bus the bus number, 0 to 0xff
     * @param device the device number, 0 to 0x1f
     * @param function the function number, 0 to 7
     * @throws IllegalArgumentException if a field is out of range
     */
    public PciAddress {
        if (domain < 0) {
            throw new IllegalArgumentException("PCI domain out of range 0..0x7fffffff: " + domain);
        }
        if (bus < 0 || bus > 0xff) {
            throw new IllegalArgumentException("PCI bus out of range 0..0xff: " + bus);
        }
        if (device < 0 || device > 0x1f) {
            throw new IllegalArgumentException("PCI device out of range 0..0x1f: " + device);
        }
        if (function < 0 || function > 7) {
            throw new IllegalArgumentException("PCI function out of range 0..7: " + function);
        }
    }

    /**
     * Parses {@code DDDD:BB:DD.F} (a domain of four hex digits, or five to eight without a leading zero for domains
     * above {@code ffff}, as the kernel prints them) or {@code BB:DD.F} (domain 0).
     *
     * <p>Bus and device are exactly two hexadecimal digits, the function one decimal digit 0-7; hex digits may be
     * upper or lower case. Nothing else is accepted: no blanks, no signs, no {@code 0x}, no trailing newline, no
     * path characters, no extra fields.
     *
     * @param text the text to parse
     * @return the address
     * @throws PciAddressFormatException if {@code text} is not a valid address (the only exception for non-null input)
     * @throws NullPointerException if {@code text} is null
     */
    public static PciAddress parse(String text) {
        int len = text.length();
        int domain;
        int p;
        if (len >= 12 && len <= 16) {
            int digits = len - 8;
            if (text.charAt(digits) != ':') {
                throw new PciAddressFormatException(text, "expected ':' after the " + digits + "-digit domain");
            }
            if (digits > 4 && text.charAt(0) == '0') {
                throw new PciAddressFormatException(text, "a domain of more than 4 digits has no leading zero");
            }
            long d = 0;
            for (int i = 0; i < digits; i += 4) {
                int n = Math.min(4, digits - i);
                d = d << (4 * n) | hex(text, i, n);
            }
            if (d > Integer.MAX_VALUE) {
                throw new PciAddressFormatException(text, "domain out of range 0-7fffffff");
            }
            domain = (int) d;
            p = digits + 1;
        } else if (len == 7) {
            domain = 0;
            p = 0;
        } else {
            throw new PciAddressFormatException(text, "expected DDDD:BB:DD.F or BB:DD.F");
        }
        int bus = hex(text, p, 2);
        if (text.charAt(p + 2) != ':') {
            throw new PciAddressFormatException(text, "expected ':' after the bus");
        }
        int dev = hex(text, p + 3, 2);
        if (text.charAt(p + 5) != '.') {
            throw new PciAddressFormatException(text, "expected '.' after the device");
        }
        char f = text.charAt(p + 6);
        if (f < '0' || f > '7') {
            throw new PciAddressFormatException(text, "function must be a digit 0-7");
        }
        if (dev > 0x1f) {
            throw new PciAddressFormatException(text, "device out of range 00-1f");
        }
        return new PciAddress(domain, bus, dev, f - '0');
    }

    /**
     * Whether {@code text} is a valid address for {@link #parse(String)}.
     *
     * @param text the text to check
     * @return true if {@link #parse(String)} would accept it
     */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (PciAddressFormatException e) {
            return false;
        }
    }

    private static int hex(String text, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw new PciAddressFormatException(text, "expected a hexadecimal digit at position " + i);
            }
            v = v * 16 + d;
        }
        return v;
    }

    /**
     * The PCI routing id: {@code bus << 8 | device << 3 | function} (the domain is not part of it).
     *
     * @return the routing id, 0 to 0xffff
     */
    public int routingId() {
        return bus << 8 | device << 3 | function;
    }

    /**
     * The address with the given routing id in this address's domain.
     *
     * @param routingId a routing id, 0 to 0xffff
     * @return the address
     * @throws IllegalArgumentException if the routing id is out of range
     */
    public PciAddress withRoutingId(int routingId) {
        if (routingId < 0 || routingId > 0xffff) {
            throw new IllegalArgumentException("routing id out of range 0..0xffff: " + routingId);
        }
        return new PciAddress(domain, routingId >> 8, (routingId >> 3) & 0x1f, routingId & 7);
    }

    @Override
    public int compareTo(PciAddress o) {
        int c = Integer.compare(domain, o.domain);
        if (c == 0) {
            c = Integer.compare(routingId(), o.routingId());
        }
        return c;
    }

    /**
     * The canonical form {@code dddd:bb:dd.f}, lower case, as the kernel names the device (a domain above
     * {@code ffff} with as many digits as it needs).
     *
     * @return the canonical text
     */
    @Override
    public String toString() {
        int digits = domain > 0xffff ? (35 - Integer.numberOfLeadingZeros(domain)) / 4 : 4;
        char[] c = new char[digits + 8];
        put(c, 0, domain, digits);
        int p = digits;
        c[p] = ':';
        put(c, p + 1, bus, 2);
        c[p + 3] = ':';
        put(c, p + 4, device, 2);
        c[p + 6] = '.';
        c[p + 7] = (char) ('0' + function);
        return new String(c);
    }

    private static void put(char[] c, int at, int value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            c[at + i] = Character.forDigit(value & 0xf, 16);
            value >>>= 4;
        }
    }
}
