package org.sriov4j.vfio.testing;

import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.VfioSystem;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;
import org.sriov4j.vfio.testing.internal.VfioSystems;

/**
 * VFIO on a simulated host: a {@link VfioSystem} whose sysfs and {@code /dev} are those of a {@link SimulatedKernel}
 * and whose system calls go to a fake kernel that applies Linux 6.12's VFIO rules. For unit tests of a VMM's code
 * that uses {@code org.sriov4j.vfio}, without a kernel, an IOMMU or a device; nothing native is loaded.
 *
 * <p>One host: {@code /dev/vfio/vfio} and {@code /dev/vfio/N} open only while the simulator has those nodes (vfio-pci
 * loaded, a member of group N on it); a group holds the simulator's members that are bound to vfio-pci and is
 * viable by the engine's rule; a device's config space carries the simulator's vendor and device ids. A function the
 * engine leases ({@link org.sriov4j.SriovHost#lease}, managed: moved to vfio-pci in the simulator) therefore opens
 * through {@link #system()}, and one it has not is refused as on a real host
 * ({@link org.sriov4j.vfio.VfioError#NOT_BOUND_TO_VFIO_PCI}). Requests are answered as the kernel answers them:
 * an unaligned DMA map is {@link org.sriov4j.vfio.VfioError#UNALIGNED_MAP} ({@code EINVAL}), an overlapping one
 * {@link org.sriov4j.vfio.VfioError#OVERLAPPING_MAP} ({@code EEXIST}), a map outside the IOVA ranges
 * {@link org.sriov4j.vfio.VfioError#MAP_OUTSIDE_IOVA_RANGES}, and so on.
 *
 * <p>Example: <pre>{@code
 * SimulatedKernel kernel = SimulatedKernel.intel82576Host();
 * SimulatedVfio vfio = SimulatedVfio.joinedTo(kernel);
 * try (SriovHost host = kernel.openHost()) {
 *     PciAddress vf = host.enableVfs(PciAddress.parse("0000:01:00.0"), 1).vfs().get(0);
 *     try (Lease lease = host.lease(vf, "vm1");
 *          IommuDomain domain = vfio.system().newDomain();
 *          HostMemory ram = vfio.system().allocate(2 << 20)) {
 *         AssignedDevice dev = domain.openDevice(lease);
 *         domain.map(0x1000_0000L, ram.address(), ram.length(), DmaAccess.READ_WRITE);
 *         dev.close();
 *     }
 *     assertEquals(0, vfio.openDescriptors());   // the code under test closed everything it opened
 * }
 * }</pre>
 *
 * <p>What the fake does not model: permissions, the noiommu mode, container sharing across processes, MSI-X table
 * contents. Thread-safe: every system call holds the fake's lock.
 */
public final class SimulatedVfio {
    private final FakeVfioKernel kernel;
    private final VfioSystem system;

    private SimulatedVfio(FakeVfioKernel kernel, VfioSystem system) {
        this.kernel = kernel;
        this.system = system;
    }

    /**
     * VFIO joined to a simulated host: the legacy container and group interface (type1 IOMMU), devices found
     * through the simulator's sysfs.
     *
     * @param host the simulated host
     * @return VFIO on that host
     */
    public static SimulatedVfio joinedTo(SimulatedKernel host) {
        FakeVfioKernel kernel = FakeVfioKernel.joinedTo(host);
        return new SimulatedVfio(kernel, VfioSystems.over(kernel, host, host.devices(), null));
    }

    /**
     * The VFIO system to hand to the code under test, as {@link VfioSystem#open(org.sriov4j.SriovConfig)} would
     * on a real host.
     *
     * @return the system
     */
    public VfioSystem system() {
        return system;
    }

    /**
     * How many descriptors are open in the fake kernel now (containers, groups, devices, eventfds, migration data
     * fds): 0 once the code under test has closed everything it opened.
     *
     * @return the count
     */
    public int openDescriptors() {
        return kernel.openFds();
    }

    /**
     * How many bytes of DMA are mapped now, over every container and IO address space.
     *
     * @return bytes
     */
    public long mappedBytes() {
        return kernel.mappedBytes();
    }

    /**
     * The host asks for an open device back, as vfio-pci does when the function is being unbound (another process,
     * or the VF count set to 0): signals the device's REQ eventfd, which {@link
     * org.sriov4j.vfio.AssignedDevice#watch} turns into a {@link org.sriov4j.vfio.DeviceNotification}. Without a REQ
     * eventfd bound, nothing is signalled (the real unbind then blocks until the device is closed).
     *
     * @param device the function
     * @return whether a REQ eventfd was signalled
     * @throws IllegalArgumentException if the function is not open through this fake
     */
    public boolean requestRelease(PciAddress device) {
        return kernel.requestRelease(openDevice(device));
    }

    /**
     * The device reports an uncorrectable error, as AER does: signals its ERR eventfd (PCI Express functions only).
     *
     * @param device the function
     * @return whether an ERR eventfd was signalled
     * @throws IllegalArgumentException if the function is not open through this fake
     */
    public boolean reportError(PciAddress device) {
        return kernel.reportError(openDevice(device));
    }

    private FakeDevice openDevice(PciAddress device) {
        FakeDevice d = kernel.device(device.toString());
        if (d == null || d.openCount == 0) {
            throw new IllegalArgumentException(device + " is not open through this fake VFIO");
        }
        return d;
    }

    @Override
    public String toString() {
        return "SimulatedVfio[" + kernel.openFds() + " open descriptors, " + kernel.mappedBytes() + " bytes mapped]";
    }
}
