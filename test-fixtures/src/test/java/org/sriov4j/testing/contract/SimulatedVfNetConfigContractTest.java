package org.sriov4j.testing.contract;

import org.junit.jupiter.api.Nested;
import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;

/** The VF network settings contract kit on the simulated kernel: one 82576, and the second PF of two. */
class SimulatedVfNetConfigContractTest extends VfNetConfigContract {

    @Override
    protected ContractHost host() {
        return ContractHost.simulated(SimulatedKernel.intel82576Host(),
                PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0")));
    }

    @Nested
    class TwoPfs extends VfNetConfigContract {
        @Override
        protected ContractHost host() {
            return SimulatedHosts.dual();
        }
    }
}
