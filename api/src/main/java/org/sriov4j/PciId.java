package org.sriov4j;

/**
 * A PCI vendor and device id pair, such as {@code 8086:10c9} (Intel 82576).
 *
 * @param vendor the vendor id, 0 to 0xffff
 * @param device the device id, 0 to 0xffff
 */
public record PciId(int vendor, int device) {

    /**
     * Checks the ranges.
     *
     * @param vendor the vendor id, 0 to 0xffff
     * @param device the device id, 0 to 0xffff
     * @throws IllegalArgumentException if an id is out of range
     */
    public PciId {
        if (vendor < 0 || vendor > 0xffff || device < 0 || device > 0xffff) {
            throw new IllegalArgumentException("PCI ids must be 0..0xffff: " + vendor + ":" + device);
        }
    }

    /**
     * Parses {@code vvvv:dddd} (four hexadecimal digits each).
     *
     * @param text the text
     * @return the id
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static PciId parse(String text) {
        if (text.length() != 9 || text.charAt(4) != ':') {
            throw new IllegalArgumentException("not a PCI id (vvvv:dddd): \"" + PciAddressFormatException.escape(text) + "\"");
        }
        return new PciId(hex4(text, 0), hex4(text, 5));
    }

    private static int hex4(String text, int from) {
        int v = 0;
        for (int i = from; i < from + 4; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0 || text.charAt(i) > 'f') {
                throw new IllegalArgumentException("not a PCI id (vvvv:dddd): \"" + PciAddressFormatException.escape(text) + "\"");
            }
            v = v * 16 + d;
        }
        return v;
    }

    /**
     * The vendor id as four lower-case hex digits.
     *
     * @return e.g. {@code 8086}
     */
    public String vendorHex() {
        return String.format("%04x", vendor);
    }

    /**
     * The device id as four lower-case hex digits.
     *
     * @return e.g. {@code 10c9}
     */
    public String deviceHex() {
        return String.format("%04x", device);
    }

    /**
     * {@code vvvv:dddd}, lower case.
     *
     * @return the text form
     */
    @Override
    public String toString() {
        return vendorHex() + ":" + deviceHex();
    }
}
