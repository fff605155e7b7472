package org.sriov4j;

import java.util.Objects;

/**
 * An immutable snapshot of an SR-IOV virtual function.
 *
 * @param function the PCI function
 * @param pf the address of its physical function ({@code physfn})
 * @param index its VF index on that PF ({@code virtfnN} of the PF)
 */
public record VirtualFunction(PciFunction function, PciAddress pf, int index) {

    /**
     * Checks the fields.
     *
     * @param function the PCI function
     * @param pf the address of its physical function ({@code physfn})
     * @param index its VF index on that PF ({@code virtfnN} of the PF)
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if the function is not a VF or the index is negative
     */
    public VirtualFunction {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(pf, "pf");
        if (function.kind() != FunctionKind.VF) {
            throw new IllegalArgumentException("not a virtual function: " + function.address());
        }
        if (index < 0) {
            throw new IllegalArgumentException("negative VF index on " + function.address());
        }
    }

    /**
     * The VF's address.
     *
     * @return the address
     */
    public PciAddress address() {
        return function.address();
    }
}
