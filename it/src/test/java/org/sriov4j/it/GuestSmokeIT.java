package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;

/**
 * Proves the plumbing of the real-kernel suite: these tests run in the QEMU guest, against its real {@code /sys}.
 */
class GuestSmokeIT {

    private static String sysfs(String path) throws IOException {
        return Files.readString(Path.of("/sys", path)).strip();
    }

    @Test
    void runsInTheGuest() {
        assertEquals("1", System.getenv(GuestMachine.GUEST_ENV),
                "SRIOV4J_IT_GUEST: these tests must run inside the guest of it/scripts/run-in-guest.sh");
        assertEquals(System.getenv(GuestMachine.ENV), GuestMachine.current().id());
    }

    @Test
    void emulated82576IsThere() throws IOException {
        for (PciAddress pf : GuestMachine.current().pfs()) {
            assertEquals("0x8086", sysfs("bus/pci/devices/" + pf + "/vendor"), pf + " vendor");
            assertEquals("0x10c9", sysfs("bus/pci/devices/" + pf + "/device"), pf + " device");
            assertEquals("7", sysfs("bus/pci/devices/" + pf + "/sriov_totalvfs"), pf + " sriov_totalvfs");
        }
    }

    @Test
    void discoveryFindsThePhysicalFunctions() {
        GuestMachine machine = GuestMachine.current();
        try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
            assertEquals(Path.of("/sys"), host.config().sysfsRoot());
            Topology topology = host.topology();
            List<PciAddress> found = topology.physicalFunctions().stream().map(PhysicalFunction::address).toList();
            assertEquals(machine.pfs(), found, "PFs on the " + machine.id() + " machine");
            for (PhysicalFunction pf : topology.physicalFunctions()) {
                assertEquals(new PciId(GuestMachine.VENDOR, GuestMachine.PF_DEVICE), pf.function().id(),
                        pf.address() + " id");
                assertEquals(GuestMachine.TOTAL_VFS, pf.totalVfs(), pf.address() + " totalVfs");
                assertEquals(new PciId(GuestMachine.VENDOR, GuestMachine.VF_DEVICE), pf.vfId(), pf.address() + " vfId");
                assertEquals(Optional.of("igb"), pf.function().driver(), pf.address() + " driver (run-suite.sh loads igb)");
                assertTrue(pf.function().iommuGroup().isPresent(), pf.address() + " has an IOMMU group");
            }
        }
    }
}
