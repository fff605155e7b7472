package org.sriov4j;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An immutable snapshot of one PCI function as the kernel described it at scan time.
 *
 * @param address the function's address
 * @param kind physical function, virtual function, or other
 * @param id vendor and device id ({@code vendor}, {@code device})
 * @param classCode the 24-bit class code ({@code class}), e.g. {@code 0x020000} for an Ethernet controller
 * @param driver the bound driver's name; empty when no driver is bound
 * @param driverOverride the {@code driver_override} value; empty when unset ({@code (null)})
 * @param numaNode the NUMA node; empty when the kernel reports {@code -1} (unknown) or has no such attribute
 * @param iommuGroup the IOMMU group number; empty when the host has no IOMMU
 * @param netdevs the network interfaces of this function (sorted; empty for non-network functions)
 */
public record PciFunction(PciAddress address, FunctionKind kind, PciId id, int classCode, Optional<String> driver,
        Optional<String> driverOverride, OptionalInt numaNode, OptionalInt iommuGroup, List<String> netdevs) {

    /**
     * Checks the fields and copies the list.
     *
     * @param address the function's address
     * @param kind physical function, virtual function, or other
     * @param id vendor and device id ({@code vendor}, {@code device})
     * @param classCode the 24-bit class code ({@code class}), e.g. {@code 0x020000} for an Ethernet controller
     * @param driver the bound driver's name; empty when no driver is bound
     * @param driverOverride the {@code driver_override} value; empty when unset ({@code (null)})
     * @param numaNode the NUMA node; empty when the kernel reports {@code -1} (unknown) or has no such attribute
     * @param iommuGroup the IOMMU group number; empty when the host has no IOMMU
     * @param netdevs the network interfaces of this function (sorted; empty for non-network functions)
     * @throws NullPointerException if any field is null
     * @throws IllegalArgumentException if the class code is not 24-bit
     */
    public PciFunction {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(driverOverride, "driverOverride");
        Objects.requireNonNull(numaNode, "numaNode");
        Objects.requireNonNull(iommuGroup, "iommuGroup");
        netdevs = List.copyOf(netdevs);
        if (classCode < 0 || classCode > 0xffffff) {
            throw new IllegalArgumentException("class code must be 24-bit: " + classCode);
        }
    }

    /**
     * The class code as six lower-case hex digits.
     *
     * @return e.g. {@code 020000}
     */
    public String classCodeHex() {
        return String.format("%06x", classCode);
    }

    /**
     * Whether a driver is bound.
     *
     * @return true if {@link #driver()} is present
     */
    public boolean isBound() {
        return driver.isPresent();
    }
}
