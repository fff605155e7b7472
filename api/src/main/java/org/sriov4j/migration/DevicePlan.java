package org.sriov4j.migration;

import java.util.Objects;
import java.util.Optional;
import org.sriov4j.PciAddress;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;

/**
 * How one of the guest's VFs moves.
 *
 * @param source the VF on the source host
 * @param destination the VF chosen on the destination
 * @param method state transfer or unplug/re-plug
 * @param reason why this method (e.g. which end lacks a migration driver)
 * @param applyOnDestination the network settings the destination changes on its VF: those of the source that the
 *     destination VF does not have already (with failover, the MAC is the standby's); {@link VfNetConfig#none()}:
 *     nothing to change
 * @param failoverStandbyMac the MAC of the guest's standby virtio-net device the VF is paired with (QEMU
 *     {@code virtio-net-pci,failover=on} with {@code failover_pair_id} on the VF, libvirt {@code <teaming>}); empty:
 *     no standby, the guest has no network through this device between unplug and re-plug
 */
public record DevicePlan(PciAddress source, PciAddress destination, Method method, String reason,
        VfNetConfig applyOnDestination, Optional<MacAddress> failoverStandbyMac) {

    /** How a VF moves. */
    public enum Method {
        /** VFIO migration v2: the device's state is saved on the source and loaded on the destination. */
        STATE_TRANSFER,
        /** Unplugged from the guest before the move, the destination's VF plugged in after it. */
        UNPLUG_REPLUG
    }

    /**
     * Checks the fields.
     *
     * @param source the source VF
     * @param destination the destination VF
     * @param method the method
     * @param reason why
     * @param applyOnDestination the settings to apply
     * @param failoverStandbyMac the standby's MAC
     * @throws NullPointerException if a field is null
     */
    public DevicePlan {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(applyOnDestination, "applyOnDestination");
        Objects.requireNonNull(failoverStandbyMac, "failoverStandbyMac");
    }
}
