package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;
import org.sriov4j.GroupNotViableException;
import org.sriov4j.NoIommuException;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * The lifecycle engine where the contract kits cannot reach: no IOMMU, non-viable groups, a kernel failure at
 * every step of a detach, leftovers of a process that died between two steps, a failed release, a corrupt ledger.
 */
class EngineLifecycleTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final String VF0_DIR = "bus/pci/devices/0000:01:10.0";

    SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    Optional<String> driver(PciAddress a) {
        return kernel.exists("bus/pci/devices/" + a + "/driver")
                ? Optional.of(Path.of(kernel.readLink("bus/pci/devices/" + a + "/driver")).getFileName().toString())
                : Optional.empty();
    }

    String override() {
        return kernel.read(VF0_DIR + "/driver_override").trim();
    }

    SriovHost vfOnIgbvf() {
        SriovHost host = kernel.openHost();
        host.enableVfs(PF, 2);
        assertEquals(Optional.of("igbvf"), driver(VF0));
        return host;
    }

    @Test
    void withoutAnIommuDetachIsRefusedBeforeAnythingIsWritten() {
        kernel = Preset.NO_IOMMU.newKernel();
        try (SriovHost host = vfOnIgbvf()) {
            int writes = kernel.writes().size();
            SriovException e = assertThrows(NoIommuException.class, () -> host.detach(VF0));
            assertTrue(e.getMessage().contains("no IOMMU") && e.getMessage().contains("allowUnsafe")
                    && e.getMessage().contains("--allow-unsafe-no-iommu"), e.getMessage());
            assertEquals(writes, kernel.writes().size(), "nothing may be written");
            assertThrows(NoIommuException.class, () -> host.lease(VF0, "vm"));
            assertEquals(Optional.of("igbvf"), driver(VF0));
        }
    }

    @Test
    void theUnsafeOptionLetsTheKernelDecideAndARefusalIsRolledBack() {
        kernel = Preset.NO_IOMMU.newKernel();
        kernel.openHost().enableVfs(PF, 1);
        SriovConfig unsafe = SriovConfig.builder().stateDir(kernel.stateDir()).allowUnsafeAssignmentWithoutIommu()
                .build();
        try (SriovHost host = SriovEngine.open(unsafe, kernel, kernel.devices())) {
            SriovException e = assertThrows(SriovException.class, () -> host.detach(VF0));
            assertTrue(e.getMessage().contains("restored"), e.getMessage());
        }
        assertEquals(Optional.of("igbvf"), driver(VF0));
        assertEquals("(null)", override());
    }

    @Test
    void aGroupWithAMemberOnAHostDriverIsNotViableAndTheMemberIsNamed() {
        kernel = Preset.SHARED_GROUP_WITH_HOST_COMPANION.newKernel();
        PciAddress port0 = PciAddress.parse("0000:03:00.0");
        PciAddress port1 = PciAddress.parse("0000:03:00.1");
        try (SriovHost host = kernel.openHost()) {
            GroupNotViableException e = assertThrows(GroupNotViableException.class, () -> host.detach(port0));
            assertEquals(Map.of(port1, "e1000e"), e.offenders());
            assertEquals(7, e.group());
            assertTrue(e.getMessage().contains("0000:03:00.1 is on e1000e"), e.getMessage());
            assertThrows(GroupNotViableException.class, () -> host.lease(port0, "vm"));
            assertEquals(Optional.empty(), driver(port0));
            assertTrue(host.recover().clean());
        }
    }

    @Test
    void withoutVfioPciLoadedNothingBindsAndTheDetachIsRolledBack() {
        kernel = SimulatedKernel.builder().qemuQ35().intel82576("0000:01:00.0").loadDrivers("igbvf", "vfio-pci")
                .build();
        try (SriovHost host = vfOnIgbvf()) {
            kernel.failWrites("bus/pci/drivers_probe", Errno.ENODEV);
            SriovException e = assertThrows(SriovException.class, () -> host.detach(VF0));
            assertTrue(e.getMessage().contains("probe vfio-pci failed"), e.getMessage());
        }
        assertEquals(Optional.of("igbvf"), driver(VF0));
    }

    /** Each write of a detach, and the write that fails there. */
    @ParameterizedTest(name = "step {0} fails")
    @ValueSource(strings = {"0000:01:10.0/driver_override", "bus/pci/drivers/igbvf/unbind", "bus/pci/drivers_probe"})
    void aKernelFailureAtAnyDetachStepRestoresTheVfAndLeavesNoRecord(String step) {
        try (SriovHost host = vfOnIgbvf()) {
            kernel.failWrite(step, 1, Errno.EIO);
            SriovException e = assertThrows(SriovException.class, () -> host.detach(VF0));
            assertEquals(Optional.of(Errno.EIO), e.errno());
            assertTrue(e.rollback().orElseThrow().complete(), e.getMessage());
            assertEquals(1, e.getMessage().split("EIO", -1).length - 1, "the errno is said once: " + e.getMessage());
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertEquals("(null)", override());
            assertTrue(host.recover().clean(), "a rolled-back detach leaves no record");
            try (Lease lease = host.lease(VF0, "vm")) {
                assertEquals(Optional.of("vfio-pci"), driver(VF0));
            }
        }
    }

    /**
     * A process that died between step k and k+1 of a detach leaves what a detach whose undo also failed leaves:
     * a DETACHING record and a half-changed function. recover() must finish the job.
     */
    @ParameterizedTest(name = "died after step {0}")
    @ValueSource(ints = {1, 2, 3})
    void recoverRestoresAVfLeftBetweenTwoDetachSteps(int k) {
        try (SriovHost host = vfOnIgbvf()) {
            switch (k) {
                case 1 -> { // override written; unbind fails; undoing the override fails
                    kernel.failWrite("bus/pci/drivers/igbvf/unbind", 1, Errno.EIO);
                    kernel.failWrite("0000:01:10.0/driver_override", 2, Errno.EIO);
                }
                case 2 -> { // unbound; probe fails; rebinding and the override fail
                    kernel.failWrite("bus/pci/drivers_probe", 1, Errno.EIO);
                    kernel.failWrite("bus/pci/drivers/igbvf/bind", 1, Errno.EIO);
                    kernel.failWrite("0000:01:10.0/driver_override", 2, Errno.EIO);
                }
                default -> { // on vfio-pci, the DETACHED record never written: simulate by failing release
                    kernel.failWrite("bus/pci/drivers/vfio-pci/unbind", 1, Errno.EIO);
                }
            }
            if (k < 3) {
                SriovException e = assertThrows(SriovException.class, () -> host.detach(VF0));
                assertFalse(e.rollback().orElseThrow().complete(), e.getMessage());
                assertFalse(e.rollback().orElseThrow().notRestored().isEmpty(), e.getMessage());
            } else {
                Lease lease = host.lease(VF0, "vm");
                assertThrows(SriovException.class, lease::close);
                assertFalse(lease.isHeld());
            }
            assertFalse(driver(VF0).equals(Optional.of("igbvf")) && override().equals("(null)"),
                    "the fault should have left the VF half-changed");
            kernel.clearFaults();
            try (SriovHost other = kernel.openHost()) {
                RecoveryReport r = other.recover();
                assertEquals(List.of(VF0), r.restored(), r.toString());
                assertTrue(r.problems().isEmpty(), r.toString());
            }
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertEquals("(null)", override());
            assertTrue(host.recover().clean());
        }
    }

    @Test
    void reattachFromVfioPciLeavesTheResetToVfioPciAndWritesOnlyTheRebind() {
        // vfio-pci resets the function when its last user closes it (docs/kernel-facts.md, "Who resets a function
        // on its way back"): the reattach adds no reset of its own
        try (SriovHost host = vfOnIgbvf()) {
            host.detach(VF0);
            kernel.clearWrites();
            host.reattach(VF0);
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertEquals(List.of("bus/pci/drivers/vfio-pci/unbind=" + VF0, VF0_DIR + "/driver_override=\n",
                    "bus/pci/drivers/igbvf/bind=" + VF0), kernel.writes().stream()
                            .filter(w -> !w.contains("sriov4j")).toList());
        }
    }

    @Test
    void anUnmanagedDetachOfADeadProcessStaysDetachedUntilReattach() {
        try (SriovHost host = vfOnIgbvf()) {
            host.detach(VF0);
        }
        try (SriovHost other = kernel.openHost()) {
            RecoveryReport r = other.recover();
            assertEquals(List.of(VF0), r.keptDetached());
            assertEquals(Optional.of("vfio-pci"), driver(VF0));
            other.reattach(VF0);
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertTrue(other.recover().clean());
        }
    }

    @Test
    void aCorruptLedgerEntryIsReportedAndSetAsideNeverFatal() throws Exception {
        try (SriovHost host = vfOnIgbvf()) {
            host.detach(VF0);
        }
        Path ledger = kernel.stateDir().resolve("ledger");
        Path entry;
        try (Stream<Path> files = Files.list(ledger)) {
            entry = files.filter(p -> p.getFileName().toString().startsWith("0000:01:10.0")).findFirst().orElseThrow();
        }
        Files.writeString(entry, "sriov4j-ledger 1\ndevice=0000:01:10.0\nphase=DETA");
        try (SriovHost other = kernel.openHost()) {
            RecoveryReport r = other.recover();
            assertEquals(1, r.problems().size(), r.toString());
            assertTrue(r.problems().get(0).contains("0000:01:10.0"), r.toString());
            assertTrue(other.recover().problems().isEmpty(), "set aside: reported once");
        }
        try (Stream<Path> files = Files.list(ledger)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().contains(".corrupt-")));
        }
    }

    @Test
    void closingTheHostEndsItsLeasesAndGivesManagedVfsBack() {
        SriovHost host = vfOnIgbvf();
        Lease lease = host.lease(VF0, "vm");
        assertEquals(Optional.of("vfio-pci"), driver(VF0));
        host.close();
        assertFalse(lease.isHeld());
        assertEquals(Optional.of("igbvf"), driver(VF0));
    }

    @Test
    void aGuestNameWithControlCharactersIsRefusedBeforeAnythingChanges() {
        try (SriovHost host = vfOnIgbvf()) {
            assertThrows(IllegalArgumentException.class, () -> host.lease(VF0, "vm\n1"));
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertTrue(host.recover().clean());
        }
    }

    @Test
    void subscribersHearEveryChangeInOrder() throws Exception {
        java.util.List<org.sriov4j.SriovEvent> heard = new java.util.ArrayList<>();
        try (SriovHost host = kernel.openHost()) {
            org.sriov4j.Subscription subscription = host.subscribe(heard::add);
            host.subscribe(e -> {
                throw new IllegalStateException("a broken listener does not stop the others");
            });
            host.enableVfs(PF, 2);
            host.enableVfs(PF, 2);
            try (Lease lease = host.lease(VF0, "vm")) {
                assertTrue(lease.managed());
            }
            host.enableVfs(PF, 1);
            subscription.close();
            host.disableVfs(PF);
        }
        PciAddress vf1 = PciAddress.parse("0000:01:10.2");
        assertEquals(List.of(
                new org.sriov4j.SriovEvent.VfCreated(VF0, PF, 0),
                new org.sriov4j.SriovEvent.VfCreated(vf1, PF, 1),
                new org.sriov4j.SriovEvent.Detached(VF0, Optional.of("igbvf"), "vfio-pci"),
                new org.sriov4j.SriovEvent.Leased(VF0, "vm", true),
                new org.sriov4j.SriovEvent.Reattached(VF0, Optional.of("igbvf")),
                new org.sriov4j.SriovEvent.Released(VF0, "vm"),
                new org.sriov4j.SriovEvent.VfRemoved(VF0, PF, 0),
                new org.sriov4j.SriovEvent.VfRemoved(vf1, PF, 1),
                new org.sriov4j.SriovEvent.VfCreated(VF0, PF, 0)), heard);
    }

    @Test
    void assignmentsListDetachedFunctionsWithTheirOriginalDriverAndHolder() {
        try (SriovHost host = vfOnIgbvf()) {
            assertEquals(List.of(), host.assignments());
            host.detach(VF0);
            try (Lease lease = host.lease(PciAddress.parse("0000:01:10.2"), "vm-7")) {
                List<org.sriov4j.Assignment> a = host.assignments();
                assertEquals(2, a.size(), a.toString());
                assertEquals(VF0, a.get(0).device());
                assertEquals(org.sriov4j.Assignment.Phase.DETACHED, a.get(0).phase());
                assertEquals(Optional.of("igbvf"), a.get(0).originalDriver());
                assertFalse(a.get(0).managed());
                assertEquals(Optional.empty(), a.get(0).heldBy());
                assertTrue(a.get(1).managed());
                assertEquals(Optional.of("vm-7"), a.get(1).guest());
                assertTrue(a.get(1).heldBy().orElseThrow().contains("vm-7"), a.get(1).toString());
            }
            host.reattach(VF0);
            assertEquals(List.of(), host.assignments());
        }
    }
}
