package org.sriov4j.testing.contract;

import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;

/** Simulated hosts for the contract kits. */
final class SimulatedHosts {

    private SimulatedHosts() {
    }

    /** Two 82576 NICs on two root ports, like the real-kernel suite's dual machine. */
    static ContractHost dual() {
        SimulatedKernel kernel = SimulatedKernel.builder().qemuQ35().bridge("0000:00:04.0", 0x02)
                .intel82576("0000:01:00.0").intel82576("0000:02:00.0").loadDrivers("igbvf", "vfio-pci").build();
        return ContractHost.simulated(kernel, PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0")),
                PfUnderTest.intel82576(PciAddress.parse("0000:02:00.0")));
    }
}
