package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * One guest address space in the IOMMU, shared by every device of the guest, through one of two kernel interfaces
 * ({@link #api()}): a VFIO type1v2 container ({@link IommuApi#LEGACY_CONTAINER}: groups are attached as devices
 * arrive, the IOMMU type is set once, with the first group) or an iommufd IO address space
 * ({@link IommuApi#IOMMUFD}: each device cdev is bound and attached as it arrives). Both behave the same here.
 *
 * <p>Every map request is validated before the kernel sees it, against what the kernel reported
 * ({@code VFIO_IOMMU_GET_INFO} or {@code IOMMU_IOAS_IOVA_RANGES}, re-read after each attach): non-zero length; IOVA, host address and length aligned
 * to the smallest supported IOMMU page size; no wrap-around of either range; entirely inside one reported IOVA range;
 * no overlap with an existing mapping; some access. A refused request throws {@link VfioException} with
 * {@link VfioException#rejectedBeforeKernel()} set and the errno the kernel (Linux 6.12) would have returned
 * ({@code EINVAL}, or {@code EEXIST} for an overlap). Unmap checks the size the kernel reports it unmapped against
 * the mapping table.
 *
 * <p>Example: <pre>{@code
 * VfioSystem vfio = VfioSystem.open();
 * try (IommuDomain domain = vfio.newDomain();
 *      HostMemory ram = vfio.allocate(2 << 20)) {
 *     AssignedDevice nic = domain.openDevice(PciAddress.parse("0000:01:10.0"), 6);
 *     domain.map(0x1000_0000L, ram.address(), ram.length(), DmaAccess.READ_WRITE);
 *     ...
 *     domain.unmap(0x1000_0000L, ram.length());
 * }   // closes the device, unmaps what is left, detaches the group, closes the container
 * }</pre>
 *
 * <p>Thread-safe: all methods synchronise on the domain.
 */
public final class IommuDomain implements AutoCloseable {
    private final DomainBacking backing;
    private final VfioSysfs system;
    private final LinuxSyscalls sys;
    private final List<AssignedDevice> devices = new ArrayList<>();
    private final DmaTable mappings = new DmaTable();
    private boolean closed;

    IommuDomain(DomainBacking backing, LinuxSyscalls sys, VfioSysfs system) {
        this.backing = backing;
        this.sys = sys;
        this.system = system;
    }

    /**
     * The kernel interface this domain uses.
     *
     * @return {@link IommuApi#LEGACY_CONTAINER} or {@link IommuApi#IOMMUFD}
     */
    public IommuApi api() {
        return backing.api();
    }

    /**
     * Opens the function of a lease for this guest: {@link #openDevice(PciAddress)} of {@link Lease#device()}. A
     * managed lease has already moved the function to vfio-pci; an unmanaged one needs it detached beforehand.
     * Close the device (or the domain) before closing the lease: the kernel blocks a driver unbind while a VFIO
     * device descriptor is open.
     *
     * @param lease a lease that is still held
     * @return the device
     * @throws IllegalStateException when the lease has ended
     * @throws VfioException as {@link #openDevice(PciAddress)}
     */
    public AssignedDevice openDevice(Lease lease) {
        if (!lease.isHeld()) {
            throw new IllegalStateException("the lease of " + lease.device() + " has ended");
        }
        return openDevice(lease.device());
    }

    /**
     * Opens a function bound to vfio-pci, finding its IOMMU group in sysfs ({@link VfioSystem#iommuGroup}), then as
     * {@link #openDevice(PciAddress, int)}.
     *
     * @param device the function
     * @return the device
     * @throws VfioException {@link VfioError#NOT_BOUND_TO_VFIO_PCI} ({@code ENODEV}, before anything is opened) when
     *     the function is not on vfio-pci; otherwise as {@link #openDevice(PciAddress, int)}
     */
    public AssignedDevice openDevice(PciAddress device) {
        checkOpen();
        return openDevice(device, system.iommuGroup(device));
    }

    /**
     * Opens a device for this guest. {@link IommuApi#LEGACY_CONTAINER}: opens its IOMMU group (once per domain),
     * checks it is viable, attaches it to the domain's container (setting the IOMMU type with the first group), and
     * gets the device descriptor. {@link IommuApi#IOMMUFD}: checks the group is viable (sysfs: every other device
     * of the group on no driver or a VFIO/stub/port driver), opens the device's cdev, binds it to the iommufd and
     * attaches it to the domain's IOAS.
     *
     * @param device the device, bound to vfio-pci
     * @param iommuGroup its IOMMU group number ({@code /sys/bus/pci/devices/BDF/iommu_group})
     * @return the device; close it (or the domain) when done
     * @throws VfioException {@link VfioError#GROUP_ALREADY_OPEN} ({@code EBUSY}) when the group is open elsewhere
     *     (legacy), {@code ENOENT} when it has no {@code /dev/vfio} node, {@link VfioError#GROUP_NOT_VIABLE}
     *     ({@code EPERM}) when not viable, {@code ENODEV} when the device is not in it (legacy) or has no cdev
     *     (iommufd), {@link VfioError#DEVICE_ALREADY_BOUND} ({@code EINVAL}, iommufd) when another descriptor has
     *     the device open
     */
    public synchronized AssignedDevice openDevice(PciAddress device, int iommuGroup) {
        checkOpen();
        if (iommuGroup < 0) {
            throw new IllegalArgumentException("IOMMU group number must be >= 0: " + iommuGroup);
        }
        DeviceFd fd = backing.open(device, iommuGroup);
        AssignedDevice d = new AssignedDevice(fd, this);
        devices.add(d);
        return d;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("IOMMU domain is closed");
        }
    }

    private ContainerFd.IommuInfo requireInfo(String op) {
        checkOpen();
        ContainerFd.IommuInfo i = backing.info();
        if (i == null) {
            throw new IllegalStateException(op + ": no device attached yet; the IOMMU is set with the first group");
        }
        return i;
    }

    /**
     * The IOMMU page sizes the kernel supports, as a bitmap ({@code 0x40201000}: 4 KiB, 2 MiB, 1 GiB). iommufd
     * reports only the alignment mappings need ({@code out_iova_alignment}), so the bitmap has that one bit.
     *
     * @return the bitmap
     * @throws IllegalStateException before the first device is attached
     */
    public synchronized long pageSizes() {
        return requireInfo("page sizes").pageSizes();
    }

    /**
     * The smallest IOMMU page size: the alignment every mapping needs.
     *
     * @return bytes
     */
    public synchronized long minPageSize() {
        return Long.lowestOneBit(pageSizes());
    }

    /**
     * The IOVA ranges mappings must lie in, as the kernel reported them after the last attach.
     *
     * @return the ranges
     */
    public synchronized List<IovaRange> iovaRanges() {
        return requireInfo("IOVA ranges").iovaRanges();
    }

    /**
     * How many more mappings the kernel allows, when it reports it ({@code VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL}).
     *
     * @return the number, or -1 when not reported
     */
    public synchronized int dmaMappingsAvailable() {
        return requireInfo("DMA available").dmaAvailable();
    }

    /**
     * Maps host memory for the domain's devices.
     *
     * @param iova the I/O virtual address (guest physical address)
     * @param hostAddress the process virtual address
     * @param length bytes
     * @param access what the devices may do; not empty
     * @return the mapping recorded
     * @throws VfioException see the class description; {@code rejectedBeforeKernel()} for validation failures
     */
    public synchronized DmaMapping map(long iova, long hostAddress, long length, Set<DmaAccess> access) {
        ContainerFd.IommuInfo i = requireInfo("map");
        String op = "map DMA";
        if (length == 0) {
            throw refuse(VfioError.INVALID_REQUEST, op, "length is 0");
        }
        if (access.isEmpty()) {
            throw refuse(VfioError.INVALID_REQUEST, op, "no access (READ and/or WRITE) given");
        }
        long page = Long.lowestOneBit(i.pageSizes());
        if (page != 0 && ((iova | hostAddress | length) & (page - 1)) != 0) {
            throw refuse(VfioError.UNALIGNED_MAP, op, "iova 0x" + Long.toHexString(iova) + ", host 0x"
                    + Long.toHexString(hostAddress) + " and length 0x" + Long.toHexString(length)
                    + " must be multiples of the IOMMU page size 0x" + Long.toHexString(page));
        }
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0 || Long.compareUnsigned(hostAddress + length - 1, hostAddress) < 0) {
            throw refuse(VfioError.INVALID_REQUEST, op, "the range wraps around the end of the address space");
        }
        boolean inside = false;
        List<IovaRange> ranges = i.iovaRanges();
        for (int k = 0; k < ranges.size() && !inside; k++) { // indexed: no iterator on the map hot path
            inside = ranges.get(k).contains(iova, last);
        }
        if (!inside) {
            throw refuse(VfioError.MAP_OUTSIDE_IOVA_RANGES, op, "iova 0x" + Long.toHexString(iova) + "-0x"
                    + Long.toHexString(last) + " is not inside one of the IOMMU's IOVA ranges " + i.iovaRanges());
        }
        DmaMapping overlap = mappings.overlapping(iova, last);
        if (overlap != null) {
            throw refuse(VfioError.OVERLAPPING_MAP, op, "overlaps the mapping " + overlap);
        }
        DmaMapping m = new DmaMapping(iova, hostAddress, length, access);
        Set<DmaAccess> a = m.access(); // canonical: one of three shared sets
        backing.map(iova, hostAddress, length, a != DmaAccess.WRITE_ONLY, a != DmaAccess.READ_ONLY);
        mappings.add(m);
        return m;
    }

    /**
     * Maps a direct buffer's whole capacity; the buffer must start and end on IOMMU page boundaries (e.g. a
     * {@link HostMemory#buffer()}). Keep the buffer reachable until it is unmapped.
     *
     * @param iova the I/O virtual address
     * @param direct a direct buffer
     * @param access what the devices may do
     * @return the mapping recorded
     */
    public synchronized DmaMapping map(long iova, ByteBuffer direct, Set<DmaAccess> access) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("only direct buffers can be mapped for DMA");
        }
        return map(iova, sys.addressOf(direct), direct.capacity(), access);
    }

    /**
     * Unmaps every mapping in {@code [iova, iova + length)}. The range must cover whole mappings (the kernel refuses
     * to split one) and contain at least one.
     *
     * @param iova first I/O virtual address
     * @param length bytes
     * @return the bytes unmapped, as the kernel reported them
     * @throws VfioException {@code EINVAL} for a range that splits a mapping, {@code ENOENT} when nothing is mapped
     *     there (both before the kernel), or when the kernel's unmapped size differs from the table's
     */
    public synchronized long unmap(long iova, long length) {
        ContainerFd.IommuInfo i = requireInfo("unmap");
        String op = "unmap DMA";
        if (length == 0) {
            throw refuse(VfioError.INVALID_REQUEST, op, "length is 0");
        }
        long page = Long.lowestOneBit(i.pageSizes());
        if (page != 0 && ((iova | length) & (page - 1)) != 0) {
            throw refuse(VfioError.INVALID_REQUEST, op, "iova and length must be multiples of 0x"
                    + Long.toHexString(page));
        }
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            throw refuse(VfioError.INVALID_REQUEST, op, "the range wraps around");
        }
        int exact = mappings.exact(iova, length);
        if (exact >= 0) { // the usual case: one whole mapping
            long unmapped = backing.unmap(iova, length);
            mappings.remove(exact, exact + 1);
            return checkUnmapped(op, unmapped, length);
        }
        // only the mappings that meet the range: the one containing iova, and those starting inside the range
        int[] meet = mappings.meeting(iova, last);
        long expected = 0;
        for (int k = meet[0]; k < meet[1]; k++) {
            DmaMapping m = mappings.get(k);
            if (Long.compareUnsigned(m.iova(), iova) < 0 || Long.compareUnsigned(m.lastIova(), last) > 0) {
                throw splits(op, iova, length, m);
            }
            expected += m.length();
        }
        if (meet[0] == meet[1]) {
            throw refuse(VfioError.NOT_MAPPED, op, "nothing is mapped in 0x" + Long.toHexString(iova)
                    + "+0x" + Long.toHexString(length));
        }
        long unmapped = backing.unmap(iova, length);
        mappings.remove(meet[0], meet[1]);
        return checkUnmapped(op, unmapped, expected);
    }

    private long checkUnmapped(String op, long unmapped, long expected) {
        if (unmapped != expected) {
            throw new VfioException(VfioError.SYSTEM_CALL_FAILED, op, null, 0, backing.path(), "the kernel unmapped 0x"
                    + Long.toHexString(unmapped) + " bytes, the mapping table expected 0x" + Long.toHexString(expected)
                    + "; the table now assumes the whole range is unmapped", false);
        }
        return unmapped;
    }

    /** A refusal before the kernel, with the kind's errno. */
    private static VfioException refuse(VfioError kind, String op, String detail) {
        return VfioException.rejected(kind, op, null, kind.errno().orElseThrow(), detail);
    }

    private static VfioException splits(String op, long iova, long length, DmaMapping m) {
        return refuse(VfioError.INVALID_REQUEST, op, "the range 0x" + Long.toHexString(iova) + "+0x"
                + Long.toHexString(length) + " splits the mapping " + m);
    }

    /**
     * The mapping table, by IOVA.
     *
     * @return a snapshot of the current mappings
     */
    public synchronized List<DmaMapping> mappings() {
        return mappings.snapshot();
    }

    /**
     * The mapping that contains an IOVA.
     *
     * @param iova an I/O virtual address
     * @return the mapping, or null
     */
    public synchronized @Nullable DmaMapping mappingAt(long iova) {
        return mappings.containing(iova);
    }

    /**
     * The devices open in this domain.
     *
     * @return a snapshot
     */
    public synchronized List<AssignedDevice> devices() {
        return List.copyOf(devices);
    }

    /**
     * The IOMMU groups attached.
     *
     * @return group numbers, in attach order
     */
    public synchronized List<Integer> groups() {
        return backing.groups();
    }

    /** The backing: the kernel's interface without the domain's validation and table (tests reach the kernel). */
    DomainBacking backing() {
        return backing;
    }

    synchronized void deviceClosed(AssignedDevice d) {
        devices.remove(d);
    }

    /**
     * Tears the domain down in the kernel's order: closes the devices (disabling their interrupts), unmaps every
     * mapping, then detaches and closes the groups and the container (legacy) or destroys the IOAS and closes the
     * iommufd. Every step is attempted; the first failure is thrown afterwards with the others suppressed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (AssignedDevice d : List.copyOf(devices)) {
            try {
                d.close();
            } catch (RuntimeException e) {
                first = add(first, e);
            }
        }
        for (DmaMapping m : mappings.snapshot()) {
            try {
                backing.unmap(m.iova(), m.length());
            } catch (RuntimeException e) {
                first = add(first, e);
            }
        }
        mappings.clear();
        try {
            backing.close();
        } catch (RuntimeException e) {
            first = add(first, e);
        }
        if (first != null) {
            throw first;
        }
    }

    static RuntimeException add(@Nullable RuntimeException first, RuntimeException e) {
        if (first == null) {
            return e;
        }
        first.addSuppressed(e);
        return first;
    }
}
