package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * An open VFIO device descriptor: from {@code VFIO_GROUP_GET_DEVICE_FD} (legacy group path) or an opened and bound
 * device cdev ({@code /dev/vfio/devices/vfioN}, iommufd path). Closing it tells its owner (the group, or the iommufd
 * domain), so the group can be detached and closed afterwards.
 */
final class DeviceFd extends KernelFd {
    private final @Nullable GroupFd group;
    private final int iommuGroup;
    private final PciAddress address;
    private final @Nullable Runnable onClose;

    DeviceFd(LinuxSyscalls sys, GroupFd group, PciAddress address, int fd) {
        this(sys, group, group.number(), group.path(), address, fd, null);
    }

    /**
     * A device descriptor opened through its cdev.
     *
     * @param sys system calls
     * @param iommuGroup the device's IOMMU group number (from sysfs)
     * @param path the cdev path, for messages
     * @param address the device
     * @param fd the bound cdev descriptor
     * @param onClose called once when the descriptor is closed
     */
    static DeviceFd cdev(LinuxSyscalls sys, int iommuGroup, String path, PciAddress address, int fd,
            Runnable onClose) {
        return new DeviceFd(sys, null, iommuGroup, path, address, fd, onClose);
    }

    private DeviceFd(LinuxSyscalls sys, @Nullable GroupFd group, int iommuGroup, String path, PciAddress address,
            int fd, @Nullable Runnable onClose) {
        super(sys, path, fd, "device " + address);
        this.group = group;
        this.iommuGroup = iommuGroup;
        this.address = address;
        this.onClose = onClose;
    }

    PciAddress address() {
        return address;
    }

    /** The IOMMU group number. */
    int iommuGroup() {
        return iommuGroup;
    }

    private VfioException fail(String op, long r, String detail) {
        return VfioException.kernel(op, address, path, r, detail);
    }

    DeviceInfo info() {
        checkOpen();
        ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceInfo.SIZE);
        int r = sys.ioctl(fd, VfioAbi.DEVICE_GET_INFO, b);
        if (r < 0) {
            throw fail("VFIO_DEVICE_GET_INFO", r, "");
        }
        return new DeviceInfo(b.getInt(VfioAbi.DeviceInfo.FLAGS), b.getInt(VfioAbi.DeviceInfo.NUM_REGIONS),
                b.getInt(VfioAbi.DeviceInfo.NUM_IRQS));
    }

    RegionInfo regionInfo(int index) {
        checkOpen();
        int size = VfioAbi.RegionInfo.SIZE;
        for (int attempt = 0; attempt < 4; attempt++) {
            ByteBuffer b = VfioAbi.struct(size);
            b.putInt(VfioAbi.RegionInfo.INDEX, index);
            int r = sys.ioctl(fd, VfioAbi.DEVICE_GET_REGION_INFO, b);
            if (r < 0) {
                throw fail("VFIO_DEVICE_GET_REGION_INFO", r, "region " + index);
            }
            int flags = b.getInt(VfioAbi.RegionInfo.FLAGS);
            long argsz = VfioAbi.u32(b, VfioAbi.RegionInfo.ARGSZ);
            if ((flags & VfioAbi.REGION_INFO_FLAG_CAPS) != 0 && argsz > size) {
                size = (int) argsz;
                continue;
            }
            List<RegionInfo.Area> areas = new ArrayList<>();
            if ((flags & VfioAbi.REGION_INFO_FLAG_CAPS) != 0) {
                int cap = b.getInt(VfioAbi.RegionInfo.CAP_OFFSET);
                int guard = 0;
                while (cap != 0 && cap + VfioAbi.CapHeader.SIZE <= size && guard++ < 64) {
                    int id = Short.toUnsignedInt(b.getShort(cap + VfioAbi.CapHeader.ID));
                    if (id == VfioAbi.REGION_INFO_CAP_SPARSE_MMAP) {
                        int n = b.getInt(cap + VfioAbi.SparseMmap.NR_AREAS);
                        for (int i = 0; i < n; i++) {
                            int at = cap + VfioAbi.SparseMmap.AREAS + i * VfioAbi.SparseMmap.AREA_SIZE;
                            areas.add(new RegionInfo.Area(b.getLong(at), b.getLong(at + 8)));
                        }
                    }
                    cap = b.getInt(cap + VfioAbi.CapHeader.NEXT);
                }
            }
            return new RegionInfo(index, flags, b.getLong(VfioAbi.RegionInfo.REGION_SIZE),
                    b.getLong(VfioAbi.RegionInfo.OFFSET), areas);
        }
        throw fail("VFIO_DEVICE_GET_REGION_INFO", 0, "capability chain size kept growing");
    }

    IrqInfo irqInfo(int index) {
        checkOpen();
        ByteBuffer b = VfioAbi.struct(VfioAbi.IrqInfo.SIZE);
        b.putInt(VfioAbi.IrqInfo.INDEX, index);
        int r = sys.ioctl(fd, VfioAbi.DEVICE_GET_IRQ_INFO, b);
        if (r < 0) {
            throw fail("VFIO_DEVICE_GET_IRQ_INFO", r, "index " + index);
        }
        return new IrqInfo(b.getInt(VfioAbi.IrqInfo.INDEX), b.getInt(VfioAbi.IrqInfo.FLAGS),
                b.getInt(VfioAbi.IrqInfo.COUNT));
    }

    /**
     * {@code VFIO_DEVICE_SET_IRQS}.
     *
     * @param flags data type | action
     * @param index IRQ index
     * @param start first vector
     * @param count number of vectors
     * @param eventfds eventfds (with DATA_EVENTFD), else null
     * @param bools booleans (with DATA_BOOL), else null
     */
    void setIrqs(String what, int flags, int index, int start, int count, int @Nullable [] eventfds,
            boolean @Nullable [] bools) {
        checkOpen();
        int dataSize = eventfds != null ? 4 * eventfds.length : bools != null ? bools.length : 0;
        ByteBuffer b = VfioAbi.struct(VfioAbi.IrqSet.SIZE + dataSize);
        b.putInt(VfioAbi.IrqSet.FLAGS, flags);
        b.putInt(VfioAbi.IrqSet.INDEX, index);
        b.putInt(VfioAbi.IrqSet.START, start);
        b.putInt(VfioAbi.IrqSet.COUNT, count);
        if (eventfds != null) {
            for (int i = 0; i < eventfds.length; i++) {
                b.putInt(VfioAbi.IrqSet.DATA + 4 * i, eventfds[i]);
            }
        } else if (bools != null) {
            for (int i = 0; i < bools.length; i++) {
                b.put(VfioAbi.IrqSet.DATA + i, (byte) (bools[i] ? 1 : 0));
            }
        }
        int r = sys.ioctl(fd, VfioAbi.DEVICE_SET_IRQS, b);
        if (r < 0) {
            throw fail("VFIO_DEVICE_SET_IRQS", r, what + " index " + index + " start " + start + " count " + count);
        }
    }

    void reset() {
        checkOpen();
        int r = sys.ioctl(fd, VfioAbi.DEVICE_RESET, 0);
        if (r < 0) {
            throw fail("VFIO_DEVICE_RESET", r, "");
        }
    }

    MigrationSupport migration() {
        checkOpen();
        ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceFeature.SIZE + VfioAbi.DeviceFeature.MIGRATION_DATA_SIZE);
        b.putInt(VfioAbi.DeviceFeature.FLAGS, VfioAbi.DEVICE_FEATURE_GET | VfioAbi.DEVICE_FEATURE_MIGRATION);
        int r = sys.ioctl(fd, VfioAbi.DEVICE_FEATURE, b);
        if (r == -25 || r == -22) { // ENOTTY: no migration driver; EINVAL: kernel without VFIO_DEVICE_FEATURE
            return new MigrationSupport(false, 0, "the device's VFIO driver does not implement migration"
                    + " (VFIO_DEVICE_FEATURE MIGRATION: " + (r == -25 ? "ENOTTY" : "EINVAL")
                    + "); use unplug before and re-plug after migration");
        }
        if (r < 0) {
            throw fail("VFIO_DEVICE_FEATURE", r, "MIGRATION GET");
        }
        long flags = b.getLong(VfioAbi.DeviceFeature.DATA);
        return new MigrationSupport(true, flags, "VFIO migration v2, flags 0x" + Long.toHexString(flags));
    }

    /**
     * {@code VFIO_DEVICE_GET_PCI_HOT_RESET_INFO} with the argsz protocol: asks with room for no device first, then,
     * on {@code ENOSPC}, again with room for the count the kernel reported.
     */
    HotResetInfo hotResetInfo() {
        checkOpen();
        int room = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            ByteBuffer b = VfioAbi.struct(VfioAbi.HotResetInfo.SIZE + room * VfioAbi.DependentDevice.SIZE);
            int r = sys.ioctl(fd, VfioAbi.DEVICE_GET_PCI_HOT_RESET_INFO, b);
            int count = b.getInt(VfioAbi.HotResetInfo.COUNT);
            if (r == -org.sriov4j.Errno.ENOSPC.number() && count > room) {
                room = count;
                continue;
            }
            if (r == -org.sriov4j.Errno.ENODEV.number()) {
                return HotResetInfo.notResettable("the kernel offers neither a slot nor a bus reset for " + address
                        + " (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: ENODEV); only a function-level reset");
            }
            if (r == -org.sriov4j.Errno.EPERM.number()) {
                return HotResetInfo.notResettable("a function below the same bus or slot as " + address
                        + " has no IOMMU group (VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: EPERM)");
            }
            if (r < 0) {
                throw fail("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", r, "room for " + room + " device(s)");
            }
            int flags = b.getInt(VfioAbi.HotResetInfo.FLAGS);
            List<HotResetInfo.Dependent> devices = new ArrayList<>();
            for (int i = 0; i < Math.min(count, room); i++) {
                int at = VfioAbi.HotResetInfo.DEVICES + i * VfioAbi.DependentDevice.SIZE;
                int devfn = Byte.toUnsignedInt(b.get(at + VfioAbi.DependentDevice.DEVFN));
                devices.add(new HotResetInfo.Dependent(new PciAddress(
                        Short.toUnsignedInt(b.getShort(at + VfioAbi.DependentDevice.SEGMENT)),
                        Byte.toUnsignedInt(b.get(at + VfioAbi.DependentDevice.BUS)), devfn >> 3, devfn & 7),
                        b.getInt(at + VfioAbi.DependentDevice.GROUP_ID)));
            }
            return new HotResetInfo(true, devices, flags, "a hot reset of " + address + " resets " + devices.size()
                    + " function(s): " + devices.stream().map(d -> d.address().toString()).toList());
        }
        throw fail("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", 0, "the device count kept growing");
    }

    long pread(ByteBuffer dst, long offset) {
        checkOpen();
        long r = sys.pread(fd, dst, offset);
        if (r < 0) {
            throw fail("pread", r, "offset 0x" + Long.toHexString(offset));
        }
        return r;
    }

    long pwrite(ByteBuffer src, long offset) {
        checkOpen();
        long r = sys.pwrite(fd, src, offset);
        if (r < 0) {
            throw fail("pwrite", r, "offset 0x" + Long.toHexString(offset));
        }
        return r;
    }

    long mmap(long offset, long length, int prot) {
        checkOpen();
        long a = sys.mmap(length, prot, LinuxSyscalls.MAP_SHARED, fd, offset);
        if (a < 0) {
            throw fail("mmap", a, "offset 0x" + Long.toHexString(offset) + " length 0x" + Long.toHexString(length));
        }
        return a;
    }

    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        if (group != null) {
            group.deviceClosed(this);
        }
        try {
            closeDescriptor(address);
        } finally {
            if (onClose != null) {
                onClose.run(); // after the kernel closed it: a cdev is detached and unbound by then
            }
        }
    }
}
