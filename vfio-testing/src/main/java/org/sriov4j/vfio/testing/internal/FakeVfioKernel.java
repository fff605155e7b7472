package org.sriov4j.vfio.testing.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.sriov4j.spi.DeviceNodeAccess;
import org.sriov4j.spi.GroupViability;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.MigrationState;
import org.sriov4j.vfio.kernel.IommufdAbi;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * A fake kernel behind {@link LinuxSyscalls} that applies the rules of Linux 6.12's VFIO (drivers/vfio/container.c,
 * group.c, vfio_iommu_type1.c, pci/vfio_pci_core.c, pci/vfio_pci_intrs.c) to the requests it gets. What it models:
 *
 * <ul>
 *   <li>{@code /dev/vfio/vfio}: every open is a new container; GET_API_VERSION 0; CHECK_EXTENSION 1 for TYPE1 and
 *       TYPE1v2, 0 otherwise; SET_IOMMU: EINVAL without a group or when already set, ENODEV for unknown types;
 *       other requests EINVAL before SET_IOMMU, ENOTTY after.</li>
 *   <li>{@code /dev/vfio/N}: ENOENT for unknown groups, EBUSY when already open. GET_STATUS (VIABLE,
 *       CONTAINER_SET); SET_CONTAINER: EINVAL when already set, EBADF/EINVAL for a bad container fd, EPERM when not
 *       viable (the DMA owner claim fails); UNSET_CONTAINER: EINVAL when not set, EBUSY while device fds are open;
 *       GET_DEVICE_FD: EINVAL before the container has an IOMMU, ENODEV for a name not in the group. Detaching the
 *       last group releases the container's IOMMU and its mappings.</li>
 *   <li>type1 IOMMU: GET_INFO with the page-size bitmap 0x40201000 and a capability chain (IOVA ranges
 *       0–0xfedfffff and 0xfef00000–0xffffffffffff, DMA available 65535) honouring the argsz protocol (too small:
 *       CAPS flag, cap_offset 0, argsz raised); MAP_DMA: EINVAL for unknown flags, no access, size 0,
 *       misalignment, wrap-around, outside the IOVA ranges; EEXIST for overlap; ENOSPC when no mapping is
 *       available; UNMAP_DMA: EINVAL for misalignment or a range that splits a mapping; writes back the size
 *       unmapped (0 when nothing was mapped).</li>
 *   <li>devices: GET_INFO (argsz ≥ 16), GET_REGION_INFO with the sparse-mmap capability (same argsz protocol),
 *       GET_IRQ_INFO, SET_IRQS (vfio_set_irqs_validate_and_prepare plus vfio-pci: one data type and one action,
 *       range inside the count, data size, EBADF/EINVAL for bad eventfds, one index enabled at a time,
 *       MASK/UNMASK on MSI/MSI-X ENOTTY, DATA_NONE TRIGGER loopback signals the eventfds), ERR and REQ as
 *       vfio_pci_set_ctx_trigger_single (TRIGGER only, MASK/UNMASK ENOTTY; one eventfd each, separate from the
 *       MSI/MSI-X vectors; DATA_NONE count 0 unbinds, EINVAL when nothing is bound; eventfd -1 unbinds; closing the
 *       device unbinds both; GET_IRQ_INFO of ERR is EINVAL on a device with no ERR vector, i.e. not PCI Express;
 *       test hooks {@link #requestRelease} and {@link #reportError} signal them as an unbind or an AER error would,
 *       {@link #removeGroup} detaches a group whose last device left vfio-pci, as 6.12 does),
 *       GET_PCI_HOT_RESET_INFO ({@link FakeDevice#hotReset}: ENODEV when null, argsz protocol with ENOSPC, partial
 *       fill and count as Linux 6.6+, EPERM for a function without a group, flags 0), RESET (EINVAL without
 *       reset support; puts the migration state in RUNNING and ends its data sessions), DEVICE_FEATURE MIGRATION
 *       (ENOTTY without a migration driver), pread/pwrite of regions at
 *       index &lt;&lt; 40, mmap of mappable regions only inside their sparse areas (EINVAL otherwise).</li>
 *   <li>migration v2 (vfio_main.c's vfio_ioctl_device_feature_mig_device_state and a driver's set_state loop as in
 *       mlx5): MIG_DEVICE_STATE GET/SET/PROBE (ENOTTY without a migration driver, EINVAL for argsz &lt; 16, an
 *       unknown state, ERROR, a state the flags do not support, or any SET while in ERROR). A SET walks the
 *       FSM arc by arc ({@link MigrationArcs#next}); an arc that opens a data fd must be the last one (EINVAL
 *       otherwise, as mlx5's WARN_ON). Data fds: a saving session reads {@link FakeDevice#preCopyData} (PRE_COPY:
 *       ENOMSG when drained) then {@link FakeDevice#stopCopyData} (STOP_COPY: 0 at the end); a RESUMING session
 *       collects writes and hands them to {@link FakeDevice#resumed} on RESUMING → STOP. Leaving the saving group or
 *       RESUMING ends the session (ENODEV on further reads/writes). VFIO_MIG_GET_PRECOPY_INFO on the data fd:
 *       EINVAL outside PRE_COPY(_P2P), ENOTTY on a RESUMING fd; initial bytes are those present when the session
 *       began, dirty bytes {@link FakeDevice#dirtyBytes} plus data added since ({@link #appendPreCopyData}, or mlx5's
 *       save-on-query with {@link FakeDevice#saveDirtyOnPrecopyInfo}). MIG_DATA_SIZE (GET only, any state):
 *       {@link FakeDevice#stopCopyLength}, failing with {@link FakeDevice#dataSizeErrno}. Injected failures:
 *       {@link FakeDevice#failArc} (the
 *       arc returns the errno and leaves the device in the arc's start state, or in ERROR with
 *       {@link FakeDevice#errorOnFailure}) and {@link FakeDevice#failReset}.</li>
 *   <li>eventfd (counter, EAGAIN when zero), anonymous mmap, munmap.</li>
 * </ul>
 *
 * <p>It does not model: permissions, the noiommu mode, container sharing across processes, MSI-X table contents.
 */
public final class FakeVfioKernel implements LinuxSyscalls {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOTTY = 25;
    public static final int EIO = 5;
    public static final int ENOMSG = 42;

    public static final long PAGE_SIZES = 0x40201000L;
    public static final long OFFSET_SHIFT = 40;

    private record GroupFdObj(FakeGroup group) {
    }

    private static final class EventObj {
        long counter;
    }

    private final Map<Integer, FakeGroup> groups = new HashMap<>();
    private final Map<Integer, Object> fds = new HashMap<>();
    private final TreeMap<Long, ByteBuffer> memory = new TreeMap<>();
    private final Map<ByteBuffer, Long> foreignBuffers = new IdentityHashMap<>();
    private int nextFd = 3;
    private long nextAddress = 0x7f00_0000_0000L;
    public int mapRequests;
    public int unmapRequests;
    public long[][] iovaRanges = {{0, 0xfedf_ffffL}, {0xfef0_0000L, 0xffff_ffff_ffffL}};
    public int dmaAvailPerContainer = 65535;
    /** False: a host without an IOMMU for VFIO (only vfio's no-IOMMU mode, which offers no type1). */
    public boolean type1Offered = true;

    /** Joined to a simulated host: its sysfs and /dev decide which nodes open and what a group holds; else null. */
    private @Nullable SysfsAccess hostSysfs;
    private @Nullable DeviceNodeAccess hostDevices;

    /**
     * A fake VFIO joined to a simulated host, so that the two agree: {@code /dev/vfio/vfio} and {@code /dev/vfio/N}
     * open only while the simulator has those nodes; a group holds the members the simulator's
     * {@code kernel/iommu_groups/N/devices} lists that are on vfio-pci (read again whenever the group is opened), and
     * is viable by the engine's rule. A function the simulator detaches to vfio-pci can then be opened through
     * {@link VfioSystem}: container, group, device, DMA map.
     *
     * @param host the simulated host
     * @return the fake kernel
     */
    public static FakeVfioKernel joinedTo(SimulatedKernel host) {
        FakeVfioKernel k = new FakeVfioKernel();
        k.hostSysfs = host;
        k.hostDevices = host.devices();
        return k;
    }

    /** The group as the joined host shows it now (membership refreshed while nothing holds it open). */
    private FakeGroup joinedGroup(SysfsAccess hostSysfs, int number) {
        FakeGroup g = groups.computeIfAbsent(number, n -> new FakeGroup(n, true));
        if (!g.open && g.openDevices == 0 && g.cdevBound == 0) {
            g.devices.clear();
            String dir = "kernel/iommu_groups/" + number + "/devices";
            for (String member : hostSysfs.exists(dir) ? hostSysfs.list(dir) : List.<String>of()) {
                String dev = "bus/pci/devices/" + member;
                if (hostSysfs.linkName(dev + "/driver").filter("vfio-pci"::equals).isPresent()) {
                    FakeDevice d = new FakeDevice(member, hex(hostSysfs, dev + "/vendor"), hex(hostSysfs, dev + "/device"));
                    d.cdev = "vfio" + nextCdev++;
                    g.devices.put(member, d);
                }
            }
            g.viable = GroupViability.offenders(hostSysfs, number, null, "vfio-pci").isEmpty();
        }
        return g;
    }

    private static int hex(SysfsAccess hostSysfs, String path) {
        return Integer.decode(hostSysfs.read(path).trim());
    }

    public FakeGroup addGroup(int number, boolean viable, FakeDevice... devices) {
        FakeGroup g = new FakeGroup(number, viable);
        for (FakeDevice d : devices) {
            g.devices.put(d.name, d);
            d.cdev = "vfio" + nextCdev++;
        }
        groups.put(number, g);
        return g;
    }

    /**
     * A device of a group by name, as the fake knows it now.
     *
     * @param name the device name (its PCI address)
     * @return the device, or null
     */
    public synchronized @Nullable FakeDevice device(String name) {
        for (FakeGroup g : groups.values()) {
            FakeDevice d = g.devices.get(name);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    public @Nullable FakeGroup group(int number) {
        return groups.get(number);
    }

    public int openFds() {
        return fds.size();
    }

    public long mappedBytes() {
        long total = 0;
        for (Object o : fds.values()) {
            if (o instanceof FakeContainer c) {
                total += c.dma.values().stream().mapToLong(m -> m[1]).sum();
            }
        }
        for (Object o : fds.values()) {
            if (o instanceof IommufdContext ictx) {
                for (FakeIoas a : ictx.ioas.values()) {
                    total += a.dma.values().stream().mapToLong(m -> m[1]).sum();
                }
            }
        }
        for (FakeGroup g : groups.values()) {
            if (g.container != null && !fds.containsValue(g.container)) {
                total += g.container.dma.values().stream().mapToLong(m -> m[1]).sum();
            }
        }
        return total;
    }

    int newFd(Object o) {
        int fd = nextFd++;
        fds.put(fd, o);
        return fd;
    }

    @Override
    public synchronized int open(String path, int flags) {
        if (hostDevices != null && path.startsWith("/dev/vfio/") && !path.startsWith("/dev/vfio/devices/")
                && !hostDevices.exists(path.substring("/dev/".length()))) {
            return -ENOENT; // the joined host has no such node (no vfio-pci, or no member of the group on it)
        }
        if (path.equals("/dev/vfio/vfio")) {
            return newFd(new FakeContainer());
        }
        if (path.equals("/dev/iommu")) {
            return iommufdAvailable ? newFd(new IommufdContext()) : -ENOENT;
        }
        if (path.startsWith("/dev/vfio/devices/")) {
            return openCdev(path.substring("/dev/vfio/devices/".length()));
        }
        if (path.startsWith("/dev/vfio/")) {
            FakeGroup g;
            try {
                int number = Integer.parseInt(path.substring("/dev/vfio/".length()));
                g = hostSysfs != null ? joinedGroup(hostSysfs, number) : groups.get(number);
            } catch (NumberFormatException e) {
                return -ENOENT;
            }
            if (g == null) {
                return -ENOENT;
            }
            if (g.open || g.cdevBound > 0) {
                return -EBUSY; // vfio_group_fops_open: a bound cdev blocks the group (cdev_device_open_cnt)
            }
            g.open = true;
            return newFd(new GroupFdObj(g));
        }
        return -ENOENT;
    }

    @Override
    public synchronized int close(int fd) {
        Object o = fds.remove(fd);
        if (o == null) {
            return -EBADF;
        }
        if (o instanceof GroupFdObj g) {
            g.group().open = false;
            if (g.group().container != null && g.group().openDevices == 0) {
                detach(g.group());
            }
        } else if (o instanceof DeviceCdev c) {
            closeCdev(c);
        } else if (o instanceof DeviceDescriptor d) {
            d.group().openDevices--;
            deviceClosed(d.device());
            if (!d.group().open && d.group().openDevices == 0 && d.group().container != null) {
                detach(d.group());
            }
        }
        notifyAll(); // an unbind waiting in unbindFromVfioPci
        return 0;
    }

    /**
     * Test hook, vfio-pci's remove on an unbind of {@code d} (from another process, or sriov_numvfs 0): while a
     * descriptor of the device is open, the kernel signals REQ and waits until every descriptor is closed (6.12:
     * repeating the request every 10 s, uninterruptibly after the first signal; "No device request channel
     * registered, blocked until released by user" when nothing is bound to REQ). Here the wait is bounded: a device
     * still open after {@code millis} fails the test, because the real unbind would block forever.
     *
     * @param d the device
     * @param millis how long the holder may take to close it
     * @throws AssertionError if it is still open then
     */
    public synchronized void unbindFromVfioPci(FakeDevice d, long millis) throws InterruptedException {
        if (d.openCount > 0) {
            requestRelease(d);
        }
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (d.openCount > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("unbind of " + d.name + " from vfio-pci would block forever: "
                        + d.openCount + " descriptor(s) still open after the request");
            }
            wait(Math.max(1, left / 1_000_000L));
        }
    }

    private void detach(FakeGroup g) {
        FakeContainer c = g.container;
        if (c == null) {
            return;
        }
        c.groups.remove(g);
        g.container = null;
        if (c.groups.isEmpty()) {
            c.iommu = false;
            c.dma.clear();
            c.dmaAvail = dmaAvailPerContainer;
        }
    }

    @Override
    public synchronized int ioctl(int fd, long request, long arg) {
        Object o = fds.get(fd);
        if (o == null) {
            return -EBADF;
        }
        if (o instanceof DeviceCdev c) {
            if (c.bound == null) {
                return -EINVAL; // vfio_device_fops_unl_ioctl: nothing but BIND_IOMMUFD before the bind
            }
            o = c.bound;
        }
        if (o instanceof FakeContainer c) {
            if (request == VfioAbi.GET_API_VERSION) {
                return 0;
            }
            if (request == VfioAbi.CHECK_EXTENSION) {
                return type1Offered && (arg == VfioAbi.TYPE1_IOMMU || arg == VfioAbi.TYPE1V2_IOMMU) ? 1 : 0;
            }
            if (request == VfioAbi.SET_IOMMU) {
                if (c.groups.isEmpty() || c.iommu) {
                    return -EINVAL;
                }
                if (arg != VfioAbi.TYPE1_IOMMU && arg != VfioAbi.TYPE1V2_IOMMU) {
                    return -ENODEV;
                }
                c.iommu = true;
                c.dmaAvail = dmaAvailPerContainer;
                return 0;
            }
            return c.iommu ? -ENOTTY : -EINVAL;
        }
        if (o instanceof GroupFdObj g) {
            if (request == VfioAbi.GROUP_UNSET_CONTAINER) {
                if (g.group().container == null) {
                    return -EINVAL;
                }
                if (g.group().openDevices > 0) {
                    return -EBUSY;
                }
                detach(g.group());
                return 0;
            }
            return -ENOTTY;
        }
        if (o instanceof DeviceDescriptor d) {
            if (request == VfioAbi.DEVICE_RESET) {
                if (!d.device().resetSupported) {
                    return -EINVAL;
                }
                if (d.device().failReset) {
                    return -EIO;
                }
                d.device().resets++;
                d.device().endSession();
                d.device().migState = MigrationState.RUNNING;
                notifyAll(); // pollers of the ended data fd
                return 0;
            }
            return -ENOTTY;
        }
        return -ENOTTY;
    }

    @Override
    public synchronized int ioctl(int fd, long request, ByteBuffer arg) {
        Object o = fds.get(fd);
        if (o == null) {
            return -EBADF;
        }
        ByteBuffer b = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (o instanceof IommufdContext ictx) {
            return IoasRules.iommufdIoctl(this, ictx, request, b);
        }
        if (o instanceof DeviceCdev c) {
            if (request == IommufdAbi.DEVICE_BIND_IOMMUFD) {
                return bindIommufd(c, b);
            }
            if (c.bound == null) {
                return -EINVAL;
            }
            if (request == IommufdAbi.DEVICE_ATTACH_IOMMUFD_PT) {
                return attachPt(c, b);
            }
            if (request == IommufdAbi.DEVICE_DETACH_IOMMUFD_PT) {
                if (b.getInt(0) < IommufdAbi.DetachPt.SIZE || b.getInt(IommufdAbi.DetachPt.FLAGS) != 0) {
                    return -EINVAL;
                }
                detachPt(c);
                return 0;
            }
            o = c.bound;
        }
        if (o instanceof FakeContainer c) {
            if (request == VfioAbi.IOMMU_GET_INFO && c.iommu) {
                return Type1Dma.iommuInfo(this, c, b);
            }
            if (request == VfioAbi.IOMMU_MAP_DMA && c.iommu) {
                mapRequests++;
                return Type1Dma.mapDma(this, c, b);
            }
            if (request == VfioAbi.IOMMU_UNMAP_DMA && c.iommu) {
                unmapRequests++;
                return Type1Dma.unmapDma(this, c, b);
            }
            if (request == VfioAbi.CHECK_EXTENSION || request == VfioAbi.SET_IOMMU) {
                return ioctl(fd, request, (long) b.getInt(0));
            }
            return c.iommu ? -ENOTTY : -EINVAL;
        }
        if (o instanceof GroupFdObj g) {
            return groupIoctl(g.group(), request, b);
        }
        if (o instanceof DeviceDescriptor d) {
            return deviceIoctl(d, request, b);
        }
        if (o instanceof MigrationDataFd m && request == VfioAbi.MIG_GET_PRECOPY_INFO) {
            if (m.resuming) {
                return -ENOTTY;
            }
            if (m.ended || (m.device.migState != MigrationState.PRE_COPY
                    && m.device.migState != MigrationState.PRE_COPY_P2P)) {
                return -EINVAL;
            }
            if (b.getInt(VfioAbi.PrecopyInfo.ARGSZ) < VfioAbi.PrecopyInfo.SIZE) {
                return -EINVAL;
            }
            FakeDevice d = m.device;
            long unreadDirty = Math.max(0, d.preCopyData.length - Math.max(m.pos, m.initialLength));
            b.putInt(VfioAbi.PrecopyInfo.FLAGS, 0);
            b.putLong(VfioAbi.PrecopyInfo.INITIAL_BYTES, Math.max(0, m.initialLength - m.pos));
            b.putLong(VfioAbi.PrecopyInfo.DIRTY_BYTES, d.dirtyBytes + unreadDirty);
            if (d.saveDirtyOnPrecopyInfo && d.migState == MigrationState.PRE_COPY && m.pos >= d.preCopyData.length
                    && d.dirtyBytes > 0) {
                byte[] more = new byte[(int) d.dirtyBytes]; // mlx5: drained and dirty, so SAVE the increment
                java.util.Arrays.fill(more, (byte) 0xd1);
                d.dirtyBytes = 0;
                appendPreCopyData(d, more);
            }
            return 0;
        }
        return -ENOTTY;
    }

    private int groupIoctl(FakeGroup g, long request, ByteBuffer b) {
        if (request == VfioAbi.GROUP_GET_STATUS) {
            if (g.removed) {
                return -ENODEV; // vfio_group_ioctl_get_status: group->iommu_group was revoked
            }
            if (b.getInt(0) < VfioAbi.GroupStatus.SIZE) {
                return -EINVAL;
            }
            int flags = 0;
            if (g.container != null) {
                flags = VfioAbi.GROUP_FLAGS_VIABLE | VfioAbi.GROUP_FLAGS_CONTAINER_SET;
            } else if (g.viable) {
                flags = VfioAbi.GROUP_FLAGS_VIABLE;
            }
            b.putInt(4, flags);
            return 0;
        }
        if (request == VfioAbi.GROUP_SET_CONTAINER) {
            if (g.container != null) {
                return -EINVAL;
            }
            Object target = fds.get(b.getInt(0));
            if (target == null) {
                return -EBADF;
            }
            if (!(target instanceof FakeContainer c)) {
                return -EINVAL;
            }
            if (!g.viable) {
                return -EPERM;
            }
            g.container = c;
            c.groups.add(g);
            return 0;
        }
        if (request == VfioAbi.GROUP_GET_DEVICE_FD) {
            StringBuilder name = new StringBuilder();
            for (int i = 0; i < b.limit() && b.get(i) != 0; i++) {
                name.append((char) b.get(i));
            }
            if (g.container == null || !g.container.iommu) {
                return -EINVAL;
            }
            FakeDevice d = g.devices.get(name.toString());
            if (d == null) {
                return -ENODEV;
            }
            g.openDevices++;
            d.openCount++;
            return newFd(new DeviceDescriptor(g, d));
        }
        if (request == VfioAbi.GROUP_UNSET_CONTAINER) {
            return ioctl(-1, request, 0L);
        }
        return -ENOTTY;
    }

    private int deviceIoctl(DeviceDescriptor df, long request, ByteBuffer b) {
        FakeDevice d = df.device();
        int argsz = b.getInt(0);
        if (request == VfioAbi.DEVICE_GET_INFO) {
            if (argsz < VfioAbi.DeviceInfo.MINSZ) {
                return -EINVAL;
            }
            b.putInt(VfioAbi.DeviceInfo.FLAGS, VfioAbi.DEVICE_FLAGS_PCI
                    | (d.resetSupported ? VfioAbi.DEVICE_FLAGS_RESET : 0));
            b.putInt(VfioAbi.DeviceInfo.NUM_REGIONS, VfioAbi.PCI_NUM_REGIONS);
            b.putInt(VfioAbi.DeviceInfo.NUM_IRQS, VfioAbi.PCI_NUM_IRQS);
            return 0;
        }
        if (request == VfioAbi.DEVICE_GET_REGION_INFO) {
            if (argsz < VfioAbi.RegionInfo.SIZE) {
                return -EINVAL;
            }
            int index = b.getInt(VfioAbi.RegionInfo.INDEX);
            if (index < 0 || index >= VfioAbi.PCI_NUM_REGIONS || index == VfioAbi.PCI_NUM_REGIONS - 1) {
                return -EINVAL; // VGA (8) exists only on VGA devices (seen: EINVAL on an 82576 VF)
            }
            FakeRegion r = d.regions.get(index);
            b.putLong(VfioAbi.RegionInfo.OFFSET, (long) index << OFFSET_SHIFT);
            if (r == null) {
                b.putInt(VfioAbi.RegionInfo.FLAGS, 0).putLong(VfioAbi.RegionInfo.REGION_SIZE, 0);
                return 0;
            }
            b.putInt(VfioAbi.RegionInfo.FLAGS, r.flags);
            b.putLong(VfioAbi.RegionInfo.REGION_SIZE, r.data.capacity());
            if (!r.sparse.isEmpty()) {
                int needed = VfioAbi.RegionInfo.SIZE + VfioAbi.SparseMmap.AREAS
                        + r.sparse.size() * VfioAbi.SparseMmap.AREA_SIZE;
                if (argsz < needed) {
                    b.putInt(VfioAbi.RegionInfo.ARGSZ, needed).putInt(VfioAbi.RegionInfo.CAP_OFFSET, 0);
                    return 0;
                }
                int cap = VfioAbi.RegionInfo.SIZE;
                b.putInt(VfioAbi.RegionInfo.CAP_OFFSET, cap);
                b.putShort(cap, (short) VfioAbi.REGION_INFO_CAP_SPARSE_MMAP).putShort(cap + 2, (short) 1);
                b.putInt(cap + 4, 0).putInt(cap + VfioAbi.SparseMmap.NR_AREAS, r.sparse.size());
                for (int i = 0; i < r.sparse.size(); i++) {
                    int at = cap + VfioAbi.SparseMmap.AREAS + i * VfioAbi.SparseMmap.AREA_SIZE;
                    b.putLong(at, r.sparse.get(i)[0]).putLong(at + 8, r.sparse.get(i)[1]);
                }
            }
            return 0;
        }
        if (request == VfioAbi.DEVICE_GET_IRQ_INFO) {
            if (argsz < VfioAbi.IrqInfo.SIZE) {
                return -EINVAL;
            }
            int index = b.getInt(VfioAbi.IrqInfo.INDEX);
            if (index < 0 || index >= VfioAbi.PCI_NUM_IRQS) {
                return -EINVAL;
            }
            if (index == VfioAbi.PCI_ERR_IRQ_INDEX && d.irqCounts[index] == 0) {
                return -EINVAL; // vfio_pci_ioctl_get_irq_info: ERR exists only on PCI Express devices
            }
            // seen on 6.12: INTx 7, MSI 9, MSI-X 1 (dynamic allocation: no NORESIZE), ERR 9, REQ 9
            int flags = VfioAbi.IRQ_INFO_EVENTFD;
            if (index == VfioAbi.PCI_INTX_IRQ_INDEX) {
                flags |= VfioAbi.IRQ_INFO_MASKABLE | VfioAbi.IRQ_INFO_AUTOMASKED;
            } else if (index != VfioAbi.PCI_MSIX_IRQ_INDEX) {
                flags |= VfioAbi.IRQ_INFO_NORESIZE;
            }
            b.putInt(VfioAbi.IrqInfo.FLAGS, flags);
            b.putInt(VfioAbi.IrqInfo.COUNT, d.irqCounts[index]);
            return 0;
        }
        if (request == VfioAbi.DEVICE_SET_IRQS) {
            return setIrqs(d, b);
        }
        if (request == VfioAbi.DEVICE_GET_PCI_HOT_RESET_INFO) {
            return hotResetInfo(d, b);
        }
        if (request == VfioAbi.DEVICE_FEATURE) {
            if (argsz < VfioAbi.DeviceFeature.SIZE) {
                return -EINVAL;
            }
            int flags = b.getInt(VfioAbi.DeviceFeature.FLAGS);
            int feature = flags & VfioAbi.DEVICE_FEATURE_MASK;
            if (feature == VfioAbi.DEVICE_FEATURE_MIG_DEVICE_STATE && d.migrationFlags >= 0) {
                int r = MigrationRules.migDeviceState(this, d, flags, argsz, b);
                notifyAll(); // a state change can make a data fd readable (STOP_COPY) or end its session
                return r;
            }
            if (feature == VfioAbi.DEVICE_FEATURE_MIG_DATA_SIZE && d.migrationFlags >= 0) {
                return MigrationRules.migDataSize(this, d, flags, argsz, b);
            }
            if (feature != VfioAbi.DEVICE_FEATURE_MIGRATION || d.migrationFlags < 0) {
                return -ENOTTY;
            }
            if ((flags & VfioAbi.DEVICE_FEATURE_SET) != 0) {
                return -EINVAL;
            }
            if ((flags & VfioAbi.DEVICE_FEATURE_PROBE) != 0) {
                return 0;
            }
            if (argsz < VfioAbi.DeviceFeature.SIZE + VfioAbi.DeviceFeature.MIGRATION_DATA_SIZE) {
                return -EINVAL;
            }
            b.putLong(VfioAbi.DeviceFeature.DATA, d.migrationFlags);
            return 0;
        }
        return -ENOTTY;
    }

    private int setIrqs(FakeDevice d, ByteBuffer b) {
        int argsz = b.getInt(VfioAbi.IrqSet.ARGSZ);
        int flags = b.getInt(VfioAbi.IrqSet.FLAGS);
        int index = b.getInt(VfioAbi.IrqSet.INDEX);
        int start = b.getInt(VfioAbi.IrqSet.START);
        int count = b.getInt(VfioAbi.IrqSet.COUNT);
        if (argsz < VfioAbi.IrqSet.SIZE || index < 0 || index >= VfioAbi.PCI_NUM_IRQS) {
            return -EINVAL;
        }
        int dataType = flags & VfioAbi.IRQ_SET_DATA_TYPE_MASK;
        int action = flags & VfioAbi.IRQ_SET_ACTION_TYPE_MASK;
        if (Integer.bitCount(dataType) != 1 || Integer.bitCount(action) != 1
                || (flags & ~(VfioAbi.IRQ_SET_DATA_TYPE_MASK | VfioAbi.IRQ_SET_ACTION_TYPE_MASK)) != 0) {
            return -EINVAL;
        }
        int max = d.irqCounts[index];
        if (max == 0 || (count != 0 && (start >= max || count > max - start))) {
            return -EINVAL;
        }
        int dataSize = dataType == VfioAbi.IRQ_SET_DATA_EVENTFD ? 4 * count
                : dataType == VfioAbi.IRQ_SET_DATA_BOOL ? count : 0;
        if (argsz - VfioAbi.IrqSet.SIZE < dataSize) {
            return -EINVAL;
        }
        boolean msi = index == VfioAbi.PCI_MSI_IRQ_INDEX || index == VfioAbi.PCI_MSIX_IRQ_INDEX;
        if (action == VfioAbi.IRQ_SET_ACTION_TRIGGER
                && (index == VfioAbi.PCI_ERR_IRQ_INDEX || index == VfioAbi.PCI_REQ_IRQ_INDEX)) {
            return setTriggerSingle(d, index, dataType, count, b);
        }
        if (action != VfioAbi.IRQ_SET_ACTION_TRIGGER) {
            if (msi || index != VfioAbi.PCI_INTX_IRQ_INDEX) {
                return -ENOTTY; // vfio-pci: no MASK/UNMASK for MSI/MSI-X (or ERR/REQ)
            }
            for (int v = start; v < start + count; v++) {
                d.intxMasked.put(v, action == VfioAbi.IRQ_SET_ACTION_MASK);
            }
            return 0;
        }
        if (dataType == VfioAbi.IRQ_SET_DATA_NONE && count == 0) { // disable the index
            if (d.enabledIrqIndex == index) {
                d.enabledIrqIndex = -1;
                d.triggers.clear();
            }
            return 0;
        }
        if (dataType == VfioAbi.IRQ_SET_DATA_EVENTFD) {
            if (msi && d.enabledIrqIndex >= 0 && d.enabledIrqIndex != index) {
                return -EINVAL; // one interrupt mode at a time
            }
            for (int i = 0; i < count; i++) {
                int efd = b.getInt(VfioAbi.IrqSet.DATA + 4 * i);
                if (efd == -1) {
                    continue;
                }
                Object o = fds.get(efd);
                if (o == null) {
                    return -EBADF;
                }
                if (!(o instanceof EventObj)) {
                    return -EINVAL;
                }
            }
            if (msi) {
                d.enabledIrqIndex = index;
            }
            for (int i = 0; i < count; i++) {
                int efd = b.getInt(VfioAbi.IrqSet.DATA + 4 * i);
                if (efd == -1) {
                    d.triggers.remove(start + i);
                } else {
                    d.triggers.put(start + i, efd);
                }
            }
            return 0;
        }
        // DATA_NONE / DATA_BOOL with TRIGGER: loopback
        for (int i = 0; i < count; i++) {
            boolean fire = dataType == VfioAbi.IRQ_SET_DATA_NONE || b.get(VfioAbi.IrqSet.DATA + i) != 0;
            Integer efd = d.triggers.get(start + i);
            if (fire && efd != null && fds.get(efd) instanceof EventObj e) {
                e.counter++;
                notifyAll();
            }
        }
        return 0;
    }

    /**
     * vfio_pci_set_err_trigger / vfio_pci_set_req_trigger and vfio_pci_set_ctx_trigger_single: start 0, count at most
     * 1 (the range check above); DATA_NONE signals (count 1) or unbinds (count 0) the bound eventfd, EINVAL when none
     * is bound; DATA_BOOL count 0 EINVAL, else signals when true; DATA_EVENTFD count 0 EINVAL, -1 unbinds, another
     * negative number changes nothing, else binds (EBADF, EINVAL for a descriptor that is no eventfd).
     */
    private int setTriggerSingle(FakeDevice d, int index, int dataType, int count, ByteBuffer b) {
        boolean err = index == VfioAbi.PCI_ERR_IRQ_INDEX;
        Integer bound = err ? d.errTrigger : d.reqTrigger;
        if (dataType == VfioAbi.IRQ_SET_DATA_NONE) {
            if (bound == null) {
                return -EINVAL;
            }
            if (count == 0) {
                setTrigger(d, err, null);
            } else {
                signal(bound);
            }
            return 0;
        }
        if (count == 0) {
            return -EINVAL;
        }
        if (dataType == VfioAbi.IRQ_SET_DATA_BOOL) {
            if (b.get(VfioAbi.IrqSet.DATA) != 0 && bound != null) {
                signal(bound);
            }
            return 0;
        }
        int efd = b.getInt(VfioAbi.IrqSet.DATA);
        if (efd == -1) {
            setTrigger(d, err, null);
        } else if (efd >= 0) {
            Object o = fds.get(efd);
            if (o == null) {
                return -EBADF;
            }
            if (!(o instanceof EventObj)) {
                return -EINVAL;
            }
            setTrigger(d, err, efd);
        }
        return 0;
    }

    private static void setTrigger(FakeDevice d, boolean err, @Nullable Integer efd) {
        if (err) {
            d.errTrigger = efd;
        } else {
            d.reqTrigger = efd;
        }
    }

    private void signal(int efd) {
        if (fds.get(efd) instanceof EventObj e) {
            e.counter++;
            notifyAll();
        }
    }

    /**
     * Test hook, vfio_pci_core_request: the device's driver is being unbound while its descriptor is open; the kernel
     * signals the REQ eventfd (and, on the real kernel, repeats it every 10 s until the descriptor is closed).
     *
     * @param d the device
     * @return whether an eventfd was bound to REQ (the real kernel warns "No device request channel registered"
     *     otherwise)
     */
    public synchronized boolean requestRelease(FakeDevice d) {
        if (d.reqTrigger == null) {
            return false;
        }
        signal(d.reqTrigger);
        return true;
    }

    /**
     * Test hook, vfio_device_remove_group: the last device of a group was unbound from vfio-pci (after its device
     * descriptors were closed) while the group stays open; the kernel detaches the group from its container (the
     * container loses its IOMMU with its last group) and revokes its IOMMU group: GET_STATUS ENODEV, UNSET_CONTAINER
     * EINVAL afterwards (seen on 6.12).
     *
     * @param number the group
     */
    public synchronized void removeGroup(int number) {
        FakeGroup g = groups.get(number);
        if (g == null) {
            throw new IllegalArgumentException("no group " + number);
        }
        g.removed = true;
        if (g.container != null) {
            detach(g);
        }
    }

    /**
     * Test hook, vfio_pci_core_aer_err_detected: an uncorrectable AER error; the kernel signals the ERR eventfd.
     *
     * @param d the device
     * @return whether an eventfd was bound to ERR
     */
    public synchronized boolean reportError(FakeDevice d) {
        if (d.errTrigger == null) {
            return false;
        }
        signal(d.errTrigger);
        return true;
    }

    /**
     * vfio_pci_ioctl_get_pci_hot_reset_info (Linux 6.6+): EINVAL for argsz &lt; 12; ENODEV without a slot or bus
     * reset; EPERM when an affected function has no IOMMU group; otherwise fills the entries that fit, sets count to
     * the number of affected functions and flags to 0 (group path), and returns ENOSPC when not all fit.
     */
    private int hotResetInfo(FakeDevice d, ByteBuffer b) {
        int argsz = b.getInt(VfioAbi.HotResetInfo.ARGSZ);
        if (argsz < VfioAbi.HotResetInfo.SIZE) {
            return -EINVAL;
        }
        if (d.hotReset == null) {
            return -ENODEV;
        }
        int room = (argsz - VfioAbi.HotResetInfo.SIZE) / VfioAbi.DependentDevice.SIZE;
        int written = 0;
        for (HotResetDep dep : d.hotReset) {
            if (written >= room) {
                continue;
            }
            if (dep.group() < 0) {
                return -EPERM;
            }
            int at = VfioAbi.HotResetInfo.DEVICES + written * VfioAbi.DependentDevice.SIZE;
            b.putInt(at + VfioAbi.DependentDevice.GROUP_ID, dep.group());
            b.putShort(at + VfioAbi.DependentDevice.SEGMENT, (short) dep.address().domain());
            b.put(at + VfioAbi.DependentDevice.BUS, (byte) dep.address().bus());
            b.put(at + VfioAbi.DependentDevice.DEVFN, (byte) (dep.address().device() << 3 | dep.address().function()));
            written++;
        }
        b.putInt(VfioAbi.HotResetInfo.FLAGS, 0);
        b.putInt(VfioAbi.HotResetInfo.COUNT, d.hotReset.size());
        return written < d.hotReset.size() ? -ENOSPC : 0;
    }

    private @Nullable FakeRegion region(DeviceDescriptor df, long offset, long length) {
        int index = (int) (offset >>> OFFSET_SHIFT);
        FakeRegion r = df.device().regions.get(index);
        long inRegion = offset & ((1L << OFFSET_SHIFT) - 1);
        if (r == null || inRegion + length > r.data.capacity()) {
            return null;
        }
        return r;
    }

    @Override
    public synchronized long pread(int fd, ByteBuffer buffer, long offset) {
        return regionAccess(fd, buffer, offset, false);
    }

    @Override
    public synchronized long pwrite(int fd, ByteBuffer buffer, long offset) {
        return regionAccess(fd, buffer, offset, true);
    }

    /** pread or pwrite of a device's region: the bytes moved, or the kernel's negative errno. */
    private long regionAccess(int fd, ByteBuffer buffer, long offset, boolean write) {
        Object o = boundDevice(fds.get(fd));
        if (!(o instanceof DeviceDescriptor df)) {
            return o == null ? -EBADF : -EINVAL;
        }
        int n = buffer.remaining();
        FakeRegion r = region(df, offset, n);
        if (r == null) {
            return -EINVAL;
        }
        int at = (int) (offset & ((1L << OFFSET_SHIFT) - 1));
        boolean config = offset >>> OFFSET_SHIFT == VfioAbi.PCI_CONFIG_REGION_INDEX;
        if (config && !write) {
            buffer.duplicate().put(df.device().config, at, n);
        } else if (config) {
            if (at < 4) {
                return n; // vendor/device ids are read-only: the write is accepted and dropped
            }
            buffer.duplicate().get(df.device().config, at, n);
        } else if (!write) {
            ByteBuffer src = r.data.duplicate();
            src.position(at).limit(at + n);
            buffer.duplicate().put(src);
        } else {
            ByteBuffer dst = r.data.duplicate();
            dst.position(at);
            dst.put(buffer.duplicate());
        }
        return n;
    }

    @Override
    public synchronized long read(int fd, ByteBuffer buffer) {
        Object o = fds.get(fd);
        if (o instanceof MigrationDataFd m) {
            if (m.resuming) {
                return -EINVAL;
            }
            if (m.ended) {
                return -ENODEV;
            }
            boolean pre = m.device.migState != MigrationState.STOP_COPY;
            byte[] data = pre ? m.device.preCopyData : m.data();
            if (m.pos >= data.length) {
                return pre ? -ENOMSG : 0;
            }
            int n = Math.min(buffer.remaining(), data.length - m.pos);
            buffer.duplicate().put(data, m.pos, n);
            m.pos += n;
            return n;
        }
        if (!(o instanceof EventObj e)) {
            return o == null ? -EBADF : -EINVAL;
        }
        if (buffer.remaining() < 8) {
            return -EINVAL;
        }
        if (e.counter == 0) {
            return -EAGAIN;
        }
        buffer.duplicate().order(ByteOrder.nativeOrder()).putLong(e.counter);
        e.counter = 0;
        return 8;
    }

    @Override
    public synchronized long write(int fd, ByteBuffer buffer) {
        Object o = fds.get(fd);
        if (o instanceof MigrationDataFd m) {
            if (!m.resuming) {
                return -EINVAL;
            }
            if (m.ended) {
                return -ENODEV;
            }
            int n = Math.min(buffer.remaining(), 4096); // short writes, as a pipe might
            byte[] bytes = new byte[n];
            buffer.duplicate().get(bytes);
            m.received.write(bytes, 0, n);
            return n;
        }
        if (!(o instanceof EventObj e)) {
            return o == null ? -EBADF : -EINVAL;
        }
        if (buffer.remaining() < 8) {
            return -EINVAL;
        }
        e.counter += buffer.duplicate().order(ByteOrder.nativeOrder()).getLong();
        notifyAll();
        return 8;
    }

    @Override
    public synchronized long mmap(long length, int prot, int flags, int fd, long offset) {
        if (length <= 0 || length > Integer.MAX_VALUE) {
            return -EINVAL;
        }
        ByteBuffer backing;
        if ((flags & MAP_ANONYMOUS) != 0) {
            backing = ByteBuffer.allocateDirect((int) length);
        } else {
            Object o = boundDevice(fds.get(fd));
            if (!(o instanceof DeviceDescriptor df)) {
                return o == null ? -EBADF : -EINVAL;
            }
            if ((offset & 4095) != 0) {
                return -EINVAL;
            }
            FakeRegion r = region(df, offset, length);
            if (r == null || (r.flags & VfioAbi.REGION_INFO_FLAG_MMAP) == 0) {
                return -EINVAL;
            }
            long at = offset & ((1L << OFFSET_SHIFT) - 1);
            if (!r.sparse.isEmpty()) {
                boolean inside = false;
                for (long[] a : r.sparse) {
                    inside |= at >= a[0] && at + length <= a[0] + a[1];
                }
                if (!inside) {
                    return -EINVAL;
                }
            }
            ByteBuffer s = r.data.duplicate();
            s.position((int) at).limit((int) (at + length));
            backing = s.slice();
        }
        long address = nextAddress;
        nextAddress += (length + 0x1fffff) & ~0x1fffffL; // keep every mapping 2 MiB aligned
        memory.put(address, backing);
        return address;
    }

    @Override
    public synchronized int munmap(long address, long length) {
        return memory.remove(address) == null ? -EINVAL : 0;
    }

    public int mmapCount() {
        return memory.size();
    }

    @Override
    public synchronized int eventfd(int initialValue, int flags) {
        EventObj e = new EventObj();
        e.counter = initialValue;
        return newFd(e);
    }

    /**
     * poll(2): an eventfd is readable while its counter is non-zero; a saving migration data fd while {@code read}
     * would not fail with EAGAIN/ENOMSG (data left, or the end of STOP_COPY), a resuming one is writable; an ended
     * saving session reports POLLIN|POLLRDHUP (mlx5vf_save_poll on a disabled/errored file; read then fails with
     * ENODEV), an ended resuming one POLLHUP; an unknown descriptor POLLNVAL. Waits (releasing the fake's lock)
     * until an event or the timeout; {@link #write}, interrupt loopbacks, migration state changes and
     * {@link #appendPreCopyData} wake it. {@link #pollEintr} makes the next polls fail with EINTR (a signal).
     */
    @Override
    public synchronized int poll(int[] fds, short events, short[] revents, int timeoutMillis) {
        if (pollEintr > 0) {
            pollEintr--;
            return -4; // EINTR
        }
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
        while (true) {
            int ready = 0;
            for (int i = 0; i < fds.length; i++) {
                revents[i] = (short) (pollState(fds[i]) & (events | POLLERR | POLLHUP | POLLNVAL));
                ready += revents[i] != 0 ? 1 : 0;
            }
            long left = timeoutMillis < 0 ? Long.MAX_VALUE : deadline - System.nanoTime();
            if (ready > 0 || left <= 0) {
                return ready;
            }
            try {
                wait(timeoutMillis < 0 ? 0 : Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -4; // EINTR
            }
        }
    }

    private int pollState(int fd) {
        Object o = fds.get(fd);
        if (o instanceof EventObj e) {
            return e.counter != 0 ? POLLIN : 0;
        }
        if (o instanceof MigrationDataFd m) {
            if (m.ended) {
                return m.resuming ? POLLHUP : POLLIN | POLLRDHUP;
            }
            if (m.resuming) {
                return POLLOUT;
            }
            boolean pre = m.device.migState != MigrationState.STOP_COPY;
            return !pre || m.pos < m.device.preCopyData.length ? POLLIN : 0;
        }
        return o == null ? POLLNVAL : POLLIN | POLLOUT;
    }

    /** How many of the next {@link #poll} calls fail with EINTR, as if a signal arrived. */
    public int pollEintr;

    /**
     * New PRE_COPY data becomes readable (a driver's asynchronous SAVE of dirty state completed, as mlx5's
     * callback does before waking poll_wait): appends to {@link FakeDevice#preCopyData} and wakes pollers.
     *
     * @param d the device
     * @param more the bytes
     */
    public synchronized void appendPreCopyData(FakeDevice d, byte[] more) {
        byte[] all = java.util.Arrays.copyOf(d.preCopyData, d.preCopyData.length + more.length);
        System.arraycopy(more, 0, all, d.preCopyData.length, more.length);
        d.preCopyData = all;
        notifyAll();
    }

    public long eventCounter(int fd) {
        return fds.get(fd) instanceof EventObj e ? e.counter : -1;
    }

    @Override
    public synchronized ByteBuffer memory(long address, int length) {
        Map.Entry<Long, ByteBuffer> e = memory.floorEntry(address);
        if (e == null || address - e.getKey() + length > e.getValue().capacity()) {
            throw new IllegalArgumentException("no fake memory at 0x" + Long.toHexString(address));
        }
        ByteBuffer s = e.getValue().duplicate();
        s.position((int) (address - e.getKey())).limit((int) (address - e.getKey() + length));
        ByteBuffer view = s.slice();
        foreignBuffers.put(view, address);
        return view;
    }

    @Override
    public synchronized long addressOf(ByteBuffer direct) {
        // a plain ByteBuffer.allocateDirect: 16-byte aligned, like malloc, not page-aligned
        return foreignBuffers.computeIfAbsent(direct, k -> {
            long a = nextAddress + 16;
            nextAddress += 0x200000;
            return a;
        });
    }

    @Override
    public long pageSize() {
        return 4096;
    }

    // ---- iommufd and VFIO device cdevs (drivers/iommu/iommufd/, drivers/vfio/device_cdev.c, Linux 6.12) ----

    public static final int EBADFD = 77;
    public static final int EOVERFLOW = 75;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final long IOMMUFD_ALIGNMENT = 4096;

    /** Whether /dev/iommu exists (CONFIG_IOMMUFD). */
    public boolean iommufdAvailable;
    private int nextCdev;

    /** The iommufd context the descriptor refers to, for tests. */
    public int ioasCount() {
        int n = 0;
        for (Object o : fds.values()) {
            if (o instanceof IommufdContext ictx) {
                n += ictx.ioas.size();
            }
        }
        return n;
    }

    private @Nullable Object boundDevice(@Nullable Object o) {
        return o instanceof DeviceCdev c && c.bound != null ? c.bound : o;
    }

    private int openCdev(String name) {
        for (FakeGroup g : groups.values()) {
            for (FakeDevice d : g.devices.values()) {
                if (name.equals(d.cdev)) {
                    return newFd(new DeviceCdev(g, d));
                }
            }
        }
        return -ENOENT;
    }

    private int bindIommufd(DeviceCdev c, ByteBuffer b) {
        if (b.getInt(0) < IommufdAbi.BindIommufd.SIZE || b.getInt(IommufdAbi.BindIommufd.FLAGS) != 0
                || b.getInt(IommufdAbi.BindIommufd.IOMMUFD) < 0) {
            return -EINVAL;
        }
        if (c.group.open) {
            return -EBUSY; // vfio_device_block_group: the group is open through /dev/vfio/N
        }
        if (c.bound != null || c.device.openCount > 0) {
            return -EINVAL; // bound twice, or open elsewhere (vfio_df_open: the cdev path never shares a device)
        }
        Object target = fds.get(b.getInt(IommufdAbi.BindIommufd.IOMMUFD));
        if (target == null) {
            return -EBADF;
        }
        if (!(target instanceof IommufdContext ictx)) {
            return -EBADFD; // iommufd_ctx_from_fd: not an iommufd
        }
        if (!c.group.viable || (c.group.dmaOwner != null && c.group.dmaOwner != ictx)) {
            return -EPERM; // iommu_device_claim_dma_owner: a host driver or another iommufd owns the group's DMA
        }
        c.group.dmaOwner = ictx;
        c.group.cdevBound++;
        c.device.openCount++;
        c.ictx = ictx;
        c.bound = new DeviceDescriptor(c.group, c.device);
        b.putInt(IommufdAbi.BindIommufd.OUT_DEVID, ictx.nextId++);
        return 0;
    }

    private int attachPt(DeviceCdev c, ByteBuffer b) {
        if (b.getInt(0) < IommufdAbi.AttachPt.SIZE || b.getInt(IommufdAbi.AttachPt.FLAGS) != 0) {
            return -EINVAL;
        }
        IommufdContext ictx = c.ictx;
        if (ictx == null) {
            return -EINVAL;
        }
        FakeIoas target = ictx.ioas.get(b.getInt(IommufdAbi.AttachPt.PT_ID));
        if (target == null) {
            return -ENOENT;
        }
        for (long[] m : target.dma.values()) { // iopt_table_enforce_dev_resv_regions
            if (IoasRules.reserved(this, m[0], m[0] + m[1] - 1)) {
                return -EADDRINUSE;
            }
        }
        detachPt(c);
        c.ioas = target;
        target.attached.add(c);
        return 0;
    }

    private static void detachPt(DeviceCdev c) {
        if (c.ioas != null) {
            c.ioas.attached.remove(c);
            c.ioas = null;
        }
    }

    private void closeCdev(DeviceCdev c) {
        if (c.bound == null) {
            return;
        }
        detachPt(c);
        c.group.cdevBound--;
        if (c.group.cdevBound == 0) {
            c.group.dmaOwner = null;
        }
        deviceClosed(c.device);
    }

    /** What closing any descriptor of a device does to it (vfio_pci_core_close_device), legacy fd or cdev. */
    private static void deviceClosed(FakeDevice d) {
        d.openCount--;
        d.enabledIrqIndex = -1;
        d.triggers.clear();
        d.errTrigger = null; // vfio_pci_core_close_device puts err_trigger and req_trigger
        d.reqTrigger = null;
        d.endSession(); // vfio-pci drivers reset the migration state when the device is closed
        d.migState = MigrationState.RUNNING;
    }

    /** The buffer behind an address {@link #addressOf} handed out. */
    ByteBuffer foreign(long address) {
        for (Map.Entry<ByteBuffer, Long> e : foreignBuffers.entrySet()) {
            if (e.getValue() == address) {
                return e.getKey().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        throw new IllegalArgumentException("no buffer at 0x" + Long.toHexString(address));
    }
}
