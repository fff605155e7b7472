package org.sriov4j.itxen;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.LifecycleContract;

/** The Lifecycle contract kit in a real Xen dom0 (xen-pciback, pciback). */
class XenDom0LifecycleContractIT extends LifecycleContract {

    @Override
    protected ContractHost host() {
        return XenDom0.host();
    }
}
