package org.sriov4j.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.SysfsIoException;

/**
 * The one rule for whether an IOMMU group may be handed to a guest, shared by the engine (before a detach or lease)
 * and the VFIO backend (before it opens a group through iommufd, which has no {@code VFIO_GROUP_GET_STATUS}). A
 * member is harmless when it has no driver, is on the stub driver (for vfio-pci also a vfio-pci variant driver,
 * e.g. {@code mlx5_vfio_pci}), on {@code pci-stub} or {@code pcieport} (drivers that do no DMA for the host: the
 * kernel's {@code driver_managed_dma}), or is a bridge (class {@code 0x0604}); any other driver makes the group not
 * viable, as the kernel's DMA ownership claim would refuse it.
 */
public final class GroupViability {
    /** Drivers that never do DMA for the host. */
    private static final java.util.Set<String> HARMLESS = java.util.Set.of("pci-stub", "pcieport");

    private GroupViability() {
    }

    /**
     * The members of a group that are on a host driver, read through {@code sysfs}.
     *
     * @param sysfs the sysfs to read
     * @param group the IOMMU group number
     * @param except a member not to judge (the function asked for), if any
     * @param stubDriver the driver functions are prepared on ({@code vfio-pci}, {@code pciback})
     * @return each offending member with its driver, in sysfs order; empty when the group is viable or not in sysfs
     */
    public static Map<PciAddress, String> offenders(SysfsAccess sysfs, int group, @Nullable PciAddress except,
            String stubDriver) {
        return offenders(sysfs, members(sysfs, group), except, stubDriver);
    }

    /**
     * The members of an IOMMU group, as sysfs lists them (one operation). They do not change when a member's driver
     * does, so a caller judging several members of one group may list them once.
     *
     * @param sysfs the sysfs to read
     * @param group the IOMMU group number
     * @return the members in sysfs order; empty when the group is not in sysfs
     */
    public static java.util.List<PciAddress> members(SysfsAccess sysfs, int group) {
        String members = "kernel/iommu_groups/" + group + "/devices";
        java.util.List<String> entries;
        try {
            entries = sysfs.list(members); // one operation: a group not in sysfs is a failed list, not a check first
        } catch (SysfsIoException e) {
            if (e.isNotFound()) {
                return java.util.List.of();
            }
            throw e;
        }
        java.util.List<PciAddress> out = new java.util.ArrayList<>(entries.size());
        for (String entry : entries) {
            out.add(SysfsNames.address(sysfs, members, entry));
        }
        return java.util.List.copyOf(out);
    }

    /**
     * The given members of a group ({@link #members}) that are on a host driver now (each member's driver is read).
     *
     * @param sysfs the sysfs to read
     * @param members the group's members
     * @param except a member not to judge (the function asked for), if any
     * @param stubDriver the driver functions are prepared on
     * @return each offending member with its driver, in the given order; empty when the group is viable
     */
    public static Map<PciAddress, String> offenders(SysfsAccess sysfs, java.util.List<PciAddress> members,
            @Nullable PciAddress except, String stubDriver) {
        Map<PciAddress, String> offenders = new LinkedHashMap<>();
        for (PciAddress member : members) {
            if (member.equals(except)) {
                continue;
            }
            Optional<String> driver = SysfsNames.linkedDriver(sysfs, dev(member) + "/driver");
            if (driver.isEmpty() || harmless(driver.get(), stubDriver) || isBridge(sysfs, member)) {
                continue;
            }
            offenders.put(member, driver.get());
        }
        return offenders;
    }

    private static boolean harmless(String driver, String stubDriver) {
        return driver.equals(stubDriver) || HARMLESS.contains(driver)
                || (stubDriver.equals("vfio-pci") && driver.contains("vfio"));
    }

    private static boolean isBridge(SysfsAccess sysfs, PciAddress a) {
        try {
            return sysfs.read(dev(a) + "/class").trim().startsWith("0x0604");
        } catch (SysfsIoException e) {
            return false;
        }
    }

    private static String dev(PciAddress a) {
        return "bus/pci/devices/" + a;
    }
}
