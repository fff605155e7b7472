package org.sriov4j.spi;

import java.util.Objects;
import org.sriov4j.PciAddress;

/**
 * What a {@link VendorPlugin} hook may use: sysfs, and the address of the PF it is called for. Plugins get no more
 * power than this; every read and write goes through the same {@link SysfsAccess} as the engine's (the real
 * {@code /sys}, a root directory, or the simulated kernel in tests).
 *
 * @param sysfs sysfs access, paths relative to {@code /sys}
 * @param pf the physical function the hook is called for
 */
public record VendorContext(SysfsAccess sysfs, PciAddress pf) {

    /**
     * Checks the fields.
     *
     * @param sysfs sysfs access
     * @param pf the physical function
     * @throws NullPointerException if either is null
     */
    public VendorContext {
        Objects.requireNonNull(sysfs, "sysfs");
        Objects.requireNonNull(pf, "pf");
    }

    /**
     * The sysfs path of an attribute of the PF.
     *
     * @param attribute e.g. {@code sriov_vf_device}, or {@code virtfn0/device}
     * @return e.g. {@code bus/pci/devices/0000:01:00.0/sriov_vf_device}, for {@link SysfsAccess}
     */
    public String pfPath(String attribute) {
        Objects.requireNonNull(attribute, "attribute");
        return "bus/pci/devices/" + pf + "/" + attribute;
    }
}
