package org.sriov4j.itxen;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.VfNetConfigContract;

/**
 * The VF network settings contract kit in a real Xen dom0 (xen-pciback, pciback): dom0 owns the PF, so the settings
 * are made and checked ({@code ip -d link show}) there exactly as on bare Linux.
 */
class XenDom0VfNetConfigContractIT extends VfNetConfigContract {

    @Override
    protected ContractHost host() {
        return XenDom0.host();
    }
}
