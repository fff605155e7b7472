package org.sriov4j.testing;

/**
 * Thrown by {@link SimulatedKernel} when a write would block forever on a real kernel: unbinding a function from
 * vfio-pci (its driver's {@code unbind}, {@code sriov_numvfs} 0 on its PF, unloading vfio-pci) while a
 * {@link SimulatedProcess} holds its VFIO device open. Linux waits in that write, uninterruptibly after the first
 * signal, until every device descriptor is closed; code under test must find the holders first and refuse. An
 * {@link AssertionError}, so that it fails the test instead of being handled as an I/O error.
 */
public final class VfioUnbindWouldBlockError extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** The function. */
    private final String device;

    VfioUnbindWouldBlockError(String device, String operation, int openDescriptors) {
        super(operation + " of " + device + " would block forever: its VFIO device is open (" + openDescriptors
                + " descriptor" + (openDescriptors == 1 ? "" : "s") + " held by simulated processes); the real kernel"
                + " waits until they are closed");
        this.device = device;
    }

    /**
     * The function whose unbind would block.
     *
     * @return its address, e.g. {@code 0000:01:10.0}
     */
    public String device() {
        return device;
    }
}
