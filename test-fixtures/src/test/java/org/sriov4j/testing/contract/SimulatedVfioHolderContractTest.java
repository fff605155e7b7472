package org.sriov4j.testing.contract;

import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;

/** The VFIO holder contract kit on the simulated kernel (its processes in a fake /proc). */
class SimulatedVfioHolderContractTest extends VfioHolderContract {

    @Override
    protected ContractHost host() {
        return ContractHost.simulated(SimulatedKernel.intel82576Host(),
                PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0")));
    }
}
