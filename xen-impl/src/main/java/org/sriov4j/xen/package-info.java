/**
 * The Xen pciback backend's public type: {@link org.sriov4j.xen.XenToolstackException}, whose
 * {@link org.sriov4j.xen.XenToolstackException#kind() kind} says why {@code xl} refused (no such domain,
 * passthrough not enabled, no IOMMU, already assigned, not attached, timeout). Everything else (the
 * {@code xen-pciback} provider, the pciback steps, the {@code xl} toolstack) is in a package that is not exported.
 * Xen owns the IOMMU: there is no user-space DMA mapping with this backend, and
 * {@link org.sriov4j.SriovHost#backendFeatures()} says so (no
 * {@link org.sriov4j.BackendFeature#USER_SPACE_DMA_MAPPING}).
 */
@NullMarked
package org.sriov4j.xen;

import org.jspecify.annotations.NullMarked;
