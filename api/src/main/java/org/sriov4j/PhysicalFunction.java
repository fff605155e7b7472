package org.sriov4j;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of an SR-IOV physical function.
 *
 * @param function the PCI function
 * @param totalVfs the most VFs the device (and its bound driver) supports ({@code sriov_totalvfs})
 * @param numVfs the VFs enabled now ({@code sriov_numvfs})
 * @param vfOffset the routing-id offset of VF 0 from the PF ({@code sriov_offset})
 * @param vfStride the routing-id distance between consecutive VFs ({@code sriov_stride})
 * @param vfDeviceId the PCI device id of the VFs ({@code sriov_vf_device})
 * @param driversAutoprobe whether new VFs are probed by host drivers ({@code sriov_drivers_autoprobe})
 * @param vfs the addresses of the enabled VFs, by VF index ({@code virtfn0}, {@code virtfn1}, ...)
 */
public record PhysicalFunction(PciFunction function, int totalVfs, int numVfs, int vfOffset, int vfStride,
        int vfDeviceId, boolean driversAutoprobe, List<PciAddress> vfs) {

    /**
     * Checks the fields and copies the list.
     *
     * @param function the PCI function
     * @param totalVfs the most VFs the device (and its bound driver) supports ({@code sriov_totalvfs})
     * @param numVfs the VFs enabled now ({@code sriov_numvfs})
     * @param vfOffset the routing-id offset of VF 0 from the PF ({@code sriov_offset})
     * @param vfStride the routing-id distance between consecutive VFs ({@code sriov_stride})
     * @param vfDeviceId the PCI device id of the VFs ({@code sriov_vf_device})
     * @param driversAutoprobe whether new VFs are probed by host drivers ({@code sriov_drivers_autoprobe})
     * @param vfs the addresses of the enabled VFs, by VF index ({@code virtfn0}, {@code virtfn1}, ...)
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if the function is not a PF or a count is negative
     */
    public PhysicalFunction {
        Objects.requireNonNull(function, "function");
        if (function.kind() != FunctionKind.PF) {
            throw new IllegalArgumentException("not a physical function: " + function.address());
        }
        if (totalVfs < 0 || numVfs < 0 || vfOffset < 0 || vfStride < 0 || vfDeviceId < 0 || vfDeviceId > 0xffff) {
            throw new IllegalArgumentException("negative or out-of-range SR-IOV field on " + function.address());
        }
        vfs = List.copyOf(vfs);
    }

    /**
     * The PF's address.
     *
     * @return the address
     */
    public PciAddress address() {
        return function.address();
    }

    /**
     * The vendor and device id the VFs of this PF have.
     *
     * @return the PF's vendor with {@link #vfDeviceId()}
     */
    public PciId vfId() {
        return new PciId(function.id().vendor(), vfDeviceId);
    }

    /**
     * The address of VF {@code index}, if it is enabled.
     *
     * @param index the VF index
     * @return the address, or empty if that VF does not exist now
     */
    public Optional<PciAddress> vf(int index) {
        return index >= 0 && index < vfs.size() ? Optional.of(vfs.get(index)) : Optional.empty();
    }
}
