package org.sriov4j.testing;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciId;

/**
 * An immutable description of one PCI function without SR-IOV (a NIC port, a bridge, a storage controller ...) as
 * the {@link SimulatedKernel} boots it: ids, class, the driver bound at boot, NUMA node and reset methods.
 *
 * <pre>{@code
 * FunctionSpec port = FunctionSpec.of("8086:105e", 0x020000).withDriver("e1000e").withNumaNode(0);
 * }</pre>
 *
 * <p>Defaults of {@link #of(PciId, int)}: subsystem ids equal to the ids, revision {@code 0x01}, no driver, no
 * {@code driver_override}, NUMA node {@code -1} (unknown), no reset method (so no {@code reset} attribute). Every
 * {@code with...} method returns a new instance.
 */
public final class FunctionSpec {

    private final PciId id;
    private final int classCode;
    private final PciId subsystem;
    private final int revision;
    private final @Nullable String driver;
    private final @Nullable String driverOverride;
    private final int numaNode;
    private final String resetMethods;

    private FunctionSpec(PciId id, int classCode, PciId subsystem, int revision, @Nullable String driver,
            @Nullable String driverOverride, int numaNode, String resetMethods) {
        this.id = id;
        this.classCode = classCode;
        this.subsystem = subsystem;
        this.revision = revision;
        this.driver = driver;
        this.driverOverride = driverOverride;
        this.numaNode = numaNode;
        this.resetMethods = resetMethods;
    }

    /**
     * A function with the given ids and class and every other field at its default.
     *
     * @param id vendor and device id
     * @param classCode the 24-bit class code, e.g. {@code 0x020000} (Ethernet)
     * @return the description
     * @throws IllegalArgumentException if the class code is not 24-bit
     */
    public static FunctionSpec of(PciId id, int classCode) {
        Objects.requireNonNull(id, "id");
        if (classCode < 0 || classCode > 0xffffff) {
            throw new IllegalArgumentException("class code must be 24-bit: 0x" + Integer.toHexString(classCode));
        }
        return new FunctionSpec(id, classCode, id, 0x01, null, null, -1, "");
    }

    /**
     * A function with the given ids and class, e.g. {@code of("8086:10d3", 0x020000)}.
     *
     * @param id {@code vvvv:dddd}, see {@link PciId#parse(String)}
     * @param classCode the 24-bit class code
     * @return the description
     * @throws IllegalArgumentException if the id cannot be parsed or the class code is not 24-bit
     */
    public static FunctionSpec of(String id, int classCode) {
        return of(PciId.parse(id), classCode);
    }

    /**
     * A PCIe root port as QEMU's q35 machine has them ({@code 1b36:000c}, class {@code 0x060400}, driver
     * {@code pcieport}). Give it to {@link SimulatedKernel.Builder#bridge(String, int, FunctionSpec)}.
     *
     * @return the description
     */
    public static FunctionSpec pcieRootPort() {
        return of(new PciId(0x1b36, 0x000c), 0x060400).withSubsystem(new PciId(0x1b36, 0x0000)).withRevision(0)
                .withDriver("pcieport");
    }

    /**
     * This function, bound at boot to {@code driver}. The driver is loaded by
     * {@link SimulatedKernel.Builder#build()} and must claim the function (by id, or through
     * {@link #withDriverOverride(String)}).
     *
     * @param driver the driver's name
     * @return a new description
     * @throws IllegalArgumentException if the name is not a valid driver name
     */
    public FunctionSpec withDriver(String driver) {
        return new FunctionSpec(id, classCode, subsystem, revision, DriverSpec.checkName(driver, "driver"),
                driverOverride, numaNode, resetMethods);
    }

    /**
     * This function, with no driver at boot.
     *
     * @return a new description
     */
    public FunctionSpec withoutDriver() {
        return new FunctionSpec(id, classCode, subsystem, revision, null, driverOverride, numaNode, resetMethods);
    }

    /**
     * This function, with {@code driver_override} set at boot.
     *
     * @param override the value (stored as the kernel stores it: up to the first newline)
     * @return a new description
     * @throws IllegalArgumentException if the value is empty, starts with a newline or is 4095 bytes or longer
     */
    public FunctionSpec withDriverOverride(String override) {
        String cut = KernelText.cString(override);
        int nl = cut.indexOf('\n');
        if (nl >= 0) {
            cut = cut.substring(0, nl);
        }
        if (cut.isEmpty() || override.length() >= 4095) {
            throw new IllegalArgumentException("driver_override must be a non-empty name shorter than 4095 bytes: \""
                    + KernelText.escape(override) + "\"");
        }
        return new FunctionSpec(id, classCode, subsystem, revision, driver, cut, numaNode, resetMethods);
    }

    /**
     * This function on a NUMA node.
     *
     * @param node 0 to 1023, or -1 for unknown (the default)
     * @return a new description
     * @throws IllegalArgumentException if the node is out of range
     */
    public FunctionSpec withNumaNode(int node) {
        if (node < -1 || node > 1023) {
            throw new IllegalArgumentException("NUMA node must be -1..1023: " + node);
        }
        return new FunctionSpec(id, classCode, subsystem, revision, driver, driverOverride, node, resetMethods);
    }

    /**
     * This function with other subsystem ids ({@code subsystem_vendor}, {@code subsystem_device}).
     *
     * @param subsystem the subsystem vendor and device
     * @return a new description
     */
    public FunctionSpec withSubsystem(PciId subsystem) {
        return new FunctionSpec(id, classCode, Objects.requireNonNull(subsystem, "subsystem"), revision, driver,
                driverOverride, numaNode, resetMethods);
    }

    /**
     * This function with another revision.
     *
     * @param revision 0 to 0xff
     * @return a new description
     * @throws IllegalArgumentException if out of range
     */
    public FunctionSpec withRevision(int revision) {
        if (revision < 0 || revision > 0xff) {
            throw new IllegalArgumentException("revision must be 0..0xff: " + revision);
        }
        return new FunctionSpec(id, classCode, subsystem, revision, driver, driverOverride, numaNode, resetMethods);
    }

    /**
     * This function with reset methods, as {@code reset_method} lists them (e.g. {@code "flr pm bus"}). A function
     * with at least one method has a {@code reset} attribute.
     *
     * @param methods space-separated method names, or empty for none
     * @return a new description
     * @throws IllegalArgumentException if the text has leading, trailing or doubled blanks
     */
    public FunctionSpec withResetMethods(String methods) {
        if (!methods.equals(methods.strip()) || methods.contains("  ") || methods.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("reset methods must be names separated by single spaces: \""
                    + KernelText.escape(methods) + "\"");
        }
        return new FunctionSpec(id, classCode, subsystem, revision, driver, driverOverride, numaNode, methods);
    }

    /**
     * The vendor and device id.
     *
     * @return the id
     */
    public PciId id() {
        return id;
    }

    /**
     * The class code.
     *
     * @return the 24-bit class code
     */
    public int classCode() {
        return classCode;
    }

    /**
     * The subsystem vendor and device.
     *
     * @return the subsystem id
     */
    public PciId subsystem() {
        return subsystem;
    }

    /**
     * The revision.
     *
     * @return 0 to 0xff
     */
    public int revision() {
        return revision;
    }

    /**
     * The driver bound at boot.
     *
     * @return its name, or empty for none
     */
    public Optional<String> driver() {
        return Optional.ofNullable(driver);
    }

    /**
     * The {@code driver_override} at boot.
     *
     * @return the value, or empty when unset
     */
    public Optional<String> driverOverride() {
        return Optional.ofNullable(driverOverride);
    }

    /**
     * The NUMA node, as the kernel writes it.
     *
     * @return the node, or -1 when unknown
     */
    public int numaNode() {
        return numaNode;
    }

    /**
     * The reset methods.
     *
     * @return space-separated names; empty when the function cannot be reset
     */
    public String resetMethods() {
        return resetMethods;
    }

    boolean isBridge() {
        return (classCode >> 8) == 0x0604;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FunctionSpec f && id.equals(f.id) && classCode == f.classCode
                && subsystem.equals(f.subsystem) && revision == f.revision && Objects.equals(driver, f.driver)
                && Objects.equals(driverOverride, f.driverOverride) && numaNode == f.numaNode
                && resetMethods.equals(f.resetMethods);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, classCode, subsystem, revision, driver, driverOverride, numaNode, resetMethods);
    }

    @Override
    public String toString() {
        return "FunctionSpec[" + id + " class " + String.format("%06x", classCode) + ", driver "
                + (driver == null ? "none" : driver) + (driverOverride == null ? "" : ", override " + driverOverride)
                + ", numa " + numaNode + (resetMethods.isEmpty() ? "" : ", reset " + resetMethods) + "]";
    }
}
