package org.sriov4j.it;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.DiscoveryContract;

/** The Discovery contract kit on the real kernel in the guest. */
class RealDiscoveryContractIT extends DiscoveryContract {

    @Override
    protected ContractHost host() {
        return RealKernel.host();
    }
}
