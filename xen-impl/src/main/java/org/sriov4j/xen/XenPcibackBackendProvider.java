package org.sriov4j.xen;

import java.util.EnumSet;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.BackendProbe;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;

/**
 * The {@code xen-pciback} backend provider. Public only because {@link java.util.ServiceLoader} requires it; its
 * package is not exported. On a Xen control domain it takes precedence over {@code kvm-vfio}.
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

    @Override
    public Set<BackendFeature> features() {
        return EnumSet.of(BackendFeature.HOT_PLUG);
    }

    @Override
    public String stubDriver() {
        return "pciback";
    }

    @Override
    public BackendProbe probe(ProbeContext context) {
        String type;
        try {
            type = context.sysfs().exists("hypervisor/type") ? context.sysfs().read("hypervisor/type").trim() : "";
        } catch (SysfsIoException e) {
            type = "";
        }
        if (!type.equals("xen")) {
            return BackendProbe.unavailable("not running on Xen (/sys/hypervisor/type is "
                    + (type.isEmpty() ? "absent" : "\"" + type + "\"") + ")");
        }
        if (context.sysfs().exists("bus/pci/drivers/pciback") || context.sysfs().exists("module/xen_pciback")) {
            return BackendProbe.available("Xen hypervisor, pciback driver loaded");
        }
        return BackendProbe.unavailable("Xen hypervisor, but pciback is not loaded (run: modprobe xen-pciback)");
    }
}
