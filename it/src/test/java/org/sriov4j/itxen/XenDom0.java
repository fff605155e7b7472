package org.sriov4j.itxen;

import java.nio.file.Path;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.testing.contract.ContractHost;
import org.sriov4j.testing.contract.PfUnderTest;

/**
 * The host under test in a real Xen dom0 (it/scripts/xen-kits.sh): the real /sys and /dev, backend
 * xen-pciback, stub driver pciback, PF 0000:01:00.0 (82576), default state directory. Package
 * {@code org.sriov4j.itxen}, not a subpackage of {@code org.sriov4j.it}: the plain-Linux suite selects that
 * package (with its subpackages) and must not run these.
 */
final class XenDom0 {

    private static ContractHost host;

    private XenDom0() {
    }

    static synchronized ContractHost host() {
        if (host == null) {
            host = ContractHost.real("xen dom0, linux " + System.getProperty("os.version"),
                    SriovConfig.builder().sysfsRoot(Path.of("/sys")).devRoot(Path.of("/dev"))
                            .backend("xen-pciback").build(),
                    PfUnderTest.intel82576(PciAddress.parse("0000:01:00.0"))).withStubDriver("pciback");
        }
        return host;
    }
}
