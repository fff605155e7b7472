package org.sriov4j;

import org.jspecify.annotations.Nullable;

/**
 * A function cannot be handed to a guest because the host has no IOMMU to confine its DMA (no IOMMU group in sysfs,
 * or, under Xen, no {@code pv_directio} in the hypervisor's capabilities): a guest could read and write all host
 * memory through it. Nothing was changed. Enable the IOMMU ({@code intel_iommu=on}, {@code amd_iommu=on}, VT-d or
 * AMD-Vi for Xen), or accept the risk with {@link SriovConfig.Builder#allowUnsafeAssignmentWithoutIommu()}.
 *
 * <p>Catch this type (or test for it) instead of reading the message:
 * <pre>{@code
 * try {
 *     host.lease(vf, "vm1");
 * } catch (NoIommuException e) {
 *     ... this host cannot assign devices safely ...
 * }
 * }</pre>
 */
public final class NoIommuException extends SriovException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param operation what was being done, e.g. {@code "detach"}
     * @param device the function asked for
     * @param errno the error the kernel or hypervisor gives for it, if any ({@code ENODEV} under Xen)
     * @param path the file that shows it, e.g. the function's missing {@code iommu_group} link, if any
     * @param detail what is missing and how to fix it or accept the risk
     */
    public NoIommuException(String operation, PciAddress device, @Nullable Errno errno, @Nullable String path,
            String detail) {
        super(operation, device, errno, path, detail, null);
    }
}
