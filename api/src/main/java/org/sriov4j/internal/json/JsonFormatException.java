package org.sriov4j.internal.json;

/**
 * Text that is not one JSON value, or that goes past one of {@link Json}'s limits. The message names the offset
 * and what was expected.
 */
public final class JsonFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The character offset of the problem. */
    private final int offset;

    /**
     * Creates the exception.
     *
     * @param offset the character offset of the problem
     * @param message what was wrong
     */
    public JsonFormatException(int offset, String message) {
        super("JSON at offset " + offset + ": " + message);
        this.offset = offset;
    }

    /**
     * Where the problem is.
     *
     * @return the character offset
     */
    public int offset() {
        return offset;
    }
}
