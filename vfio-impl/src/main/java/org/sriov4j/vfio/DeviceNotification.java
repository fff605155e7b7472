package org.sriov4j.vfio;

import java.util.Objects;
import org.sriov4j.PciAddress;

/**
 * A notification the kernel sent about an assigned device through its ERR or REQ interrupt index, delivered to the
 * listener of {@link AssignedDevice#watch(java.util.function.Consumer)}.
 *
 * @param device the device
 * @param kind what happened
 * @param count how many times the kernel signalled it since the last notification of this kind (signals that
 *     arrive before the watcher reads the eventfd are coalesced; at least 1)
 */
public record DeviceNotification(PciAddress device, Kind kind, long count) {

    /** What the kernel reports. */
    public enum Kind {
        /**
         * The host wants the device back ({@code VFIO_PCI_REQ_IRQ_INDEX}): its driver is being unbound from vfio-pci
         * (an administrator's unbind, a VF disable, a hot-unplug) while this process holds the device open. The
         * kernel's unbind blocks until the device descriptor is closed and repeats the request every 10 seconds:
         * release the device (stop the guest's use of it, then {@link AssignedDevice#close()}).
         */
        REQUEST,
        /**
         * An uncorrectable PCIe error was reported (AER, {@code VFIO_PCI_ERR_IRQ_INDEX}): the device's state is
         * unreliable; typically stop the guest or forward the error to it, then reset the device.
         */
        ERROR
    }

    /**
     * A notification.
     *
     * @param device the device
     * @param kind what happened
     * @param count signals coalesced into this notification, at least 1
     * @throws IllegalArgumentException when count is below 1
     */
    public DeviceNotification {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(kind, "kind");
        if (count < 1) {
            throw new IllegalArgumentException("count " + count + " < 1");
        }
    }
}
