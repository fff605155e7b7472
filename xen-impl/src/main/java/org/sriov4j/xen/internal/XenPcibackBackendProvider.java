package org.sriov4j.xen.internal;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.AssignmentSteps;
import org.sriov4j.spi.BackendContext;
import org.sriov4j.spi.BackendProbe;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;

/**
 * The {@code xen-pciback} backend provider. Public only because {@link java.util.ServiceLoader} requires it. On a
 * Xen control domain it takes precedence over {@code kvm-vfio} (priority 200).
 *
 * <p>Available when the process runs in a Xen control domain ({@code /proc/xen/capabilities} says
 * {@code control_d}, or {@code /sys/hypervisor/type} is {@code xen}) and pciback is loaded (or its module is
 * installed, so that {@code modprobe xen-pciback} would load it). The probe only reads.
 *
 * <p>Features: {@link BackendFeature#HOT_PLUG} ({@code xl pci-attach}/{@code pci-detach}); no
 * {@link BackendFeature#USER_SPACE_DMA_MAPPING} (Xen owns the IOMMU: guest memory is never mapped from user space)
 * and no {@link BackendFeature#LIVE_MIGRATION_STATE_TRANSFER} (Xen cannot transfer a passed-through device's
 * state: a migration unplugs it before and re-plugs one after).
 */
public final class XenPcibackBackendProvider implements HypervisorBackendProvider {

    /** The backend id. */
    public static final String ID = "xen-pciback";

    /** Creates the provider; cheap, no side effects. */
    public XenPcibackBackendProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 200;
    }

    /**
     * {@link BackendFeature#HOT_PLUG} only: {@code xl pci-attach}/{@code pci-detach} through the backend's own steps.
     * Xen owns the IOMMU (no {@link BackendFeature#USER_SPACE_DMA_MAPPING}, no {@link BackendFeature#IOMMUFD}) and
     * pciback has no migration driver (no {@link BackendFeature#LIVE_MIGRATION_STATE_TRANSFER}).
     *
     * @return the features
     */
    @Override
    public Set<BackendFeature> features() {
        return EnumSet.of(BackendFeature.HOT_PLUG);
    }

    @Override
    public String stubDriver() {
        return PcibackSteps.STUB;
    }

    @Override
    public BackendProbe probe(ProbeContext context) {
        String caps = context.commands().readFile("/proc/xen/capabilities").orElse("");
        boolean controlDomain = caps.contains("control_d");
        String type;
        try {
            type = context.sysfs().exists("hypervisor/type") ? context.sysfs().read("hypervisor/type").trim() : "";
        } catch (SysfsIoException e) {
            type = "";
        }
        if (!controlDomain && !type.equals("xen")) {
            return BackendProbe.unavailable("not in a Xen control domain (/proc/xen/capabilities "
                    + (caps.isEmpty() ? "absent" : "without control_d") + ", /sys/hypervisor/type "
                    + (type.isEmpty() ? "absent" : "is \"" + type + "\"") + ")");
        }
        String where = controlDomain ? "Xen control domain" : "Xen hypervisor";
        if (context.sysfs().exists("bus/pci/drivers/pciback")) {
            return BackendProbe.available(where + ", pciback driver loaded");
        }
        if (context.sysfs().exists("module/xen_pciback") || moduleInstalled(context)) {
            return BackendProbe.available(where + ", xen-pciback installed but not loaded (modprobe xen-pciback "
                    + "before detaching)");
        }
        return BackendProbe.unavailable(where + ", but pciback is neither loaded nor installed");
    }

    /** Whether {@code modules.dep} of the running kernel lists xen-pciback. */
    private static boolean moduleInstalled(ProbeContext context) {
        Optional<String> release = context.commands().readFile("/proc/sys/kernel/osrelease").map(String::strip);
        if (release.isEmpty() || !release.get().matches("[A-Za-z0-9._+~-]{1,128}")) {
            return false;
        }
        return context.commands().readFile("/lib/modules/" + release.get() + "/modules.dep")
                .map(dep -> dep.contains("/xen-pciback.ko")).orElse(false);
    }

    @Override
    public Optional<AssignmentSteps> assignmentSteps(BackendContext context) {
        return Optional.of(new PcibackSteps(context.config(), context.sysfs(), new XlToolstack(context.commands())));
    }
}
