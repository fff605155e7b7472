package org.sriov4j.vfio.internal;

import java.util.EnumSet;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.spi.BackendProbe;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;
import org.sriov4j.vfio.kernel.IommufdAbi;

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
    /** The VFIO device cdevs' directory under /dev (the VFIO package's {@code IommufdAbi.CDEV_DIR}). */
    private static final String CDEV_DIR = "vfio/devices";

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

    /**
     * {@link BackendFeature#USER_SPACE_DMA_MAPPING} (the VMM maps guest memory through
     * {@code IommuDomain.map}) and {@link BackendFeature#LIVE_MIGRATION_STATE_TRANSFER} (VFIO migration v2 through
     * {@code AssignedDevice.migrationControl()}, for devices whose driver offers it; a device profile's
     * {@code vfioMigration} says whether a given device does). Neither HOT_PLUG nor VF_NET_CONFIG is the backend's to
     * claim: the engine adds HOT_PLUG when the VMM gives its plug actuator, and VF_NET_CONFIG where the routing
     * netlink answers.
     *
     * @return the features every kvm-vfio host has
     */
    @Override
    public Set<BackendFeature> features() {
        return EnumSet.of(BackendFeature.USER_SPACE_DMA_MAPPING, BackendFeature.LIVE_MIGRATION_STATE_TRANSFER);
    }

    /**
     * {@link #features()}, plus {@link BackendFeature#IOMMUFD} exactly when {@code VfioSystem.newDomain()} would use
     * it on this host: {@code /dev/iommu} and {@code /dev/vfio/devices/} both exist.
     *
     * @param context what may be looked at
     * @return the features
     */
    @Override
    public Set<BackendFeature> features(ProbeContext context) {
        EnumSet<BackendFeature> f = EnumSet.copyOf(features());
        if (context.devices().exists(IOMMU_NODE) && context.devices().exists(CDEV_DIR)) {
            f.add(BackendFeature.IOMMUFD);
        }
        return f;
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
