package org.sriov4j.testing.contract;

import org.junit.jupiter.api.Nested;
import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;

/** The SysfsRules contract kit on the simulated kernel: one 82576, and two 82576 NICs on two root ports. */
class SimulatedSysfsRulesContractTest extends SysfsRulesContract {

    @Override
    protected ContractHost host() {
        return ContractHost.simulated(SimulatedKernel.intel82576Host(),
                PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0")));
    }

    @Nested
    class TwoPfs extends SysfsRulesContract {
        @Override
        protected ContractHost host() {
            return SimulatedHosts.dual();
        }
    }
}
