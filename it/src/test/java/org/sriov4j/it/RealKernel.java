package org.sriov4j.it;

import org.sriov4j.SriovConfig;
import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.PfUnderTest;

/** The host under test in the guest: the real /sys and /dev, with every 82576 PF of the current machine. */
final class RealKernel {

    private static ContractHost host;

    private RealKernel() {
    }

    static synchronized ContractHost host() {
        if (host == null) {
            GuestMachine m = GuestMachine.current();
            host = ContractHost.real("linux " + System.getProperty("os.version") + " (" + m.id() + ")",
                    SriovConfig.builder().sysfsRoot(java.nio.file.Path.of("/sys"))
                            .devRoot(java.nio.file.Path.of("/dev")).build(),
                    m.pfs().stream().map(PfUnderTest::intel82576).toArray(PfUnderTest[]::new));
        }
        return host;
    }
}
