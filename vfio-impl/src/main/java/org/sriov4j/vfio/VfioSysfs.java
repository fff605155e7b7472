package org.sriov4j.vfio;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.GroupViability;
import org.sriov4j.spi.SysfsAccess;

/**
 * What the VFIO backend reads from sysfs and /dev, through the engine's seams ({@link SysfsAccess},
 * {@link DeviceNodeAccess}), so that a configuration's roots (a container's {@code SRIOV4J_SYSFS_ROOT=/host/sys}, the
 * CLI's {@code --sysfs-root}) mean the same for VFIO as for the engine, and tests can give the simulator's trees.
 */
final class VfioSysfs {
    private static final String VFIO_PCI = "vfio-pci";

    private final SysfsAccess sysfs;
    private final DeviceNodeAccess devices;

    VfioSysfs(SysfsAccess sysfs, DeviceNodeAccess devices) {
        this.sysfs = sysfs;
        this.devices = devices;
    }

    private static String dev(PciAddress device) {
        return "bus/pci/devices/" + device;
    }

    /**
     * The IOMMU group of a function bound to vfio-pci.
     *
     * @throws VfioException {@link VfioError#NOT_BOUND_TO_VFIO_PCI} when the function does not exist or is not on
     *     vfio-pci, {@link VfioError#NO_IOMMU} when it has no IOMMU group
     */
    int iommuGroup(PciAddress device) {
        String dir = dev(device);
        String op = "open VFIO device";
        if (!sysfs.exists(dir)) {
            throw VfioException.rejected(VfioError.NOT_BOUND_TO_VFIO_PCI, op, device, Errno.ENODEV,
                    "no such PCI function (" + sysfs.describe(dir) + ")");
        }
        Optional<String> driver = sysfs.linkName(dir + "/driver");
        if (driver.filter(VFIO_PCI::equals).isEmpty()) {
            throw VfioException.rejected(VfioError.NOT_BOUND_TO_VFIO_PCI, op, device, Errno.ENODEV,
                    driver.map(d -> "the function is bound to " + d).orElse("the function is bound to no driver")
                            + ", not vfio-pci: lease it (SriovHost.lease, managed) or detach it"
                            + " (SriovHost.detach, 'sriov4j detach') first");
        }
        Optional<String> group = sysfs.linkName(dir + "/iommu_group");
        if (group.isEmpty()) {
            throw VfioException.rejected(VfioError.NO_IOMMU, op, device, Errno.ENODEV,
                    "the function has no IOMMU group (is the IOMMU on?)");
        }
        try {
            return Integer.parseInt(group.get());
        } catch (NumberFormatException e) {
            throw VfioException.rejected(VfioError.NOT_BOUND_TO_VFIO_PCI, op, device, Errno.ENODEV,
                    "unexpected IOMMU group name '" + group.get() + "'");
        }
    }

    /**
     * The VFIO device cdev of a function ({@code vfioN}): the entry of {@code bus/pci/devices/BDF/vfio-dev/} that
     * has a {@code dev} attribute (a kernel without {@code CONFIG_VFIO_DEVICE_CDEV} makes the entry, but no node).
     *
     * @throws VfioException {@link VfioError#IOMMUFD_UNAVAILABLE} ({@code ENODEV}, before the kernel) when none
     */
    String deviceCdev(PciAddress device) {
        String dir = dev(device) + "/vfio-dev";
        if (sysfs.exists(dir)) {
            Optional<String> name = sysfs.list(dir).stream().filter(n -> n.startsWith("vfio"))
                    .filter(n -> sysfs.exists(dir + "/" + n + "/dev")).sorted().findFirst();
            if (name.isPresent()) {
                return name.get();
            }
        }
        throw VfioException.rejected(VfioError.IOMMUFD_UNAVAILABLE, "open VFIO device cdev", device, Errno.ENODEV,
                "no VFIO device cdev in " + sysfs.describe(dir)
                        + " (is the function on vfio-pci; is the kernel built with CONFIG_VFIO_DEVICE_CDEV?)");
    }

    /**
     * Why an IOMMU group is not viable, by the engine's rule ({@link GroupViability}, stub vfio-pci). The iommufd
     * path has no {@code VFIO_GROUP_GET_STATUS}; the kernel's bind would fail with {@code EPERM}.
     *
     * @return the offending devices and their drivers, or null when viable (or the group is not in sysfs)
     */
    @Nullable String viabilityProblem(int group) {
        Map<PciAddress, String> offenders = GroupViability.offenders(sysfs, group, null, VFIO_PCI);
        if (offenders.isEmpty()) {
            return null;
        }
        String dir = "kernel/iommu_groups/" + group + "/devices";
        return offenders.entrySet().stream().map(e -> e.getKey() + " is bound to " + e.getValue())
                .collect(Collectors.joining(", ")) + " (unbind it, or bind it to vfio-pci; see "
                + sysfs.describe(dir) + ")";
    }

    /** Whether {@code /dev/vfio/devices/} exists (the kernel offers VFIO device cdevs). */
    boolean cdevNodesPresent() {
        return devices.exists("vfio/devices");
    }
}
