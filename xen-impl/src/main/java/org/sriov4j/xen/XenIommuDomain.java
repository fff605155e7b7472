package org.sriov4j.xen;

import java.util.List;
import java.util.Objects;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/**
 * The IOMMU as the Xen backend sees it: Xen owns the IOMMU tables and maps a domain's memory for the devices
 * attached to it ({@link Lease#attachToGuest(String)}); nothing is mapped from user space in dom0. The counterpart
 * of the kvm-vfio backend's {@code org.sriov4j.vfio.IommuDomain}, whose {@code map}/{@code unmap} a VMM calls; here
 * they refuse with {@link Errno#EOPNOTSUPP} and say why, so code written for VFIO fails clearly on Xen. Check
 * {@code SriovHost.backendFeatures()} for {@link org.sriov4j.BackendFeature#USER_SPACE_DMA_MAPPING} to avoid the
 * call altogether.
 *
 * <pre>{@code
 * XenIommuDomain iommu = XenIommuDomain.of(lease);
 * assert iommu.hypervisorManaged();
 * }</pre>
 */
public final class XenIommuDomain {

    private final PciAddress device;

    private XenIommuDomain(PciAddress device) {
        this.device = device;
    }

    /**
     * The IOMMU domain of a leased function.
     *
     * @param lease the lease
     * @return its domain
     */
    public static XenIommuDomain of(Lease lease) {
        return new XenIommuDomain(Objects.requireNonNull(lease, "lease").device());
    }

    /**
     * Whether the hypervisor manages the mappings. Always true on Xen.
     *
     * @return true
     */
    public boolean hypervisorManaged() {
        return true;
    }

    /**
     * The functions of this domain.
     *
     * @return the leased function
     */
    public List<PciAddress> devices() {
        return List.of(device);
    }

    /**
     * Refused: Xen maps guest memory itself.
     *
     * @param iova the guest I/O virtual address
     * @param hostAddress the host virtual address
     * @param length the length
     * @return never
     * @throws SriovException always, {@link Errno#EOPNOTSUPP}
     */
    public long map(long iova, long hostAddress, long length) {
        throw refused("map");
    }

    /**
     * Refused: Xen unmaps guest memory itself.
     *
     * @param iova the guest I/O virtual address
     * @param length the length
     * @return never
     * @throws SriovException always, {@link Errno#EOPNOTSUPP}
     */
    public long unmap(long iova, long length) {
        throw refused("unmap");
    }

    private SriovException refused(String operation) {
        return new SriovException("IOMMU " + operation, device, Errno.EOPNOTSUPP, null, "Xen owns the IOMMU: it "
                + "maps the guest's memory for the device when the device is attached to the domain (xl pci-attach, "
                + "Lease.attachToGuest); there is no user-space DMA mapping with the xen-pciback backend", null);
    }
}
