package org.sriov4j.it;

import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.LifecycleContract;

/** The lifecycle contract kit on the real kernel in the guest (detach to vfio-pci, leases, recovery). */
class RealLifecycleContractIT extends LifecycleContract {

    @Override
    protected ContractHost host() {
        return RealKernel.host();
    }
}
