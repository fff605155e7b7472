/**
 * The Xen pciback backend: {@link org.sriov4j.xen.XenPcibackBackendProvider} (public for
 * {@link java.util.ServiceLoader}) and {@link org.sriov4j.xen.XenToolstackException}, whose
 * {@link org.sriov4j.xen.XenToolstackException#kind() kind} says why {@code xl} refused (no such domain,
 * passthrough not enabled, no IOMMU, already assigned), and {@link org.sriov4j.xen.XenIommuDomain}, which reports that
 * Xen owns the IOMMU and refuses user-space mapping. Everything else is package-private.
 */
@NullMarked
package org.sriov4j.xen;

import org.jspecify.annotations.NullMarked;
