package org.sriov4j;

/**
 * A sysfs attribute held something the kernel does not write there. Its message names the file and quotes its
 * content. sriov4j never replaces such content with a default.
 */
public final class MalformedAttributeException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The attribute's content as read. */
    private final String content;

    /**
     * Creates the exception.
     *
     * @param path the file
     * @param content what it held
     * @param expected what was expected, e.g. {@code "a hexadecimal number"}
     */
    public MalformedAttributeException(String path, String content, String expected) {
        super("parse", null, null, path, "expected " + expected + ", found \"" + PciAddressFormatException.escape(content) + "\"", null);
        this.content = content;
    }

    /**
     * The content of the file, as read.
     *
     * @return the content
     */
    public String content() {
        return content;
    }
}
