package org.sriov4j.it;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.VfNetConfigContract;

/** The VF network settings contract kit on the real kernel in the guest, checked with {@code ip -d link show}. */
class RealVfNetConfigContractIT extends VfNetConfigContract {

    @Override
    protected ContractHost host() {
        return RealKernel.host();
    }
}
