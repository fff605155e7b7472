package org.sriov4j.it;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.VfLifecycleContract;

/** The VfLifecycle contract kit on the real kernel in the guest. */
class RealVfLifecycleContractIT extends VfLifecycleContract {

    @Override
    protected ContractHost host() {
        return RealKernel.host();
    }
}
