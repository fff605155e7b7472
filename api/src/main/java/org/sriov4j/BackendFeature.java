package org.sriov4j;

/**
 * Optional capabilities a hypervisor backend may offer on a host ({@link SriovHost#backendFeatures()}). Each is a
 * fact about what the code does there, not an intention.
 */
public enum BackendFeature {
    /** Guest memory is mapped into the IOMMU by user space (VFIO); absent when the hypervisor owns the IOMMU (Xen). */
    USER_SPACE_DMA_MAPPING,
    /**
     * Devices can be attached to and detached from a running guest ({@link Lease#attachToGuest(String)}): Xen's
     * {@code xl pci-attach}, or kvm-vfio with the VMM's {@link GuestPlugActuator}.
     */
    HOT_PLUG,
    /**
     * Device state can be transferred in a live migration (VFIO migration v2), for devices whose driver offers it (a
     * {@link org.sriov4j.migration.DeviceProfile} says whether a given device does).
     */
    LIVE_MIGRATION_STATE_TRANSFER,
    /** VF network configuration (MAC, VLAN, spoof checking, trust) can be set through the PF. */
    VF_NET_CONFIG,
    /**
     * The kernel offers iommufd and VFIO device cdevs ({@code /dev/iommu}, {@code /dev/vfio/devices/}), and the
     * kvm-vfio backend's VFIO domains use them (else the type1v2 container).
     */
    IOMMUFD
}
