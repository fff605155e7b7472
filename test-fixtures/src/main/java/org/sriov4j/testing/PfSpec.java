package org.sriov4j.testing;

import java.util.Objects;
import org.sriov4j.PciId;

/**
 * An immutable description of an SR-IOV physical function as the {@link SimulatedKernel} boots it: the function
 * itself, the SR-IOV capability (hardware total VFs, routing-id offset and stride, VF device id), how many VFs are
 * enabled at boot and the initial {@code sriov_drivers_autoprobe}.
 *
 * <pre>{@code
 * PfSpec pf = PfSpec.intel82576().withNumaNode(1).withEnabledVfs(4).withDriversAutoprobe(false);
 * }</pre>
 *
 * <p>The VFs of a PF have the PF's vendor with {@link #vfDeviceId()}, the PF's class, subsystem ids, revision and
 * NUMA node, and the reset method {@code flr}. VF {@code i} sits at routing id
 * {@code pf + vfOffset + vfStride * i}. {@code sriov_totalvfs} shows {@link #totalVfs()} while the PF has no
 * driver and the driver's limit ({@link DriverSpec#withSriov(int)}) while it has one. Every {@code with...} method
 * returns a new instance.
 */
public final class PfSpec {

    private final FunctionSpec function;
    private final int totalVfs;
    private final int vfOffset;
    private final int vfStride;
    private final int vfDeviceId;
    private final int enabledVfs;
    private final boolean driversAutoprobe;

    private PfSpec(FunctionSpec function, int totalVfs, int vfOffset, int vfStride, int vfDeviceId, int enabledVfs,
            boolean driversAutoprobe) {
        this.function = Objects.requireNonNull(function, "function");
        if (totalVfs < 0 || totalVfs > 0xffff) {
            throw new IllegalArgumentException("totalVfs must be 0..0xffff: " + totalVfs);
        }
        if (vfOffset < 0 || vfOffset > 0xffff || vfStride < 0 || vfStride > 0xffff) {
            throw new IllegalArgumentException("VF offset and stride must be 0..0xffff: " + vfOffset + ", " + vfStride);
        }
        if (totalVfs > 0 && vfOffset == 0) {
            throw new IllegalArgumentException("VF offset 0 would put VF 0 on the PF itself");
        }
        if (totalVfs > 1 && vfStride == 0) {
            throw new IllegalArgumentException("VF stride 0 would put every VF at the same address");
        }
        if (vfDeviceId < 0 || vfDeviceId > 0xffff) {
            throw new IllegalArgumentException("VF device id must be 0..0xffff: " + vfDeviceId);
        }
        if (enabledVfs < 0 || enabledVfs > totalVfs) {
            throw new IllegalArgumentException("enabledVfs must be 0.." + totalVfs + ": " + enabledVfs);
        }
        this.totalVfs = totalVfs;
        this.vfOffset = vfOffset;
        this.vfStride = vfStride;
        this.vfDeviceId = vfDeviceId;
        this.enabledVfs = enabledVfs;
        this.driversAutoprobe = driversAutoprobe;
    }

    /**
     * A PF with the given function and SR-IOV capability, no VFs enabled at boot and autoprobe on.
     *
     * @param function the PF's own function (ids, class, boot driver, NUMA node ...)
     * @param totalVfs the hardware's TotalVFs, 0 to 0xffff
     * @param vfOffset routing-id offset of VF 0 from the PF (non-zero when {@code totalVfs > 0})
     * @param vfStride routing-id distance between VFs (non-zero when {@code totalVfs > 1})
     * @param vfDeviceId the VFs' device id
     * @return the description
     * @throws IllegalArgumentException if a value is out of range
     */
    public static PfSpec of(FunctionSpec function, int totalVfs, int vfOffset, int vfStride, int vfDeviceId) {
        return new PfSpec(function, totalVfs, vfOffset, vfStride, vfDeviceId, 0, true);
    }

    /**
     * An Intel 82576 port as QEMU emulates it (the device the project's real-kernel tests use): {@code 8086:10c9},
     * class {@code 0x020000}, subsystem {@code 1af4:1100}, driver {@code igb} (which limits the hardware's 8 VFs to
     * 7), reset methods {@code flr pm bus}, VF offset 128, stride 2, VF device {@code 10ca} (driver {@code igbvf}).
     *
     * @return the description
     */
    public static PfSpec intel82576() {
        FunctionSpec f = FunctionSpec.of(new PciId(0x8086, 0x10c9), 0x020000).withSubsystem(new PciId(0x1af4, 0x1100))
                .withDriver("igb").withResetMethods("flr pm bus");
        return of(f, 8, 128, 2, 0x10ca);
    }

    /**
     * An Intel 82599 SFP+ port: {@code 8086:10fb}, class {@code 0x020000}, driver {@code ixgbe} (which limits the
     * hardware's 64 VFs to 63), reset methods {@code flr pm bus}, VF offset 128, stride 2, VF device {@code 10ed}
     * (driver {@code ixgbevf}).
     *
     * @return the description
     */
    public static PfSpec intel82599() {
        FunctionSpec f = FunctionSpec.of(new PciId(0x8086, 0x10fb), 0x020000).withDriver("ixgbe")
                .withResetMethods("flr pm bus");
        return of(f, 64, 128, 2, 0x10ed);
    }

    /**
     * This PF with another function description.
     *
     * @param function the PF's function
     * @return a new description
     */
    public PfSpec withFunction(FunctionSpec function) {
        return new PfSpec(function, totalVfs, vfOffset, vfStride, vfDeviceId, enabledVfs, driversAutoprobe);
    }

    /**
     * This PF (and so its VFs) on a NUMA node.
     *
     * @param node 0 to 1023, or -1 for unknown
     * @return a new description
     * @throws IllegalArgumentException if the node is out of range
     */
    public PfSpec withNumaNode(int node) {
        return withFunction(function.withNumaNode(node));
    }

    /**
     * This PF bound at boot to another driver.
     *
     * @param driver the driver's name
     * @return a new description
     */
    public PfSpec withDriver(String driver) {
        return withFunction(function.withDriver(driver));
    }

    /**
     * This PF with no driver at boot ({@code sriov_numvfs} writes then fail with {@code ENOENT}).
     *
     * @return a new description; it must not enable VFs at boot
     */
    public PfSpec withoutDriver() {
        return withFunction(function.withoutDriver());
    }

    /**
     * This PF with a hardware TotalVFs other than the preset's.
     *
     * @param totalVfs 0 to 0xffff
     * @return a new description
     * @throws IllegalArgumentException if out of range or below {@link #enabledVfs()}
     */
    public PfSpec withTotalVfs(int totalVfs) {
        return new PfSpec(function, totalVfs, vfOffset, vfStride, vfDeviceId, enabledVfs, driversAutoprobe);
    }

    /**
     * This PF with {@code count} VFs enabled at boot, created as a write of {@code count} to {@code sriov_numvfs}
     * would create them (probed by their host driver when autoprobe is on).
     *
     * @param count 0 to the total the PF's boot driver allows
     * @return a new description
     * @throws IllegalArgumentException if negative or above the hardware's total; {@link SimulatedKernel.Builder#build()}
     *     also checks the driver's limit
     */
    public PfSpec withEnabledVfs(int count) {
        return new PfSpec(function, totalVfs, vfOffset, vfStride, vfDeviceId, count, driversAutoprobe);
    }

    /**
     * This PF with the given initial {@code sriov_drivers_autoprobe} (default true).
     *
     * @param autoprobe whether new VFs are probed by host drivers
     * @return a new description
     */
    public PfSpec withDriversAutoprobe(boolean autoprobe) {
        return new PfSpec(function, totalVfs, vfOffset, vfStride, vfDeviceId, enabledVfs, autoprobe);
    }

    /**
     * The PF's own function.
     *
     * @return the function description
     */
    public FunctionSpec function() {
        return function;
    }

    /**
     * The hardware's TotalVFs.
     *
     * @return the total
     */
    public int totalVfs() {
        return totalVfs;
    }

    /**
     * The routing-id offset of VF 0.
     *
     * @return the offset
     */
    public int vfOffset() {
        return vfOffset;
    }

    /**
     * The routing-id stride between VFs.
     *
     * @return the stride
     */
    public int vfStride() {
        return vfStride;
    }

    /**
     * The VFs' device id.
     *
     * @return the device id
     */
    public int vfDeviceId() {
        return vfDeviceId;
    }

    /**
     * How many VFs are enabled at boot.
     *
     * @return the count
     */
    public int enabledVfs() {
        return enabledVfs;
    }

    /**
     * The initial {@code sriov_drivers_autoprobe}.
     *
     * @return the value
     */
    public boolean driversAutoprobe() {
        return driversAutoprobe;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PfSpec p && function.equals(p.function) && totalVfs == p.totalVfs
                && vfOffset == p.vfOffset && vfStride == p.vfStride && vfDeviceId == p.vfDeviceId
                && enabledVfs == p.enabledVfs && driversAutoprobe == p.driversAutoprobe;
    }

    @Override
    public int hashCode() {
        return Objects.hash(function, totalVfs, vfOffset, vfStride, vfDeviceId, enabledVfs, driversAutoprobe);
    }

    @Override
    public String toString() {
        return "PfSpec[" + function + ", totalVfs " + totalVfs + ", offset " + vfOffset + ", stride " + vfStride
                + ", vf device " + String.format("%04x", vfDeviceId) + ", enabled " + enabledVfs + ", autoprobe "
                + driversAutoprobe + "]";
    }
}
