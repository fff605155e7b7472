package org.sriov4j.vfio.internal;

import java.util.EnumSet;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.spi.BackendProbe;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;

/**
 * The {@code kvm-vfio} backend provider. Public only because {@link java.util.ServiceLoader} requires it; its
 * package, {@code org.sriov4j.vfio.internal}, is not exported. The probe only looks: the vfio-pci driver or module
 * in sysfs, {@code /dev/vfio/vfio} or {@code /dev/iommu}; JNA is not loaded here.
 */
public final class KvmVfioBackendProvider implements HypervisorBackendProvider {

    /** The backend id. */
    public static final String ID = "kvm-vfio";
    /** iommufd's node under /dev (the VFIO package's {@code IommufdAbi.IOMMU_NODE}). */
    private static final String IOMMU_NODE = "iommu";

    /** Creates the provider; cheap, no side effects. */
    public KvmVfioBackendProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Set<BackendFeature> features() {
        // neither HOT_PLUG nor VF_NET_CONFIG is the backend's to claim: the engine adds HOT_PLUG when the VMM gives
        // its plug actuator (SriovConfig.Builder.plugActuator), and VF_NET_CONFIG where the routing netlink answers.
        // LIVE_MIGRATION_STATE_TRANSFER: VFIO migration v2 through AssignedDevice.migrationControl() for devices
        // whose driver offers it (a device profile's vfioMigration says whether a given device does)
        return EnumSet.of(BackendFeature.USER_SPACE_DMA_MAPPING, BackendFeature.LIVE_MIGRATION_STATE_TRANSFER);
    }

    @Override
    public String stubDriver() {
        return "vfio-pci";
    }

    @Override
    public BackendProbe probe(ProbeContext context) {
        boolean driver = context.sysfs().exists("bus/pci/drivers/vfio-pci");
        boolean module = context.sysfs().exists("module/vfio_pci");
        boolean container = context.devices().exists("vfio/vfio");
        boolean iommufd = context.devices().exists(IOMMU_NODE);
        String nodes = (container ? "/dev/vfio/vfio" : "") + (container && iommufd ? " and " : "")
                + (iommufd ? "/dev/iommu" : "");
        if (driver && (container || iommufd)) {
            return BackendProbe.available("vfio-pci driver loaded, " + nodes + " present");
        }
        if (driver || module) {
            return BackendProbe.available("vfio-pci loaded" + (container || iommufd ? ", " + nodes + " present"
                    : "; /dev/vfio/vfio not present yet"));
        }
        return BackendProbe.unavailable("vfio-pci driver not loaded (run: modprobe vfio-pci)");
    }
}
