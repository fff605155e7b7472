package org.sriov4j.xen;

import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.PfUnderTest;
import org.sriov4j.testing.contract.VfNetConfigContract;

/** The VF network settings contract kit on a simulated Xen control domain (xen-pciback, stub pciback). */
class SimulatedXenVfNetConfigContractTest extends VfNetConfigContract {

    @Override
    protected ContractHost host() {
        return ContractHost.simulated(SimulatedKernel.xenDom0Host(),
                PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0"))).withStubDriver("pciback");
    }
}
