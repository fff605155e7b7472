package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Assignment;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.FunctionOutcome;
import org.sriov4j.Lease;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * Detach and reattach of many functions in one call ({@link SriovHost#detachAll}, {@link SriovHost#reattachAll}):
 * each function's outcome on its own, each function's intent in the ledger before its first kernel write, a failure
 * of one leaving the others done and itself as the single call leaves it.
 */
class EngineBatchDetachTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    /** Checks, at every kernel write of a detach or reattach, that the function's record says what is going on. */
    final class WriteAheadCheck implements SysfsAccess {
        final List<String> violations = new ArrayList<>();
        int checked;

        private Optional<String> phase(String bdf) {
            Path entry = kernel.stateDir().resolve("ledger").resolve(bdf + ".entry");
            try {
                return Files.exists(entry) ? Files.readAllLines(entry).stream().filter(l -> l.startsWith("phase="))
                        .findFirst().map(l -> l.substring("phase=".length())) : Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(String path, String value) {
            String bdf = value.trim();
            if (path.endsWith("/driver_override") && value.equals("vfio-pci")) {
                bdf = path.split("/")[3];
                expect(bdf, "DETACHING", path);
            } else if (path.equals("bus/pci/drivers/vfio-pci/unbind")) {
                expect(bdf, "REATTACHING", path);
            }
            kernel.write(path, value);
        }

        private void expect(String bdf, String phase, String path) {
            checked++;
            Optional<String> now = phase(bdf);
            if (!now.equals(Optional.of(phase))) {
                violations.add(path + " written while the record of " + bdf + " is " + now);
            }
        }

        @Override
        public String read(String path) {
            return kernel.read(path);
        }

        @Override
        public List<String> list(String dir) {
            return kernel.list(dir);
        }

        @Override
        public String readLink(String path) {
            return kernel.readLink(path);
        }

        @Override
        public boolean exists(String path) {
            return kernel.exists(path);
        }

        @Override
        public String describe(String path) {
            return kernel.describe(path);
        }
    }

    WriteAheadCheck check = new WriteAheadCheck();

    SriovHost open() {
        return SriovEngine.open(SriovConfig.builder().stateDir(kernel.stateDir()).procRoot(kernel.procRoot()).build(),
                check, kernel.devices());
    }

    static List<PciAddress> vfs(SriovHost host) {
        return host.topology().virtualFunctions().stream().map(v -> v.function().address()).toList();
    }

    @Test
    void sevenVfsGoToTheStubAndBackInOneCallEachRecordedAheadOfItsWrites() {
        try (SriovHost host = open()) {
            host.enableVfs(PF, 7);
            List<PciAddress> vfs = vfs(host);
            List<FunctionOutcome> detached = host.detachAll(vfs);
            assertEquals(vfs, detached.stream().map(FunctionOutcome::function).toList());
            for (FunctionOutcome o : detached) {
                assertTrue(o.succeeded(), () -> o.failure().orElseThrow().getMessage());
                assertEquals(Optional.of("vfio-pci"), kernel.driverOf(o.function()));
                assertEquals(host.topology().function(o.function()), o.result(), "as sysfs shows it");
            }
            assertEquals(vfs, host.assignments().stream().map(Assignment::device).toList());
            assertTrue(host.assignments().stream().allMatch(a -> a.phase() == Assignment.Phase.DETACHED
                    && a.originalDriver().equals(Optional.of("igbvf"))));
            List<FunctionOutcome> back = host.reattachAll(vfs);
            for (FunctionOutcome o : back) {
                assertTrue(o.succeeded(), () -> o.failure().orElseThrow().getMessage());
                assertEquals(Optional.of("igbvf"), kernel.driverOf(o.function()));
                assertEquals(Optional.empty(), kernel.driverOverrideOf(o.function()));
                assertEquals(host.topology().function(o.function()), o.result(), "as sysfs shows it");
            }
            assertTrue(host.assignments().isEmpty());
            assertTrue(host.recover().clean());
        }
        assertEquals(14, check.checked);
        assertEquals(List.of(), check.violations);
    }

    @Test
    void aRefusedOrFailingFunctionHasItsOwnOutcomeAndTheOthersAreDone() {
        try (SriovHost host = open()) {
            host.enableVfs(PF, 4);
            List<PciAddress> vfs = vfs(host);
            PciAddress missing = PciAddress.parse("0000:09:00.0");
            try (Lease leased = host.lease(vfs.get(1), "vm")) {
                kernel.failWrite("bus/pci/drivers/igbvf/unbind", 2, Errno.EIO); // the second unbind: vfs.get(2)
                List<FunctionOutcome> out = host.detachAll(List.of(vfs.get(0), vfs.get(1), missing, vfs.get(2),
                        vfs.get(3)));
                assertTrue(out.get(0).succeeded());
                assertInstanceOf(LeaseUnavailableException.class, out.get(1).failure().orElseThrow());
                assertInstanceOf(DeviceNotFoundException.class, out.get(2).failure().orElseThrow());
                SriovException failed = out.get(3).failure().orElseThrow();
                assertEquals(Optional.of(Errno.EIO), failed.errno());
                assertTrue(failed.getMessage().contains("restored"), failed.getMessage());
                assertTrue(out.get(4).succeeded());
                assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vfs.get(0)));
                assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs.get(2)), "the failed one is restored");
                assertEquals(Optional.empty(), kernel.driverOverrideOf(vfs.get(2)));
                assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vfs.get(3)));
                assertEquals(List.of(vfs.get(0), vfs.get(1), vfs.get(3)),
                        host.assignments().stream().map(Assignment::device).toList(), "no record of the failed one");
                assertTrue(leased.isHeld());

                List<FunctionOutcome> back = host.reattachAll(List.of(vfs.get(0), vfs.get(1), vfs.get(3)));
                assertTrue(back.get(0).succeeded() && back.get(2).succeeded());
                assertInstanceOf(LeaseUnavailableException.class, back.get(1).failure().orElseThrow());
                assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs.get(3)));
            }
            assertTrue(host.assignments().isEmpty(), "the lease gave its VF back");
        }
        assertEquals(List.of(), check.violations);
    }

    @Test
    void aPfWithVfsInTheSameCallIsRefusedAsSuchAndItsVfsAreDetached() {
        try (SriovHost host = open()) {
            host.enableVfs(PF, 2);
            List<PciAddress> vfs = vfs(host);
            List<FunctionOutcome> out = host.detachAll(List.of(PF, vfs.get(0), vfs.get(1)));
            SriovException pf = out.get(0).failure().orElseThrow();
            assertEquals(Optional.of(Errno.EBUSY), pf.errno());
            assertTrue(pf.getMessage().contains("disable its VFs first"), pf.getMessage());
            assertTrue(out.get(1).succeeded() && out.get(2).succeeded());
            host.reattachAll(vfs);
        }
    }

    @Test
    void aFunctionNamedTwiceIsRefusedBeforeAnythingChanges() {
        try (SriovHost host = open()) {
            host.enableVfs(PF, 2);
            List<PciAddress> vfs = vfs(host);
            int writes = kernel.writes().size();
            assertThrows(IllegalArgumentException.class, () -> host.detachAll(List.of(vfs.get(0), vfs.get(0))));
            assertThrows(IllegalArgumentException.class, () -> host.reattachAll(List.of(vfs.get(1), vfs.get(1))));
            assertEquals(writes, kernel.writes().size());
            assertFalse(host.detachAll(List.of()).iterator().hasNext());
        }
    }

    @Test
    void anOutcomeIsEitherAResultForItsFunctionOrAFailure() {
        PciAddress vf = PciAddress.parse("0000:01:10.0");
        SriovException e = new SriovException("detach", vf, Errno.EIO, null, "x", null);
        assertThrows(IllegalArgumentException.class, () -> new FunctionOutcome(vf, Optional.empty(),
                Optional.empty()));
        try (SriovHost host = open()) {
            host.enableVfs(PF, 2);
            PciFunction other = host.topology().function(PciAddress.parse("0000:01:10.2")).orElseThrow();
            assertThrows(IllegalArgumentException.class, () -> new FunctionOutcome(vf, Optional.of(other),
                    Optional.empty()));
            assertThrows(IllegalArgumentException.class, () -> new FunctionOutcome(other.address(),
                    Optional.of(other), Optional.of(e)));
            assertTrue(FunctionOutcome.succeeded(other).succeeded());
            assertFalse(FunctionOutcome.failed(vf, e).succeeded());
        }
    }
}
