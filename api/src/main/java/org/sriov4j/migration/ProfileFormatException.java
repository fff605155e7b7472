package org.sriov4j.migration;

import java.util.Objects;

/**
 * A device profile (or a compatibility matrix) whose JSON is malformed, of an unsupported schema version, or has a
 * field of the wrong type or value. {@link #field()} names the field, as a dotted path ({@code pf.driverVersion},
 * {@code device.bars[1].size}; {@code $} for the document itself).
 */
public final class ProfileFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The dotted path of the field. */
    private final String field;

    /**
     * Creates the exception.
     *
     * @param field the dotted path of the offending field, {@code $} for the whole document
     * @param message what is wrong with it
     */
    public ProfileFormatException(String field, String message) {
        super(Objects.requireNonNull(field, "field") + ": " + message);
        this.field = field;
    }

    /**
     * The offending field.
     *
     * @return its dotted path, e.g. {@code device.revision}; {@code $} for the document
     */
    public String field() {
        return field;
    }
}
