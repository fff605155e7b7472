package org.sriov4j.vfio;

/**
 * The kernel interface an {@link IommuDomain} drives the IOMMU through.
 *
 * <p>{@link VfioSystem#newDomain()} picks {@link #IOMMUFD} when the kernel offers it (the {@code /dev/iommu} node
 * opens and device cdevs exist under {@code /dev/vfio/devices/}) and {@link #LEGACY_CONTAINER} otherwise;
 * {@link VfioSystem#newDomain(IommuApi)} asks for one. Both give the same {@link IommuDomain} behaviour: the same
 * validation, mapping table, device handles and errors ({@link VfioError}).
 */
public enum IommuApi {
    /**
     * The VFIO container and group interface: {@code /dev/vfio/vfio} with the type1v2 IOMMU, one
     * {@code /dev/vfio/N} per IOMMU group, device descriptors from {@code VFIO_GROUP_GET_DEVICE_FD}. Every kernel
     * with VFIO has it ({@code CONFIG_VFIO_CONTAINER}, {@code CONFIG_VFIO_GROUP}).
     */
    LEGACY_CONTAINER,
    /**
     * iommufd with VFIO device cdevs (Linux 6.6+ with {@code CONFIG_IOMMUFD} and {@code CONFIG_VFIO_DEVICE_CDEV}):
     * {@code /dev/iommu} holds one IO address space (IOAS) per domain; each device is opened through
     * {@code /dev/vfio/devices/vfioN}, bound to the iommufd ({@code VFIO_DEVICE_BIND_IOMMUFD}) and attached to the
     * IOAS ({@code VFIO_DEVICE_ATTACH_IOMMUFD_PT}); mappings use {@code IOMMU_IOAS_MAP}/{@code IOMMU_IOAS_UNMAP}.
     * Debian 12's 6.12 kernel is built without it.
     */
    IOMMUFD
}
