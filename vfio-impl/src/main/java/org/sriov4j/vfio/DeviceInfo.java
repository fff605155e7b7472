package org.sriov4j.vfio;

import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * What {@code VFIO_DEVICE_GET_INFO} reports about an assigned device.
 *
 * @param flags the raw {@code VFIO_DEVICE_FLAGS_*} bits
 * @param regionCount number of region indexes (9 for vfio-pci: BAR0–5, ROM, config, VGA)
 * @param irqCount number of interrupt indexes (5 for vfio-pci: INTx, MSI, MSI-X, ERR, REQ)
 */
public record DeviceInfo(int flags, int regionCount, int irqCount) {

    /**
     * Whether the device supports {@code VFIO_DEVICE_RESET}.
     *
     * @return true when {@code VFIO_DEVICE_FLAGS_RESET} is set
     */
    public boolean resetSupported() {
        return (flags & VfioAbi.DEVICE_FLAGS_RESET) != 0;
    }

    /**
     * Whether this is a vfio-pci device (fixed region and IRQ indexes).
     *
     * @return true when {@code VFIO_DEVICE_FLAGS_PCI} is set
     */
    public boolean pci() {
        return (flags & VfioAbi.DEVICE_FLAGS_PCI) != 0;
    }
}
