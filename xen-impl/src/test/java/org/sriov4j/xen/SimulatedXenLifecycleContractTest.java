package org.sriov4j.xen;

import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.LifecycleContract;
import org.sriov4j.testing.contract.PfUnderTest;

/** The lifecycle contract kit on a simulated Xen control domain: the engine selects xen-pciback, stub pciback. */
class SimulatedXenLifecycleContractTest extends LifecycleContract {

    @Override
    protected ContractHost host() {
        return ContractHost.simulated(SimulatedKernel.xenDom0Host(),
                PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0"))).withStubDriver("pciback");
    }
}
