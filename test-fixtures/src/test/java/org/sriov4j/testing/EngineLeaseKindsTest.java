package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Assignment;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.LedgerProblem;
import org.sriov4j.PciAddress;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * Leases that outlive their taker (tied to another process, durable), adoption by a later process, what recover may
 * and may not remove, the PF/VF exclusivity rules, and recover on open, on the simulated kernel.
 */
class EngineLeaseKindsTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF1 = PciAddress.parse("0000:01:10.2");

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    final List<Process> processes = new java.util.ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void killProcesses() {
        processes.forEach(Process::destroyForcibly);
    }

    Process sleep() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        processes.add(p);
        return p;
    }

    Optional<String> driver(PciAddress a) {
        String link = "bus/pci/devices/" + a + "/driver";
        return kernel.exists(link) ? Optional.of(Path.of(kernel.readLink(link)).getFileName().toString())
                : Optional.empty();
    }

    SriovHost hostWithVfs(int n) {
        SriovHost host = kernel.openHost();
        host.enableVfs(PF, n);
        return host;
    }

    static Assignment assignment(SriovHost host, PciAddress f) {
        return host.assignments().stream().filter(a -> a.device().equals(f)).findFirst().orElseThrow();
    }

    @Test
    void aLeaseTiedToAProcessLivesAsLongAsThatProcessAndNoLonger() throws Exception {
        Process qemu = sleep();
        try (SriovHost manager = hostWithVfs(2)) {
            Lease lease = manager.lease(VF0, "vm-1", LeaseHolder.process(qemu.pid()));
            assertEquals(LeaseHolder.Kind.PROCESS, lease.holder().kind());
            assertTrue(lease.managed() && lease.isHeld());
            assertEquals(Optional.of("vfio-pci"), driver(VF0));
        } // the manager's close does not end it
        assertEquals(Optional.of("vfio-pci"), driver(VF0));
        try (SriovHost other = kernel.openHost()) {
            Assignment a = assignment(other, VF0);
            assertEquals(Optional.of(LeaseHolder.process(qemu.pid())), a.lease());
            assertEquals(Optional.of("vm-1"), a.guest());
            LeaseUnavailableException e = assertThrows(LeaseUnavailableException.class, () -> other.lease(VF0, "vm-2"));
            assertTrue(e.getMessage().contains("vm-1") && e.getMessage().contains("" + qemu.pid()), e.getMessage());
            assertThrows(LeaseUnavailableException.class, () -> other.detach(VF0));
            assertThrows(LeaseUnavailableException.class, () -> other.reattach(VF0));
            RecoveryReport kept = other.recover();
            assertEquals(List.of(VF0), kept.stillHeld(), kept.toString());
            assertEquals(Optional.of("vfio-pci"), driver(VF0));

            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertEquals(Optional.empty(), assignment(other, VF0).lease(), "its process is gone: the lease is over");
            RecoveryReport back = other.recover();
            assertEquals(List.of(VF0), back.restored(), back.toString());
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertEquals(List.of(), other.assignments());
        }
    }

    @Test
    void aProcessWhosePidIsLiveButStartedAtAnotherTimeIsNotTheHolder() throws Exception {
        Process p = sleep();
        LeaseHolder reused = new LeaseHolder(LeaseHolder.Kind.PROCESS, OptionalLong.of(p.pid()),
                Optional.of(Instant.parse("2001-01-01T00:00:00Z")));
        try (SriovHost host = hostWithVfs(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> host.lease(VF0, "vm", reused));
            assertTrue(e.getMessage().contains("does not run"), e.getMessage());
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertThrows(IllegalArgumentException.class, () -> LeaseHolder.process(0));
        }
    }

    @Test
    void aDurableLeaseSurvivesItsTakerAndRecoverAndIsAdoptedAndReleasedByALaterProcess() {
        try (SriovHost taker = hostWithVfs(2)) {
            Lease lease = taker.lease(VF1, "vm-9", LeaseHolder.durable());
            assertEquals(LeaseHolder.durable(), lease.holder());
        }
        try (SriovHost restarted = kernel.openHost()) {
            assertEquals(List.of(VF1), restarted.recover().stillHeld());
            assertEquals(Optional.of(LeaseHolder.durable()), assignment(restarted, VF1).lease());
            assertThrows(LeaseUnavailableException.class, () -> restarted.lease(VF1, "vm-other",
                    LeaseHolder.durable()));
            assertEquals(List.of(), restarted.adopt("vm-other"));
            List<Lease> mine = restarted.adopt("vm-9");
            assertEquals(1, mine.size());
            Lease adopted = mine.get(0);
            assertEquals(VF1, adopted.device());
            assertTrue(adopted.isHeld() && adopted.managed());
            assertEquals(Optional.of("vfio-pci"), driver(VF1));
            adopted.close();
            assertFalse(adopted.isHeld());
            assertEquals(Optional.of("igbvf"), driver(VF1));
            assertEquals(List.of(), restarted.assignments());
            assertEquals(List.of(), restarted.adopt("vm-9"));
        }
    }

    @Test
    void aLeaseOfADetachedFunctionNamesItsOwnLesseeAndTheRecordForgetsItAfterwards() {
        try (SriovHost operator = hostWithVfs(1)) {
            operator.detach(VF0);
            assertEquals(Optional.empty(), assignment(operator, VF0).guest());
            try (SriovHost vmm = kernel.openHost(); Lease lease = vmm.lease(VF0, "vm-b")) {
                assertFalse(lease.managed());
                Assignment a = assignment(operator, VF0);
                assertEquals(Optional.of("vm-b"), a.guest());
                assertEquals(LeaseHolder.Kind.TAKER, a.lease().orElseThrow().kind());
                assertEquals(ProcessHandle.current().pid(), a.lease().orElseThrow().pid().orElseThrow());
            }
            Assignment after = assignment(operator, VF0);
            assertEquals(Optional.empty(), after.guest());
            assertEquals(Optional.empty(), after.lease());
            try (SriovHost vmm = kernel.openHost(); Lease lease = vmm.lease(VF0, "vm-c")) {
                assertEquals(Optional.of("vm-c"), assignment(operator, VF0).guest(), "not the first lessee");
            }
            assertEquals(Optional.of("vfio-pci"), driver(VF0), "still detached on purpose");
        }
    }

    @Test
    void recoverAgainstAnEmptySysfsRootKeepsEveryRecord() throws Exception {
        try (SriovHost host = hostWithVfs(2)) {
            host.detach(VF0);
            host.lease(VF1, "vm", LeaseHolder.process(sleep().pid())).close();
            host.lease(VF1, "vm", LeaseHolder.process(sleep().pid()));
        }
        processes.get(1).destroyForcibly().waitFor(); // VF1's lease is over: a real host would give it back
        Path empty = Files.createDirectory(tmp.resolve("empty-sys"));
        SriovConfig config = SriovConfig.builder().stateDir(kernel.stateDir()).build();
        try (SriovHost wrongRoot = SriovEngine.open(config, new NioSysfsAccess(empty), kernel.devices())) {
            RecoveryReport r = wrongRoot.recover();
            assertEquals(List.of(VF0, VF1), r.unseen(), r.toString());
            assertEquals(List.of(), r.gone());
            assertEquals(List.of(), r.restored());
            assertEquals(2, r.problems().size(), r.toString());
            assertTrue(r.problems().get(0).contains("record kept"), r.toString());
            assertEquals(2, wrongRoot.assignments().size(), "both records kept");
            assertEquals(List.of(), wrongRoot.recover(VF1).restored());
        }
        try (SriovHost host = kernel.openHost()) {
            RecoveryReport r = host.recover();
            assertEquals(List.of(VF1), r.restored(), r.toString());
            assertEquals(List.of(VF0), r.keptDetached(), r.toString());
            assertEquals(Optional.of("igbvf"), driver(VF1));
        }
    }

    @Test
    void theRecordOfAVfThatIsProvablyGoneIsRemovedWithItsLockFile() {
        try (SriovHost host = hostWithVfs(3)) {
            PciAddress vf2 = PciAddress.parse("0000:01:10.4");
            host.lease(vf2, "vm").close(); // leaves a lock file and no record
            host.lease(VF0, "vm").close();
            host.enableVfs(PF, 2);
            host.detach(VF1);
            host.enableVfs(PF, 1); // VF 1 no longer exists: the PF is there with fewer VFs
            RecoveryReport r = host.recover();
            assertEquals(List.of(VF1), r.gone(), r.toString());
            assertTrue(r.problems().isEmpty(), r.toString());
            assertEquals(List.of(), host.assignments());
            assertFalse(Files.exists(kernel.stateDir().resolve("locks/" + VF1 + ".lock")));
            assertFalse(Files.exists(kernel.stateDir().resolve("locks/" + vf2 + ".lock")));
            assertTrue(Files.exists(kernel.stateDir().resolve("locks/" + VF0 + ".lock")), "VF 0 still exists");
        }
    }

    @Test
    void recoverOfOneFunctionTouchesNothingElse() throws Exception {
        try (SriovHost host = hostWithVfs(2)) {
            Process a = sleep();
            Process b = sleep();
            host.lease(VF0, "vm-a", LeaseHolder.process(a.pid()));
            host.lease(VF1, "vm-b", LeaseHolder.process(b.pid()));
            a.destroyForcibly().waitFor();
            b.destroyForcibly().waitFor();
            Path ledger = kernel.stateDir().resolve("ledger");
            Files.writeString(ledger.resolve("0000:01:11.0.entry.tmp-999999999-1"), "junk"); // another function's
            RecoveryReport r = host.recover(VF0);
            assertEquals(List.of(VF0), r.restored(), r.toString());
            assertTrue(r.problems().isEmpty(), r.toString());
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertEquals(Optional.of("vfio-pci"), driver(VF1), "the other guest's VF is not touched");
            assertTrue(Files.exists(ledger.resolve("0000:01:11.0.entry.tmp-999999999-1")));
        }
    }

    @Test
    void aTemporaryFileWhoseWriterIsGoneIsRemovedSoRecoverEndsClean() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        try (SriovHost host = hostWithVfs(1)) {
            host.detach(VF0);
            Path ledger = kernel.stateDir().resolve("ledger");
            Path temp = ledger.resolve(VF0 + ".entry.tmp-" + gone.pid() + "-7");
            Path live = ledger.resolve(VF0 + ".entry.tmp-" + ProcessHandle.current().pid() + "-99999");
            Files.writeString(temp, "half a record");
            Files.writeString(live, "a write in progress");
            RecoveryReport r = host.recover();
            assertFalse(Files.exists(temp));
            assertTrue(Files.exists(live), "a live writer's file is kept");
            assertEquals(1, r.problems().size(), r.toString());
            Files.delete(live);
            assertTrue(host.recover().problems().isEmpty());
        }
    }

    @Test
    void corruptRecordsStayListedUntilAnOperatorDealsWithThem() throws Exception {
        try (SriovHost host = hostWithVfs(1)) {
            host.detach(VF0);
            Path entry = kernel.stateDir().resolve("ledger/" + VF0 + ".entry");
            Files.writeString(entry, "sriov4j-ledger 1\ndevice=0000:01:10.0\nphase=DETA");
            List<LedgerProblem> before = host.ledgerProblems();
            assertEquals(1, before.size());
            assertEquals(LedgerProblem.Kind.CORRUPT, before.get(0).kind());
            assertEquals(Optional.of(VF0), before.get(0).device());
            assertThrows(SriovException.class, () -> host.lease(VF0, "vm"), "never acted on");
            assertEquals(1, host.recover().problems().size());
            List<LedgerProblem> after = host.ledgerProblems();
            assertEquals(1, after.size(), "still listed after recover set it aside");
            assertEquals(LedgerProblem.Kind.QUARANTINED, after.get(0).kind());
            assertEquals(Optional.of(VF0), after.get(0).device());
            Files.delete(after.get(0).file()); // the operator dealt with it
            assertEquals(List.of(), host.ledgerProblems());
        }
    }

    @Test
    void aPfWithVfsCannotBeDetachedOrLeasedAndTheVfsAreNamed() {
        try (SriovHost host = hostWithVfs(2)) {
            SriovException e = assertThrows(SriovException.class, () -> host.detach(PF));
            assertEquals(Optional.of(Errno.EBUSY), e.errno());
            assertTrue(e.getMessage().contains("0000:01:10.0") && e.getMessage().contains("0000:01:10.2"),
                    e.getMessage());
            assertThrows(SriovException.class, () -> host.lease(PF, "vm"));
            assertThrows(SriovException.class, () -> host.lease(PF, "vm", LeaseHolder.durable()));
            assertEquals(Optional.of("igb"), driver(PF));
            assertEquals(2, host.topology().physicalFunction(PF).orElseThrow().numVfs());
            assertEquals(List.of(), host.assignments());
        }
    }

    @Test
    void theVfCountOfADetachedOrLeasedPfCannotChange() {
        try (SriovHost host = kernel.openHost()) {
            host.detach(PF); // no VFs: allowed
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(PF, 2));
            assertTrue(e.getMessage().contains("detached"), e.getMessage());
            host.reattach(PF);
            Lease lease = host.lease(PF, "vm", LeaseHolder.durable());
            assertThrows(SriovException.class, () -> host.enableVfs(PF, 2));
            assertThrows(SriovException.class, () -> host.disableVfs(PF));
            lease.close();
            assertEquals(2, host.enableVfs(PF, 2).numVfs());
        }
    }

    @Test
    void aVfCannotBeLeasedWhileItsPfIsDurablyLeasedNorThePfWhileAVfIs() {
        try (SriovHost host = hostWithVfs(2)) {
            Lease vf = host.lease(VF0, "vm-a", LeaseHolder.durable());
            try (SriovHost other = kernel.openHost()) {
                assertThrows(LeaseUnavailableException.class, () -> other.lease(PF, "vm-b"));
                assertThrows(LeaseUnavailableException.class, () -> other.disableVfs(PF));
            }
            vf.close();
        }
    }

    @Test
    void recoverOnOpenGivesBackWhatIsOverAndNeverTouchesLiveOrDurableLeases() throws Exception {
        Process qemu = sleep();
        Process dead = sleep();
        try (SriovHost host = hostWithVfs(3)) {
            host.lease(VF0, "vm-live", LeaseHolder.process(qemu.pid()));
            host.lease(VF1, "vm-dead", LeaseHolder.process(dead.pid()));
            host.lease(PciAddress.parse("0000:01:10.4"), "vm-durable", LeaseHolder.durable());
        }
        dead.destroyForcibly().waitFor();
        SriovConfig off = SriovConfig.builder().stateDir(kernel.stateDir()).build();
        assertFalse(off.recoverOnOpen(), "off by default");
        try (SriovHost plain = SriovEngine.open(off, kernel, kernel.devices())) {
            assertEquals(Optional.of("vfio-pci"), driver(VF1), "open alone changes nothing");
        }
        SriovConfig on = off.toBuilder().recoverOnOpen(true).build();
        try (SriovHost host = SriovEngine.open(on, kernel, kernel.devices())) {
            assertEquals(Optional.of("igbvf"), driver(VF1), "the dead process's lease was given back on open");
            assertEquals(Optional.of("vfio-pci"), driver(VF0));
            assertEquals(Optional.of("vfio-pci"), driver(PciAddress.parse("0000:01:10.4")));
            assertEquals(2, host.assignments().size());
        }
    }

    @Test
    void racingTakersOfDurableAndProcessTiedLeasesNeverBothWin() throws Exception {
        Process qemu = sleep();
        try (SriovHost setup = hostWithVfs(1)) {
            setup.detach(VF0); // unmanaged: the race is about the lease alone
        }
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
                List<java.util.concurrent.Future<Optional<Lease>>> tries = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    LeaseHolder holder = t % 2 == 0 ? LeaseHolder.durable() : LeaseHolder.process(qemu.pid());
                    String guest = "vm-" + t;
                    tries.add(pool.submit(() -> {
                        // one host object per taker, as one per process; closing it leaves these leases alone
                        try (SriovHost host = kernel.openHost()) {
                            start.await();
                            return Optional.of(host.lease(VF0, guest, holder));
                        } catch (LeaseUnavailableException busy) {
                            return Optional.empty();
                        }
                    }));
                }
                List<Lease> won = new java.util.ArrayList<>();
                for (var f : tries) {
                    f.get(30, TimeUnit.SECONDS).ifPresent(won::add);
                }
                assertEquals(1, won.size(), "round " + round + ": " + won);
                try (SriovHost observer = kernel.openHost()) {
                    assertEquals(Optional.of(won.get(0).guest()), assignment(observer, VF0).guest());
                }
                won.get(0).close();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRelativeOrEmptyStateDirectoryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SriovConfig.builder().stateDir(Path.of("state")));
        assertThrows(IllegalArgumentException.class, () -> SriovConfig.builder().stateDir(Path.of("")));
    }

    @Test
    void nothingIsCreatedInTheStateDirectoryForAFunctionThatDoesNotExist() throws Exception {
        Path state = tmp.resolve("state");
        SriovConfig config = SriovConfig.builder().stateDir(state).build();
        try (SriovHost host = SriovEngine.open(config, kernel, kernel.devices())) {
            assertThrows(org.sriov4j.DeviceNotFoundException.class, () -> host.lease(VF0, "vm"));
            assertThrows(org.sriov4j.DeviceNotFoundException.class, () -> host.detach(VF0));
            assertThrows(org.sriov4j.DeviceNotFoundException.class, () -> host.detachFromGuest(VF0));
        }
        assertFalse(Files.exists(state));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList());
        }
    }
}
