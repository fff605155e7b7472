package org.sriov4j.itxen;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.VfLifecycleContract;

/** The VfLifecycle contract kit in a real Xen dom0 (xen-pciback, pciback). */
class XenDom0VfLifecycleContractIT extends VfLifecycleContract {

    @Override
    protected ContractHost host() {
        return XenDom0.host();
    }
}
