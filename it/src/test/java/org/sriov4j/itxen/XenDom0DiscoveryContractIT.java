package org.sriov4j.itxen;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.DiscoveryContract;

/** The Discovery contract kit in a real Xen dom0 (xen-pciback, pciback). */
class XenDom0DiscoveryContractIT extends DiscoveryContract {

    @Override
    protected ContractHost host() {
        return XenDom0.host();
    }
}
