package org.sriov4j;

/**
 * Thrown by {@link VfSelector#parse(String)} and {@link VfSelector.Builder#vfIndices(String)} when the text is not
 * a selector (or a list of VF index ranges) in the accepted syntax. The message quotes the rejected input (control
 * characters escaped) and names the position at which it went wrong, counted in {@code char}s from 0.
 *
 * <pre>{@code
 * VfSelector.parse("ens1f0#3-1");
 * // VfSelectorFormatException: not a VF selector: "ens1f0#3-1" at position 7: range 3-1 is not ascending
 * }</pre>
 */
public final class VfSelectorFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The rejected input. */
    private final String input;
    /** Where in the input it went wrong. */
    private final int position;
    /** Why it was rejected. */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param input the rejected input
     * @param position the index in {@code input} at which it went wrong (its length if the input ended too soon)
     * @param reason why it was rejected
     */
    public VfSelectorFormatException(String input, int position, String reason) {
        super("not a VF selector: \"" + PciAddressFormatException.escape(input) + "\" at position " + position
                + ": " + reason);
        this.input = input;
        this.position = position;
        this.reason = reason;
    }

    /**
     * The rejected input, exactly as given.
     *
     * @return the input
     */
    public String input() {
        return input;
    }

    /**
     * Where the input went wrong.
     *
     * @return an index into {@link #input()}, from 0; equal to its length when the input ended too soon
     */
    public int position() {
        return position;
    }

    /**
     * Why the input was rejected, without the input and position.
     *
     * @return e.g. {@code "range 3-1 is not ascending"}
     */
    public String reason() {
        return reason;
    }
}
