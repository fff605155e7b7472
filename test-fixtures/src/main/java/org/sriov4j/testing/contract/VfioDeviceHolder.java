package org.sriov4j.testing.contract;

/**
 * A process that holds a function's VFIO device open, started by
 * {@link ContractHost#holdVfioDevice(org.sriov4j.PciAddress, boolean)}: a stand-in for a VMM. Closing it ends the
 * process (its descriptors close with it) and waits until it has ended.
 */
public interface VfioDeviceHolder extends AutoCloseable {

    /**
     * The process id, as {@code /proc} of the host under test shows it.
     *
     * @return the pid
     */
    long pid();

    /** Ends the process and waits for it. */
    @Override
    void close();
}
