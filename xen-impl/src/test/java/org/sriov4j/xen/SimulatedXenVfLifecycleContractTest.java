package org.sriov4j.xen;

import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.PfUnderTest;
import org.sriov4j.testing.contract.VfLifecycleContract;

/** The VF lifecycle contract kit (enable/disable VFs) on a simulated Xen control domain. */
class SimulatedXenVfLifecycleContractTest extends VfLifecycleContract {

    @Override
    protected ContractHost host() {
        return ContractHost.simulated(SimulatedKernel.xenDom0Host(),
                PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0"))).withStubDriver("pciback");
    }
}
