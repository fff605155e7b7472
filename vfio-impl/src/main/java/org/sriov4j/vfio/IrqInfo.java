package org.sriov4j.vfio;

import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * One interrupt index of an assigned device ({@code VFIO_DEVICE_GET_IRQ_INFO}).
 *
 * @param index the index (vfio-pci: 0 INTx, 1 MSI, 2 MSI-X, 3 ERR, 4 REQ)
 * @param flags the raw {@code VFIO_IRQ_INFO_*} bits
 * @param count number of vectors (0: not implemented)
 */
public record IrqInfo(int index, int flags, int count) {
    /** INTx. */
    public static final int INTX = VfioAbi.PCI_INTX_IRQ_INDEX;
    /** MSI. */
    public static final int MSI = VfioAbi.PCI_MSI_IRQ_INDEX;
    /** MSI-X. */
    public static final int MSIX = VfioAbi.PCI_MSIX_IRQ_INDEX;
    /** Error notification (AER). */
    public static final int ERR = VfioAbi.PCI_ERR_IRQ_INDEX;
    /** Device request: the host wants the device back. */
    public static final int REQ = VfioAbi.PCI_REQ_IRQ_INDEX;

    /**
     * Whether eventfds can be bound to this index.
     *
     * @return the EVENTFD flag
     */
    public boolean eventfd() {
        return (flags & VfioAbi.IRQ_INFO_EVENTFD) != 0;
    }

    /**
     * Whether the index supports MASK and UNMASK.
     *
     * @return the MASKABLE flag
     */
    public boolean maskable() {
        return (flags & VfioAbi.IRQ_INFO_MASKABLE) != 0;
    }

    /**
     * Whether vectors must be enabled as a set (MSI, MSI-X).
     *
     * @return the NORESIZE flag
     */
    public boolean noResize() {
        return (flags & VfioAbi.IRQ_INFO_NORESIZE) != 0;
    }
}
