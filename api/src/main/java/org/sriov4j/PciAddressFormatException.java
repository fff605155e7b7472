package org.sriov4j;

/**
 * Thrown by {@link PciAddress#parse(String)} when a string is not a PCI address in the accepted syntax or a field
 * is out of range. The message quotes the rejected input (with control characters escaped).
 */
public final class PciAddressFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The rejected input. */
    private final String input;

    /**
     * Creates the exception.
     *
     * @param input the rejected input
     * @param reason why it was rejected
     */
    public PciAddressFormatException(String input, String reason) {
        super("not a PCI address: \"" + escape(input) + "\": " + reason);
        this.input = input;
    }

    /**
     * The rejected input, exactly as given.
     *
     * @return the input
     */
    public String input() {
        return input;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64) + 8);
        int n = Math.min(s.length(), 64);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (c >= 0x80 && !Character.isLetterOrDigit(c))) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > n) {
            b.append("...");
        }
        return b.toString();
    }
}
