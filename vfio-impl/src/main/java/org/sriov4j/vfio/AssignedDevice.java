package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * A device opened through VFIO for a guest: its regions (config space, BARs), interrupts and reset. Obtained from
 * {@link IommuDomain#openDevice(PciAddress, int)}; the device's DMA goes through that domain's mappings.
 *
 * <p>Example: <pre>{@code
 * try (AssignedDevice dev = domain.openDevice(PciAddress.parse("0000:01:10.0"), 6)) {
 *     int ids = dev.readConfig32(0);                  // 0x10ca8086: vendor 8086, device 10ca
 *     try (BarMapping bar0 = dev.mapRegion(0)) {
 *         int status = bar0.at(0x8).getInt();         // a device register
 *     }
 *     List<EventFd> fds = List.of(vfio.newEventFd(), vfio.newEventFd());
 *     dev.enableInterrupts(IrqInfo.MSIX, fds);
 *     ...
 *     dev.disableInterrupts(IrqInfo.MSIX);
 * }
 * }</pre>
 *
 * <p>Closing it disables the interrupts this object enabled and closes the device descriptor; the group stays with
 * the domain. Not thread-safe: confine a device to one thread or synchronise around it. The exceptions:
 * {@link #close()} may be called from any thread, including a notification listener ({@link #watch(Consumer)}), and
 * concurrently with itself.
 */
public final class AssignedDevice implements AutoCloseable {
    private final DeviceFd fd;
    private final IommuDomain domain;
    private final DeviceInfo info;
    private final List<Integer> enabledIrqs = new ArrayList<>();
    private final List<BarMapping> bars = new ArrayList<>();
    private @Nullable DeviceNotifications notifications;

    AssignedDevice(DeviceFd fd, IommuDomain domain) {
        this.fd = fd;
        this.domain = domain;
        this.info = fd.info();
    }

    /**
     * The device's PCI address.
     *
     * @return the address
     */
    public PciAddress address() {
        return fd.address();
    }

    /**
     * The IOMMU group number.
     *
     * @return the group
     */
    public int iommuGroup() {
        return fd.iommuGroup();
    }

    /**
     * The device info read when it was opened.
     *
     * @return flags, region and IRQ counts
     */
    public DeviceInfo info() {
        return info;
    }

    /**
     * One region's info (size, offset, flags, sparse-mmap areas).
     *
     * @param index region index (see {@link RegionInfo})
     * @return the info
     * @throws VfioException {@code EINVAL} for an index the device does not have
     */
    public RegionInfo region(int index) {
        return fd.regionInfo(index);
    }

    /**
     * One interrupt index's info.
     *
     * @param index IRQ index (see {@link IrqInfo})
     * @return the info
     */
    public IrqInfo irq(int index) {
        return fd.irqInfo(index);
    }

    /**
     * Reads bytes of a region with {@code pread} at the region's offset.
     *
     * @param index region index
     * @param offset offset inside the region
     * @param length bytes
     * @return the bytes, little-endian buffer positioned at 0
     * @throws IllegalArgumentException when the range is outside the region
     */
    public ByteBuffer readRegion(int index, long offset, int length) {
        RegionInfo r = fd.regionInfo(index);
        checkRange(r, offset, length);
        ByteBuffer b = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
        long n = fd.pread(b, r.offset() + offset);
        if (n != length) {
            throw new VfioException(VfioError.SYSTEM_CALL_FAILED, "pread", address(), Errno.EIO.number(), null,
                    "short read of region " + index + ": " + n + " of " + length + " bytes", false);
        }
        return b;
    }

    /**
     * Writes bytes into a region with {@code pwrite} at the region's offset.
     *
     * @param index region index
     * @param offset offset inside the region
     * @param data the bytes (from position to limit)
     */
    public void writeRegion(int index, long offset, ByteBuffer data) {
        RegionInfo r = fd.regionInfo(index);
        int length = data.remaining();
        checkRange(r, offset, length);
        ByteBuffer b = ByteBuffer.allocateDirect(length);
        b.put(data.duplicate()).flip();
        long n = fd.pwrite(b, r.offset() + offset);
        if (n != length) {
            throw new VfioException(VfioError.SYSTEM_CALL_FAILED, "pwrite", address(), Errno.EIO.number(), null,
                    "short write of region " + index + ": " + n + " of " + length + " bytes", false);
        }
    }

    private void checkRange(RegionInfo r, long offset, int length) {
        if (offset < 0 || length <= 0 || offset + length > r.size()) {
            throw new IllegalArgumentException("range 0x" + Long.toHexString(offset) + "+" + length
                    + " is outside region " + r.index() + " (size 0x" + Long.toHexString(r.size()) + ")");
        }
    }

    /**
     * Reads a 16-bit config space register.
     *
     * @param offset config space offset
     * @return the value
     */
    public int readConfig16(int offset) {
        return Short.toUnsignedInt(readRegion(RegionInfo.PCI_CONFIG, offset, 2).getShort(0));
    }

    /**
     * Reads a 32-bit config space register.
     *
     * @param offset config space offset
     * @return the value
     */
    public int readConfig32(int offset) {
        return readRegion(RegionInfo.PCI_CONFIG, offset, 4).getInt(0);
    }

    /**
     * Writes a 16-bit config space register (vfio-pci virtualises or filters some fields).
     *
     * @param offset config space offset
     * @param value the value
     */
    public void writeConfig16(int offset, int value) {
        ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) value);
        writeRegion(RegionInfo.PCI_CONFIG, offset, b);
    }

    /**
     * mmaps every mmappable area of a region, honouring the sparse-mmap capability.
     *
     * @param index region index (a BAR)
     * @return the mapping; close it before the device
     * @throws VfioException {@code EINVAL} (before the kernel) when the region cannot be mmapped
     */
    public BarMapping mapRegion(int index) {
        RegionInfo r = fd.regionInfo(index);
        List<RegionInfo.Area> areas = r.mappableAreas();
        if (areas.isEmpty()) {
            throw VfioException.rejected(VfioError.NOT_SUPPORTED, "mmap region " + index, address(), Errno.EINVAL,
                    r.size() == 0 ? "the region is not implemented" : "the region does not support mmap");
        }
        int prot = (r.readable() ? LinuxSyscalls.PROT_READ : 0) | (r.writable() ? LinuxSyscalls.PROT_WRITE : 0);
        List<BarMapping.Part> parts = new ArrayList<>();
        LinuxSyscalls sys = fd.sys();
        try {
            for (RegionInfo.Area a : areas) {
                long addr = fd.mmap(r.offset() + a.offset(), a.size(), prot);
                parts.add(new BarMapping.Part(a.offset(), a.size(), addr,
                        sys.memory(addr, (int) Math.min(a.size(), Integer.MAX_VALUE))
                                .order(ByteOrder.LITTLE_ENDIAN)));
            }
        } catch (RuntimeException e) {
            for (BarMapping.Part p : parts) {
                sys.munmap(p.address(), p.length());
            }
            throw e;
        }
        BarMapping m = new BarMapping(sys, r, parts);
        bars.add(m);
        return m;
    }

    /**
     * Binds eventfds to the vectors {@code 0..eventfds.size()-1} of an interrupt index and enables it
     * ({@code DATA_EVENTFD | ACTION_TRIGGER}). For MSI and MSI-X this enables the whole set at once.
     *
     * @param index {@link IrqInfo#MSI}, {@link IrqInfo#MSIX}, {@link IrqInfo#ERR}, {@link IrqInfo#REQ} or INTx
     * @param eventfds one per vector
     * @throws VfioException {@code EINVAL} (before the kernel) when the index has fewer vectors
     */
    public void enableInterrupts(int index, List<EventFd> eventfds) {
        IrqInfo irq = fd.irqInfo(index);
        if (eventfds.isEmpty() || eventfds.size() > irq.count()) {
            throw VfioException.rejected(VfioError.INVALID_REQUEST, "enable interrupts", address(), Errno.EINVAL,
                    "index " + index + " has "
                    + irq.count() + " vector(s), " + eventfds.size() + " eventfd(s) given");
        }
        int[] fds = eventfds.stream().mapToInt(EventFd::fd).toArray();
        fd.setIrqs("enable", VfioAbi.IRQ_SET_DATA_EVENTFD | VfioAbi.IRQ_SET_ACTION_TRIGGER, index, 0, fds.length, fds,
                null);
        if (!enabledIrqs.contains(index)) {
            enabledIrqs.add(index);
        }
    }

    /**
     * Disables an interrupt index ({@code DATA_NONE | ACTION_TRIGGER}, count 0) and unbinds its eventfds.
     *
     * @param index the IRQ index
     */
    public void disableInterrupts(int index) {
        fd.setIrqs("disable", VfioAbi.IRQ_SET_DATA_NONE | VfioAbi.IRQ_SET_ACTION_TRIGGER, index, 0, 0, null, null);
        enabledIrqs.remove(Integer.valueOf(index));
    }

    /**
     * Triggers a vector from software ({@code DATA_NONE | ACTION_TRIGGER}, count 1): the kernel signals its eventfd.
     * A loopback test of the wiring.
     *
     * @param index the IRQ index
     * @param vector the vector
     */
    public void triggerInterrupt(int index, int vector) {
        fd.setIrqs("trigger", VfioAbi.IRQ_SET_DATA_NONE | VfioAbi.IRQ_SET_ACTION_TRIGGER, index, vector, 1, null,
                null);
    }

    /**
     * Masks one vector ({@code DATA_NONE | ACTION_MASK}). Only indexes the kernel reports
     * {@linkplain IrqInfo#maskable() maskable} support it (vfio-pci: INTx; MSI/MSI-X masking is done in the
     * device's MSI-X table instead).
     *
     * @param index the IRQ index
     * @param vector the vector
     * @throws VfioException {@code ENOTTY} (before the kernel) when the index is not maskable
     */
    public void mask(int index, int vector) {
        maskOrUnmask(index, vector, VfioAbi.IRQ_SET_ACTION_MASK, "mask");
    }

    /**
     * Unmasks one vector ({@code DATA_NONE | ACTION_UNMASK}).
     *
     * @param index the IRQ index
     * @param vector the vector
     * @throws VfioException {@code ENOTTY} (before the kernel) when the index is not maskable
     */
    public void unmask(int index, int vector) {
        maskOrUnmask(index, vector, VfioAbi.IRQ_SET_ACTION_UNMASK, "unmask");
    }

    private void maskOrUnmask(int index, int vector, int action, String what) {
        IrqInfo irq = fd.irqInfo(index);
        if (!irq.maskable()) {
            throw VfioException.rejected(VfioError.NOT_SUPPORTED, what + " interrupt", address(), Errno.ENOTTY,
                    "index " + index + " is not maskable through VFIO");
        }
        fd.setIrqs(what, VfioAbi.IRQ_SET_DATA_NONE | action, index, vector, 1, null, null);
    }

    /**
     * Resets the device ({@code VFIO_DEVICE_RESET}, a function-level reset for a VF).
     *
     * @throws VfioException {@code EINVAL} (before the kernel) when the device reports no reset support
     */
    public void reset() {
        if (!info.resetSupported()) {
            throw VfioException.rejected(VfioError.NOT_SUPPORTED, "VFIO_DEVICE_RESET", address(), Errno.EINVAL,
                    "the device has no reset");
        }
        fd.reset();
    }

    /**
     * Probes VFIO migration v2 support ({@code VFIO_DEVICE_FEATURE} GET MIGRATION).
     *
     * @return what the driver offers; {@code supported() == false} with a reason when it has no migration driver
     */
    public MigrationSupport migration() {
        return fd.migration();
    }

    /**
     * The VFIO migration v2 state machine of this device.
     *
     * @return the state machine
     * @throws VfioException {@code ENOTTY} when the device does not support migration (the message says so and
     *     why, from {@link MigrationSupport#reason()})
     */
    public DeviceMigration migrationControl() {
        MigrationSupport s = fd.migration();
        if (!s.supported()) {
            throw VfioException.kernel(VfioError.NOT_SUPPORTED, "VFIO_DEVICE_FEATURE MIGRATION", address(), fd.path(),
                    -Errno.ENOTTY.number(), "the device does not support migration: " + s.reason());
        }
        return new DeviceMigration(fd, s);
    }

    /**
     * Watches the device's ERR and REQ notifications: binds an eventfd to each index the device has and starts a daemon
     * thread ({@code sriov4j-notify-DDDD:BB:DD.F}) that calls {@code listener} with a {@link DeviceNotification}
     * whenever the kernel signals one. REQUEST means the host wants the device back (its driver is being unbound from
     * vfio-pci; the unbind waits until this device is closed): close it. ERROR means an uncorrectable PCIe error was
     * reported. The listener may close the handle, this device or the domain.
     *
     * <p>Example: <pre>{@code
     * DeviceNotifications watch = dev.watch(n -> {
     *     if (n.kind() == DeviceNotification.Kind.REQUEST) {
     *         vm.unplug(n.device());
     *         dev.close();                      // lets the host's unbind finish
     *     }
     * });
     * System.out.println("watching " + watch.enabled());   // [REQUEST, ERROR] on a PCIe function
     * }</pre>
     *
     * @param listener called on the watcher thread, one notification at a time
     * @return the handle; closing it (or this device) stops watching
     * @throws IllegalStateException when the device is closed or already watched through another open handle
     * @throws VfioException when the kernel refuses to bind an eventfd (nothing stays bound)
     */
    public synchronized DeviceNotifications watch(Consumer<DeviceNotification> listener) {
        Objects.requireNonNull(listener, "listener");
        if (fd.isClosed()) {
            throw new IllegalStateException("device " + address() + " is closed");
        }
        if (notifications != null) {
            throw new IllegalStateException("the notifications of " + address() + " are already watched: the kernel"
                    + " has one ERR and one REQ eventfd per device; close the other handle first");
        }
        DeviceNotifications n = DeviceNotifications.start(this, fd, listener);
        notifications = n;
        return n;
    }

    /** Unbinds the notification eventfds (the kernel already did when the device is closed). */
    synchronized void unbindNotifications(List<Integer> indexes) {
        if (fd.isClosed()) {
            return;
        }
        RuntimeException first = null;
        for (int index : indexes) {
            try {
                DeviceNotifications.disable(fd, index);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    synchronized void notificationsClosed(DeviceNotifications n) {
        if (notifications == n) {
            notifications = null;
        }
    }

    /**
     * What a hot reset (bus or slot reset) of this device would affect ({@code VFIO_DEVICE_GET_PCI_HOT_RESET_INFO},
     * with the kernel's argsz protocol: asked again with room for the count it reports).
     *
     * @return the affected functions and their IOMMU groups, or {@code resettable() == false} with the reason when
     *     the kernel offers no slot or bus reset for it
     * @throws VfioException for other refusals
     */
    public HotResetInfo hotResetInfo() {
        return fd.hotResetInfo();
    }

    /**
     * Whether this device is still open.
     *
     * @return false once closed
     */
    public boolean isOpen() {
        return !fd.isClosed();
    }

    DeviceFd fd() {
        return fd;
    }

    /**
     * Stops watching notifications ({@link DeviceNotifications#close()}), unmaps its BAR mappings, disables the
     * interrupts enabled through this object, and closes the device descriptor. The group and the domain's mappings
     * stay. May be called from a notification listener.
     */
    @Override
    public void close() {
        DeviceNotifications n;
        synchronized (this) {
            n = notifications;
        }
        RuntimeException first = null;
        if (n != null) {
            try {
                n.close(); // without this device's lock: the watcher's listener may be closing the device too
            } catch (RuntimeException e) {
                first = e;
            }
        }
        synchronized (this) {
            if (fd.isClosed()) {
                if (first != null) {
                    throw first;
                }
                return;
            }
            first = closeLocked(first);
        }
        domain.deviceClosed(this); // outside this device's lock: the domain's close holds its lock and closes devices
        if (first != null) {
            throw first;
        }
    }

    private @Nullable RuntimeException closeLocked(@Nullable RuntimeException failure) {
        RuntimeException first = failure;
        for (BarMapping m : bars) {
            try {
                m.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (Integer index : List.copyOf(enabledIrqs)) {
            try {
                disableInterrupts(index);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        fd.close();
        return first;
    }
}
