package org.sriov4j;

/**
 * The address of a PCI function: domain, bus, device and function ("BDF").
 *
 * <p>The canonical text form is {@code DDDD:BB:DD.F} in lower-case hexadecimal, e.g. {@code 0000:01:10.2}, exactly
 * as the kernel names devices under {@code /sys/bus/pci/devices}. Because every field is range-checked, the text
 * form of a {@code PciAddress} is always safe to use as a sysfs path component or to write to a sysfs attribute.
 *
 * <p>Instances are immutable, compare by value and sort by domain, bus, device, function.
 *
 * @param domain the PCI domain (segment), 0 to 0xffff
 * @param bus the bus number, 0 to 0xff
 * @param device the device number, 0 to 0x1f
 * @param function the function number, 0 to 7
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {

    /**
     * Checks the ranges.
     *
     * @param domain the PCI domain (segment), 0 to 0xffff
     * @param bus the bus number, 0 to 0xff
     * @param device the device number, 0 to 0x1f
     * @param function the function number, 0 to 7
     * @throws IllegalArgumentException if a field is out of range
     */
    public PciAddress {
        if (domain < 0 || domain > 0xffff) {
            throw new IllegalArgumentException("PCI domain out of range 0..0xffff: " + domain);
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
     * Parses {@code DDDD:BB:DD.F} (domain of exactly four hex digits) or {@code BB:DD.F} (domain 0).
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
        if (len == 12) {
            if (text.charAt(4) != ':') {
                throw new PciAddressFormatException(text, "expected ':' after the 4-digit domain");
            }
            domain = hex(text, 0, 4);
            p = 5;
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
     * The canonical form {@code dddd:bb:dd.f}, lower case.
     *
     * @return the canonical text
     */
    @Override
    public String toString() {
        char[] c = new char[12];
        put(c, 0, domain, 4);
        c[4] = ':';
        put(c, 5, bus, 2);
        c[7] = ':';
        put(c, 8, device, 2);
        c[10] = '.';
        c[11] = (char) ('0' + function);
        return new String(c);
    }

    private static void put(char[] c, int at, int value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            c[at + i] = Character.forDigit(value & 0xf, 16);
            value >>>= 4;
        }
    }
}
