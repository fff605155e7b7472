package org.sriov4j;

import java.util.Objects;

/**
 * What a {@link GuestHook} is told about a plug or unplug.
 *
 * @param operation plug or unplug
 * @param device the function
 * @param guest the guest (Xen domain name, or the VMM's name for it)
 * @param backend the backend id, e.g. {@code kvm-vfio} or {@code xen-pciback}
 * @param forced true when the unplug goes ahead whatever the hooks answer: in {@link SriovHost#recover()} (the
 *     holder died) and when the kernel takes the device back; a veto is then logged and ignored
 */
public record HotplugContext(HotplugOperation operation, PciAddress device, String guest, String backend,
        boolean forced) {

    /**
     * Checks the values.
     *
     * @param operation plug or unplug
     * @param device the function
     * @param guest the guest
     * @param backend the backend id
     * @param forced whether a veto is ignored
     */
    public HotplugContext {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(backend, "backend");
    }
}
