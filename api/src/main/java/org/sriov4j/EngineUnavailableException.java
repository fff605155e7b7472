package org.sriov4j;

/**
 * No sriov4j engine or no usable hypervisor backend could be found or opened. The message lists every candidate
 * with the reason it was not used.
 */
public final class EngineUnavailableException extends SriovException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param operation the operation, e.g. {@code "open host"}
     * @param detail the candidates and reasons
     */
    public EngineUnavailableException(String operation, String detail) {
        super(operation, detail);
    }
}
