package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovHost;

/**
 * A host with an Intel VMD controller: the kernel names the functions behind it in domains from {@code 10000} up
 * ({@code "%04x"} of the domain number), e.g. {@code 10000:e1:00.0}. Discovery must not fail on such a name, and a PF
 * behind VMD is leased, recorded and recovered like any other.
 */
class VmdDomainTest {
    static final PciAddress NVME = PciAddress.parse("10000:e1:00.0");
    static final PciAddress PF = PciAddress.parse("10000:01:00.0");

    SimulatedKernel kernel = SimulatedKernel.builder().qemuQ35().intel82576("0000:01:00.0")
            .function("10000:e1:00.0", FunctionSpec.of("8086:0a54", 0x010802))
            .intel82576("10000:01:00.0").loadDrivers("igbvf", "vfio-pci").build();

    @Test
    void discoveryListsFunctionsInDomainsAboveFfff() {
        try (SriovHost host = kernel.openHost()) {
            assertTrue(host.topology().physicalFunction(PF).isPresent(), "the default scan lists every entry's name");
            List<PciAddress> all = host.topology(ScanScope.ALL_FUNCTIONS).functions().stream().map(f -> f.address())
                    .toList();
            assertTrue(all.contains(NVME), all.toString());
            assertTrue(host.topology().physicalFunction(PF).isPresent(), "the PF behind VMD is an SR-IOV PF");
            assertTrue(all.indexOf(PciAddress.parse("0000:01:00.0")) < all.indexOf(NVME), "ordered by domain");
        }
    }

    @Test
    void aVfBehindVmdIsLeasedRecordedAndGivenBack() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 2);
            PciAddress vf = host.topology().physicalFunction(PF).orElseThrow().vfs().get(0);
            assertEquals("10000:01:10.0", vf.toString());
            try (Lease lease = host.lease(vf, "vm-vmd")) {
                assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vf));
                assertEquals(List.of(vf), host.assignments().stream().map(a -> a.device()).toList(),
                        "the ledger's record of the lease is read back");
            }
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
            assertTrue(host.assignments().isEmpty());
        }
    }

    @Test
    void aDetachBehindVmdIsReadBackFromTheLedgerByANewProcessAndUndoneToTheOriginalDriver() {
        PciAddress vf;
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 1);
            vf = host.topology().physicalFunction(PF).orElseThrow().vfs().get(0);
            host.detach(vf);
        }
        assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vf));
        try (SriovHost host = kernel.openHost()) {
            assertTrue(host.ledgerProblems().isEmpty(), host.ledgerProblems().toString());
            assertEquals(List.of(vf), host.recover().keptDetached(), "recover keeps an explicit detach");
            host.reattach(vf);
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vf), "the ledger named the original driver");
            assertTrue(host.assignments().isEmpty());
        }
    }
}
