package org.sriov4j.vfio;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * {@link IommuApi#LEGACY_CONTAINER}: one type1v2 container; groups are opened (once each), checked viable,
 * attached as devices arrive, and the IOMMU type is set with the first group.
 */
final class Type1Backing implements DomainBacking {
    private final ContainerFd container;
    private final String devRoot;
    private final Map<Integer, GroupFd> groups = new LinkedHashMap<>();
    private ContainerFd.@Nullable IommuInfo info;

    private Type1Backing(ContainerFd container, String devRoot) {
        this.container = container;
        this.devRoot = devRoot;
    }

    /**
     * Opens a container and checks the API version (0) and that the kernel offers type1v2.
     *
     * @param sys system calls
     * @param devRoot the device directory
     * @return the backing
     */
    static Type1Backing open(LinuxSyscalls sys, String devRoot) {
        ContainerFd c = ContainerFd.open(sys, devRoot);
        try {
            int version = c.apiVersion();
            if (version != VfioAbi.API_VERSION) {
                throw VfioException.rejected(VfioError.NOT_SUPPORTED, "open VFIO container", null, Errno.EINVAL,
                        "unknown VFIO API version " + version + " (expected 0)");
            }
            if (!c.checkExtension(VfioAbi.TYPE1V2_IOMMU)) {
                throw VfioException.rejected(VfioError.NO_IOMMU, "open VFIO container", null, Errno.ENODEV,
                        "the kernel offers no type1v2 IOMMU (is vfio_iommu_type1 loaded, is the IOMMU on?)");
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return new Type1Backing(c, devRoot);
    }

    ContainerFd container() {
        return container;
    }

    @Override
    public IommuApi api() {
        return IommuApi.LEGACY_CONTAINER;
    }

    @Override
    public String path() {
        return container.path();
    }

    @Override
    public DeviceFd open(PciAddress device, int iommuGroup) {
        GroupFd group = groups.get(iommuGroup);
        boolean fresh = group == null;
        if (group == null) {
            group = GroupFd.open(container.sys(), devRoot, iommuGroup);
            try {
                if (!group.viable()) {
                    throw VfioException.rejected(VfioError.GROUP_NOT_VIABLE, "attach IOMMU group " + iommuGroup, device,
                            Errno.EPERM,
                            "the group is not viable: another device in it is bound to a host driver"
                                    + " (see /sys/kernel/iommu_groups/" + iommuGroup + "/devices)");
                }
                group.setContainer(container);
                if (!container.iommuSet()) {
                    container.setIommu(VfioAbi.TYPE1V2_IOMMU);
                }
                info = container.iommuInfo();
            } catch (RuntimeException e) {
                closeQuietly(group, e);
                throw e;
            }
            groups.put(iommuGroup, group);
        }
        try {
            return group.device(device);
        } catch (RuntimeException e) {
            if (fresh) {
                groups.remove(iommuGroup);
                closeQuietly(group, e);
            }
            throw e;
        }
    }

    private static void closeQuietly(GroupFd group, RuntimeException cause) {
        try {
            group.close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public ContainerFd.@Nullable IommuInfo info() {
        return info;
    }

    @Override
    public void map(long iova, long hostAddress, long length, boolean read, boolean write) {
        container.mapDma(iova, hostAddress, length,
                (read ? VfioAbi.DMA_MAP_FLAG_READ : 0) | (write ? VfioAbi.DMA_MAP_FLAG_WRITE : 0));
    }

    @Override
    public long unmap(long iova, long length) {
        return container.unmapDma(iova, length);
    }

    @Override
    public List<Integer> groups() {
        return List.copyOf(groups.keySet());
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (GroupFd g : groups.values()) {
            try {
                g.close();
            } catch (RuntimeException e) {
                first = IommuDomain.add(first, e);
            }
        }
        groups.clear();
        try {
            container.close();
        } catch (RuntimeException e) {
            first = IommuDomain.add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }
}
