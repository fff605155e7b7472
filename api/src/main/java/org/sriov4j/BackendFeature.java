package org.sriov4j;

/** Optional capabilities a hypervisor backend may offer. */
public enum BackendFeature {
    /** Guest memory is mapped into the IOMMU by user space (VFIO); absent when the hypervisor owns the IOMMU (Xen). */
    USER_SPACE_DMA_MAPPING,
    /** Devices can be attached to and detached from a running guest. */
    HOT_PLUG,
    /** Device state can be transferred in a live migration (VFIO migration v2). */
    LIVE_MIGRATION_STATE_TRANSFER,
    /** VF network configuration (MAC, VLAN, spoof checking, trust) can be set through the PF. */
    VF_NET_CONFIG,
    /** The iommufd / VFIO cdev interface is used. */
    IOMMUFD
}
