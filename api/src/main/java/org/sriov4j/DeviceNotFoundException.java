package org.sriov4j;

/**
 * The named PCI function does not exist on this host, or is not of the kind the operation needs (for example a
 * physical function was required and a plain function was named).
 */
public final class DeviceNotFoundException extends SriovException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param operation the operation
     * @param device the device that was looked for
     * @param detail what was expected
     */
    public DeviceNotFoundException(String operation, PciAddress device, String detail) {
        super(operation, device, null, null, detail, null);
    }
}
