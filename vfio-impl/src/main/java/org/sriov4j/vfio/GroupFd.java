package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * An open VFIO group ({@code /dev/vfio/N}). The kernel lets only one open descriptor exist per group ({@code EBUSY}
 * for a second).
 *
 * <p>Close order: {@link #unsetContainer()} and {@link #close()} refuse while a device of the group is open
 * ({@link IllegalStateException}); closing a group still attached to a container first unsets it.
 */
final class GroupFd extends KernelFd {
    private final int number;
    private final Set<DeviceFd> devices = new LinkedHashSet<>();
    private @Nullable ContainerFd container;

    private GroupFd(LinuxSyscalls sys, int number, String path, int fd) {
        super(sys, path, fd, "group " + path);
        this.number = number;
    }

    static GroupFd open(LinuxSyscalls sys, String devRoot, int number) {
        if (number < 0) {
            throw new IllegalArgumentException("IOMMU group number must be >= 0: " + number);
        }
        String path = devRoot + "vfio/" + number;
        int fd = sys.open(path, LinuxSyscalls.O_RDWR | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0) {
            throw VfioException.kernel(fd == -16 ? VfioError.GROUP_ALREADY_OPEN : VfioError.SYSTEM_CALL_FAILED,
                    "open VFIO group " + number, null, path, fd,
                    fd == -16 ? "the group is open elsewhere (another process or domain holds it)"
                            : fd == -2 ? "no device of the group is bound to vfio-pci" : "");
        }
        return new GroupFd(sys, number, path, fd);
    }

    int number() {
        return number;
    }

    /** Group status flags ({@code VFIO_GROUP_FLAGS_*}). */
    int status() {
        checkOpen();
        ByteBuffer b = VfioAbi.struct(VfioAbi.GroupStatus.SIZE);
        int r = sys.ioctl(fd, VfioAbi.GROUP_GET_STATUS, b);
        if (r < 0) {
            throw VfioException.kernel("VFIO_GROUP_GET_STATUS", null, path, r, "");
        }
        return b.getInt(VfioAbi.GroupStatus.FLAGS);
    }

    boolean viable() {
        return (status() & VfioAbi.GROUP_FLAGS_VIABLE) != 0;
    }

    void setContainer(ContainerFd c) {
        checkOpen();
        ByteBuffer b = VfioAbi.struct(4);
        b.putInt(0, c.fd());
        int r = sys.ioctl(fd, VfioAbi.GROUP_SET_CONTAINER, b);
        if (r < 0) {
            throw VfioException.kernel("VFIO_GROUP_SET_CONTAINER", null, path, r,
                    r == -1 ? "the group is not viable: a device in it is bound to a host driver" : "");
        }
        container = c;
        c.attached(this);
    }

    @Nullable ContainerFd container() {
        return container;
    }

    void unsetContainer() {
        checkOpen();
        if (!devices.isEmpty()) {
            throw new IllegalStateException("group " + path + " has " + devices.size()
                    + " open device(s); close them before detaching the group from its container");
        }
        ContainerFd c = container;
        int r = sys.ioctl(fd, VfioAbi.GROUP_UNSET_CONTAINER, 0);
        if (r == -22 && c != null && detachedByKernel()) {
            r = 0; // its last device left vfio-pci (e.g. after a REQ notification): the kernel detached it already
        }
        if (r < 0) {
            throw VfioException.kernel("VFIO_GROUP_UNSET_CONTAINER", null, path, r, "");
        }
        container = null;
        if (c != null) {
            c.detached(this);
        }
    }

    /**
     * Whether the kernel has detached the group from its container on its own: when the last device of a group is
     * unbound from vfio-pci while the group is open (vfio_device_remove_group, seen on 6.12 after an unbind that a REQ
     * notification released), the group loses its container (UNSET_CONTAINER: EINVAL) and its IOMMU group
     * (GET_STATUS: ENODEV).
     */
    private boolean detachedByKernel() {
        ByteBuffer b = VfioAbi.struct(VfioAbi.GroupStatus.SIZE);
        int r = sys.ioctl(fd, VfioAbi.GROUP_GET_STATUS, b);
        return r == -19 || (r == 0 && (b.getInt(VfioAbi.GroupStatus.FLAGS) & VfioAbi.GROUP_FLAGS_CONTAINER_SET) == 0);
    }

    DeviceFd device(PciAddress address) {
        checkOpen();
        ByteBuffer name = VfioAbi.cString(address.toString());
        int r = sys.ioctl(fd, VfioAbi.GROUP_GET_DEVICE_FD, name);
        if (r < 0) {
            throw VfioException.kernel("VFIO_GROUP_GET_DEVICE_FD", address, path, r,
                    r == -19 ? "the device is not in group " + number : "");
        }
        DeviceFd d = new DeviceFd(sys, this, address, r);
        devices.add(d);
        return d;
    }

    void deviceClosed(DeviceFd d) {
        devices.remove(d);
    }

    Set<DeviceFd> devices() {
        return Set.copyOf(devices);
    }

    /**
     * Closes the group, unsetting its container first if it is still set.
     *
     * @throws IllegalStateException while a device of the group is open
     */
    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        if (!devices.isEmpty()) {
            throw new IllegalStateException("group " + path + " has " + devices.size()
                    + " open device(s); close them first");
        }
        if (container != null) {
            unsetContainer();
        }
        closeDescriptor(null);
    }
}
