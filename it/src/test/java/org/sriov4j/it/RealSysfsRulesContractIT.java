package org.sriov4j.it;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.SysfsRulesContract;

/** The SysfsRules contract kit on the real kernel in the guest. */
class RealSysfsRulesContractIT extends SysfsRulesContract {

    @Override
    protected ContractHost host() {
        return RealKernel.host();
    }
}
