package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.IommufdAbi;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * {@link IommuApi#IOMMUFD}: one iommufd with one IOAS per domain. Each device is opened through its cdev
 * ({@code /dev/vfio/devices/vfioN}, found in sysfs), bound to the iommufd and attached to the IOAS; the IOVA ranges
 * and alignment are re-read after every attach and detach (a device's reserved regions narrow them).
 *
 * <p>Kernel rules (Linux 6.12, drivers/vfio/device_cdev.c, drivers/iommu/iommufd/): a second bind of a device that
 * is already open anywhere fails with {@code EINVAL}; a bind while the device's group is open through
 * {@code /dev/vfio/N} fails with {@code EBUSY}; a bind into a group whose DMA is owned by someone else (a host
 * driver, or another iommufd) fails with {@code EPERM}; an attach that would put an existing mapping inside a
 * reserved region of the device fails with {@code EADDRINUSE}. Closing the device descriptor detaches and unbinds.
 */
final class IommufdBacking implements DomainBacking {
    private final IommufdFd iommufd;
    private final int ioas;
    private final VfioSysfs system;
    private final String devRoot;
    private final Map<PciAddress, Integer> devices = new LinkedHashMap<>();
    private ContainerFd.@Nullable IommuInfo info;

    private IommufdBacking(IommufdFd iommufd, int ioas, VfioSysfs system, String devRoot) {
        this.iommufd = iommufd;
        this.ioas = ioas;
        this.system = system;
        this.devRoot = devRoot;
    }

    /**
     * Allocates the domain's IOAS on an open iommufd (closed again on failure).
     *
     * @param iommufd the iommufd
     * @param system for sysfs lookups
     * @param devRoot the device directory
     * @return the backing
     */
    static IommufdBacking create(IommufdFd iommufd, VfioSysfs system, String devRoot) {
        try {
            return new IommufdBacking(iommufd, iommufd.allocIoas(), system, devRoot);
        } catch (RuntimeException e) {
            try {
                iommufd.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    int ioas() {
        return ioas;
    }

    @Override
    public IommuApi api() {
        return IommuApi.IOMMUFD;
    }

    @Override
    public String path() {
        return iommufd.path();
    }

    @Override
    public DeviceFd open(PciAddress device, int iommuGroup) {
        String op = "open VFIO device cdev";
        String problem = system.viabilityProblem(iommuGroup);
        if (problem != null) {
            throw VfioException.rejected(VfioError.GROUP_NOT_VIABLE, "attach IOMMU group " + iommuGroup, device,
                    Errno.EPERM,
                    "the group is not viable: " + problem);
        }
        String path = devRoot + IommufdAbi.CDEV_DIR + system.deviceCdev(device);
        LinuxSyscalls sys = iommufd.sys();
        int fd = sys.open(path, LinuxSyscalls.O_RDWR | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0) {
            throw VfioException.kernel(op, device, path, fd, "");
        }
        try {
            ByteBuffer bind = VfioAbi.struct(IommufdAbi.BindIommufd.SIZE);
            bind.putInt(IommufdAbi.BindIommufd.IOMMUFD, iommufd.fd());
            int r = sys.ioctl(fd, IommufdAbi.DEVICE_BIND_IOMMUFD, bind);
            if (r < 0) {
                throw VfioException.kernel(bindKind(r), "VFIO_DEVICE_BIND_IOMMUFD", device, path, r,
                        bindHint(r, iommuGroup));
            }
            ByteBuffer attach = VfioAbi.struct(IommufdAbi.AttachPt.SIZE);
            attach.putInt(IommufdAbi.AttachPt.PT_ID, ioas);
            r = sys.ioctl(fd, IommufdAbi.DEVICE_ATTACH_IOMMUFD_PT, attach);
            if (r < 0) {
                throw VfioException.kernel("VFIO_DEVICE_ATTACH_IOMMUFD_PT", device, path, r,
                        r == -Errno.EADDRINUSE.number() ? "a mapping of this domain lies in a reserved region of"
                                + " the device (e.g. the MSI window): unmap it before attaching" : "IOAS " + ioas);
            }
            info = iommufd.iovaRanges(ioas);
        } catch (RuntimeException e) {
            int c = sys.close(fd); // unbinds and detaches
            if (c < 0) {
                e.addSuppressed(VfioException.kernel("close", device, path, c, ""));
            }
            throw e;
        }
        devices.put(device, iommuGroup);
        return DeviceFd.cdev(sys, iommuGroup, path, device, fd, () -> closed(device));
    }

    /** The bind's refusals that have a kind: EINVAL (already bound elsewhere) and EBUSY (legacy group open). */
    private static VfioError bindKind(int r) {
        if (r == -Errno.EINVAL.number()) {
            return VfioError.DEVICE_ALREADY_BOUND;
        }
        return r == -Errno.EBUSY.number() ? VfioError.GROUP_ALREADY_OPEN : VfioError.SYSTEM_CALL_FAILED;
    }

    private static String bindHint(int r, int group) {
        if (r == -Errno.EINVAL.number()) {
            return "the device is already open through another descriptor (another domain or process)";
        }
        if (r == -Errno.EBUSY.number()) {
            return "IOMMU group " + group + " is open through the legacy /dev/vfio/" + group + " interface";
        }
        if (r == -Errno.EPERM.number()) {
            return "the DMA of IOMMU group " + group + " is owned by someone else (a host driver, or another"
                    + " iommufd: another domain or process has a device of the group)";
        }
        return "";
    }

    private void closed(PciAddress device) {
        devices.remove(device);
        if (!iommufd.isClosed()) {
            try {
                info = iommufd.iovaRanges(ioas); // detaching can widen the ranges; the mappings stay
            } catch (RuntimeException e) {
                // keep the last ranges: the next attach re-reads them
            }
        }
    }

    @Override
    public ContainerFd.@Nullable IommuInfo info() {
        return info;
    }

    @Override
    public void map(long iova, long hostAddress, long length, boolean read, boolean write) {
        iommufd.map(ioas, iova, hostAddress, length,
                (read ? IommufdAbi.MAP_READABLE : 0) | (write ? IommufdAbi.MAP_WRITEABLE : 0));
    }

    @Override
    public long unmap(long iova, long length) {
        return iommufd.unmap(ioas, iova, length);
    }

    @Override
    public List<Integer> groups() {
        List<Integer> g = new ArrayList<>();
        for (Integer n : devices.values()) {
            if (!g.contains(n)) {
                g.add(n);
            }
        }
        return List.copyOf(g);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        if (devices.isEmpty()) {
            try {
                iommufd.destroy(ioas);
            } catch (RuntimeException e) {
                first = e;
            }
        }
        try {
            iommufd.close();
        } catch (RuntimeException e) {
            first = IommuDomain.add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }
}
