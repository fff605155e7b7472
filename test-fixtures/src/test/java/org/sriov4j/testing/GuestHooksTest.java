package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.Errno;
import org.sriov4j.GuestHook;
import org.sriov4j.GuestPlugActuator;
import org.sriov4j.HookVerdict;
import org.sriov4j.HotplugContext;
import org.sriov4j.HotplugException;
import org.sriov4j.HotplugOperation;
import org.sriov4j.HotplugPhase;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.UnplugOutcome;

/**
 * The guest hook SPI on kvm-vfio with a VMM's plug actuator, on the simulated kernel: order, veto, failures and
 * overruns abort the prepared hooks in reverse order and leave the function where it was; unplug mirrors plug; the
 * ledger records the attachment; HOT_PLUG is reported exactly when an actuator is given; a kernel request unplugs
 * within the grace period or falls back to surprise removal.
 */
class GuestHooksTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<SriovEvent> events = new CopyOnWriteArrayList<>();
    SriovHost host;

    /** A hook that records its calls and can veto, throw or hang in prepare or commit. */
    final class Recording implements GuestHook {
        final String name;
        final int order;
        String vetoPrepare;
        RuntimeException throwIn;
        String throwPhase = "";
        boolean hangInPrepare;
        volatile boolean interrupted;

        Recording(String name, int order) {
            this.name = name;
            this.order = order;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int order() {
            return order;
        }

        @Override
        public Duration timeLimit() {
            return Duration.ofMillis(300);
        }

        @Override
        public HookVerdict prepare(HotplugContext c) {
            calls.add(name + ".prepare " + c.operation());
            if (hangInPrepare) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (throwIn != null && throwPhase.equals("prepare")) {
                throw throwIn;
            }
            return vetoPrepare != null ? HookVerdict.veto(vetoPrepare) : HookVerdict.proceed();
        }

        @Override
        public void commit(HotplugContext c) {
            calls.add(name + ".commit " + c.operation());
            if (throwIn != null && throwPhase.equals("commit")) {
                throw throwIn;
            }
        }

        @Override
        public void abort(HotplugContext c) {
            calls.add(name + ".abort " + c.operation());
        }
    }

    /** A QMP-like actuator that records plug/unplug and can fail or never see the guest eject. */
    final class Actuator implements GuestPlugActuator {
        RuntimeException failPlug;
        boolean guestNeverEjects;

        @Override
        public void plug(PciAddress device, String guest) {
            calls.add("device_add " + device + " " + guest);
            if (failPlug != null) {
                throw failPlug;
            }
        }

        @Override
        public void unplug(PciAddress device, String guest, Duration timeLimit) {
            calls.add("device_del " + device + " " + guest);
            if (guestNeverEjects) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    throw new IllegalStateException("DEVICE_DELETED not seen", e);
                }
            }
        }
    }

    final Actuator actuator = new Actuator();
    final Recording a = new Recording("a", 1);
    final Recording b = new Recording("b", 2);

    SriovHost open(java.util.function.UnaryOperator<SriovConfig.Builder> c) {
        host = kernel.openHost(c);
        host.subscribe(events::add);
        return host;
    }

    SriovHost withActuatorAndHooks() {
        // registered out of order: order() decides
        return open(c -> c.plugActuator(actuator).hook(b).hook(a).loadGuestHooks(false));
    }

    PciAddress vf() {
        return host.enableVfs(PF, 1).vfs().get(0);
    }

    @AfterEach
    void close() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void withoutAPlugActuatorKvmVfioHasNoHotPlugAndAttachSaysWhatIsMissing() {
        open(c -> c);
        assertFalse(host.backendFeatures().contains(BackendFeature.HOT_PLUG));
        try (Lease lease = host.lease(vf(), "vm-1")) {
            SriovException e = assertThrows(SriovException.class, () -> lease.attachToGuest("vm-1"));
            assertEquals(Optional.of(Errno.EOPNOTSUPP), e.errno());
            assertTrue(e.getMessage().contains("plugActuator"), e.getMessage());
            assertEquals(Optional.empty(), lease.attachedTo());
        }
    }

    @Test
    void withAPlugActuatorKvmVfioHasHotPlugAndPlugRunsPrepareActionCommitInOrderAndUnplugMirrorsIt() {
        withActuatorAndHooks();
        assertTrue(host.backendFeatures().contains(BackendFeature.HOT_PLUG));
        PciAddress vf = vf();
        try (Lease lease = host.lease(vf, "vm-1")) {
            lease.attachToGuest("vm-1");
            assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", "device_add " + vf + " vm-1", "a.commit PLUG",
                    "b.commit PLUG"), calls);
            assertEquals(Optional.of("vm-1"), lease.attachedTo());
            assertEquals(Optional.of("vm-1"), host.assignments().get(0).attachedTo(), "the ledger records it");
            calls.clear();
            lease.detachFromGuest();
            assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del " + vf + " vm-1",
                    "b.commit UNPLUG", "a.commit UNPLUG"), calls);
            assertEquals(Optional.empty(), lease.attachedTo());
        }
        List<HotplugPhase> phases = events.stream().filter(e -> e instanceof SriovEvent.HotplugStep)
                .map(e -> ((SriovEvent.HotplugStep) e).phase()).toList();
        assertEquals(List.of(HotplugPhase.PREPARE, HotplugPhase.PREPARE, HotplugPhase.ACTION, HotplugPhase.COMMIT,
                HotplugPhase.COMMIT, HotplugPhase.PREPARE, HotplugPhase.PREPARE, HotplugPhase.ACTION,
                HotplugPhase.COMMIT, HotplugPhase.COMMIT), phases);
    }

    @Test
    void aDetachedVfIsAttachedThroughTheHostWithTheActuatorAndReattachUnplugsItFirst() {
        withActuatorAndHooks();
        PciAddress vf = vf();
        host.detach(vf);
        host.attachToGuest(vf, "vm-1");
        assertEquals(Optional.of("vm-1"), host.assignments().get(0).attachedTo());
        assertTrue(calls.contains("device_add " + vf + " vm-1"), calls.toString());
        calls.clear();
        host.reattach(vf);
        assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del " + vf + " vm-1", "b.commit UNPLUG",
                "a.commit UNPLUG"), calls);
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
    }

    @Test
    void closingALeaseAttachedToAGuestUnplugsThroughTheHooksBeforeGivingTheVfBack() {
        withActuatorAndHooks();
        PciAddress vf = vf();
        Lease lease = host.lease(vf, "vm-1");
        lease.attachToGuest("vm-1");
        calls.clear();
        lease.close();
        assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del " + vf + " vm-1", "b.commit UNPLUG",
                "a.commit UNPLUG"), calls);
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
    }

    @Test
    void aVetoInPrepareStopsThePlugBeforeTheActionNamingTheHookAndAbortsThePreparedHooks() {
        withActuatorAndHooks();
        b.vetoPrepare = "maintenance window";
        PciAddress vf = vf();
        try (Lease lease = host.lease(vf, "vm-1")) {
            HotplugException e = assertThrows(HotplugException.class, () -> lease.attachToGuest("vm-1"));
            assertEquals(HotplugException.Kind.VETOED, e.kind());
            assertEquals("b", e.hook());
            assertEquals(Optional.of(Errno.EPERM), e.errno());
            assertTrue(e.getMessage().contains("maintenance window"), e.getMessage());
            assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", "a.abort PLUG"), calls);
            assertEquals(Optional.empty(), lease.attachedTo(), "nothing attached");
            assertEquals(Optional.empty(), host.assignments().get(0).attachedTo(), "the ledger as before");
            assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vf));
        }
    }

    @Test
    void aHookThatThrowsFailsThePlugWithItsExceptionAsCause() {
        withActuatorAndHooks();
        IllegalStateException boom = new IllegalStateException("firmware not ready");
        b.throwIn = boom;
        b.throwPhase = "prepare";
        try (Lease lease = host.lease(vf(), "vm-1")) {
            HotplugException e = assertThrows(HotplugException.class, () -> lease.attachToGuest("vm-1"));
            assertEquals(HotplugException.Kind.HOOK_FAILED, e.kind());
            assertSame(boom, e.getCause());
            assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", "a.abort PLUG"), calls);
            assertEquals(Optional.empty(), lease.attachedTo());
        }
    }

    @Test
    void aHookThatOverrunsItsTimeLimitAbortsThePlugAndItsThreadIsInterrupted() throws InterruptedException {
        withActuatorAndHooks();
        b.hangInPrepare = true;
        try (Lease lease = host.lease(vf(), "vm-1")) {
            long start = System.nanoTime();
            HotplugException e = assertThrows(HotplugException.class, () -> lease.attachToGuest("vm-1"));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "bounded by the 300 ms limit");
            assertEquals(HotplugException.Kind.HOOK_TIMED_OUT, e.kind());
            assertEquals(Optional.of(Errno.ETIMEDOUT), e.errno());
            assertTrue(calls.contains("a.abort PLUG"), calls.toString());
            assertFalse(calls.stream().anyMatch(c -> c.startsWith("device_add")), calls.toString());
            for (int i = 0; i < 100 && !b.interrupted; i++) {
                Thread.sleep(20);
            }
            assertTrue(b.interrupted, "the overrunning hook's thread is interrupted");
        }
    }

    @Test
    void aFailingActuatorAbortsEveryPreparedHookInReverseOrderAndRethrowsItsFailure() {
        withActuatorAndHooks();
        actuator.failPlug = new IllegalStateException("QMP: Duplicate device ID");
        try (Lease lease = host.lease(vf(), "vm-1")) {
            SriovException e = assertThrows(SriovException.class, () -> lease.attachToGuest("vm-1"));
            assertTrue(e.getMessage().contains("Duplicate device ID"), e.getMessage());
            assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", calls.get(2), "b.abort PLUG", "a.abort PLUG"),
                    calls);
            assertEquals(Optional.empty(), lease.attachedTo());
        }
    }

    @Test
    void aFailingCommitUndoesTheActionAndAbortsTheHooks() {
        withActuatorAndHooks();
        b.throwIn = new IllegalStateException("bookkeeping failed");
        b.throwPhase = "commit";
        PciAddress vf = vf();
        try (Lease lease = host.lease(vf, "vm-1")) {
            HotplugException e = assertThrows(HotplugException.class, () -> lease.attachToGuest("vm-1"));
            assertEquals(HotplugPhase.COMMIT, e.phase());
            assertEquals(List.of("undone with actuator unplug"), e.rollback().orElseThrow().restored(), e.getMessage());
            assertTrue(e.rollback().orElseThrow().complete());
            assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", "device_add " + vf + " vm-1", "a.commit PLUG",
                    "b.commit PLUG", "device_del " + vf + " vm-1", "b.abort PLUG", "a.abort PLUG"), calls);
            assertEquals(Optional.empty(), lease.attachedTo());
        }
    }

    @Test
    void hooksFoundThroughServiceLoaderRunAfterRegisteredOnesOfTheSameOrderUnlessTurnedOff() {
        ServiceLoadedHook.CALLS.clear();
        open(c -> c.plugActuator(actuator).hook(new Recording("r", 0)));
        try (Lease lease = host.lease(vf(), "vm-1")) {
            lease.attachToGuest("vm-1");
        }
        assertEquals(List.of("r.prepare PLUG"), calls.subList(0, 1));
        assertEquals(List.of("prepare PLUG", "commit PLUG", "prepare UNPLUG", "commit UNPLUG"),
                ServiceLoadedHook.CALLS);
        host.close();
        ServiceLoadedHook.CALLS.clear();
        open(c -> c.plugActuator(actuator).loadGuestHooks(false));
        try (Lease lease = host.lease(host.topology().virtualFunctions().get(0).address(), "vm-1")) {
            lease.attachToGuest("vm-1");
        }
        assertTrue(ServiceLoadedHook.CALLS.isEmpty());
    }

    @Test
    void aKernelRequestUnplugsThroughTheHooksWhenTheGuestEjectsInTime() {
        withActuatorAndHooks();
        PciAddress vf = vf();
        try (Lease lease = host.lease(vf, "vm-1")) {
            lease.attachToGuest("vm-1");
            calls.clear();
            boolean[] fallback = {false};
            assertEquals(UnplugOutcome.EJECTED, lease.detachFromGuest(Duration.ofSeconds(5), () -> fallback[0] = true));
            assertFalse(fallback[0]);
            assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del " + vf + " vm-1",
                    "b.commit UNPLUG", "a.commit UNPLUG"), calls);
            assertEquals(Optional.empty(), lease.attachedTo());
            assertEquals(UnplugOutcome.NOT_ATTACHED, lease.detachFromGuest(Duration.ofSeconds(1), () -> { }));
        }
    }

    @Test
    void aGuestThatDoesNotEjectWithinTheGracePeriodLosesTheDeviceBySurpriseRemovalReportedAsSuch()
            throws InterruptedException {
        withActuatorAndHooks();
        a.vetoPrepare = "busy"; // ignored: the host takes the device back
        PciAddress vf = vf();
        try (Lease lease = host.lease(vf, "vm-1")) {
            a.vetoPrepare = null;
            lease.attachToGuest("vm-1");
            a.vetoPrepare = "busy";
            actuator.guestNeverEjects = true;
            calls.clear();
            CountDownLatch closed = new CountDownLatch(1);
            long start = System.nanoTime();
            assertEquals(UnplugOutcome.SURPRISE_REMOVAL,
                    lease.detachFromGuest(Duration.ofMillis(400), closed::countDown));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            assertTrue(closed.await(0, TimeUnit.SECONDS), "the fallback (close the device) ran");
            assertEquals(Optional.empty(), lease.attachedTo(), "the guest has lost it: no longer recorded");
            assertTrue(calls.contains("b.abort UNPLUG"), calls.toString());
            SriovEvent.HotplugStep surprise = events.stream().filter(e -> e instanceof SriovEvent.HotplugStep s
                    && s.phase() == HotplugPhase.SURPRISE_REMOVAL).map(e -> (SriovEvent.HotplugStep) e).findFirst()
                    .orElseThrow();
            assertEquals(HotplugOperation.UNPLUG, surprise.operation());
            assertTrue(surprise.detail().contains("400 ms"), surprise.detail());
            assertTrue(events.stream().anyMatch(e -> e instanceof SriovEvent.HotplugStep s
                    && s.phase() == HotplugPhase.VETO && s.detail().contains("ignored")));
        }
    }

    @Test
    void recoverUnplugsFromTheGuestAFunctionLeftAttachedIgnoringVetoes() {
        open(c -> c.plugActuator(actuator).plugTimeLimit(Duration.ofMillis(300)).hook(a).loadGuestHooks(false));
        PciAddress vf = vf();
        Lease lease = host.lease(vf, "vm-1");
        lease.attachToGuest("vm-1");
        actuator.guestNeverEjects = true; // the unplug of close fails: the lease ends, the record stays
        SriovException e = assertThrows(SriovException.class, lease::close);
        assertEquals(Optional.of(Errno.ETIMEDOUT), e.errno());
        assertTrue(e.getMessage().contains("the plug actuator's unplug did not return within 300 ms"), e.getMessage());
        assertFalse(lease.isHeld());
        assertEquals(Optional.of("vm-1"), host.assignments().get(0).attachedTo());
        actuator.guestNeverEjects = false;
        a.vetoPrepare = "no";
        calls.clear();
        try (SriovHost other = kernel.openHost(c -> c.plugActuator(actuator).hook(a).loadGuestHooks(false))) {
            assertEquals(List.of(vf), other.recover().restored());
        }
        // the vetoing hook did not prepare, so it is not committed; the unplug went ahead
        assertEquals(List.of("a.prepare UNPLUG", "device_del " + vf + " vm-1"), calls);
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
    }

    @Test
    void aHookResultIsAValue() {
        assertThrows(IllegalArgumentException.class, () -> HookVerdict.veto(" "));
        assertInstanceOf(HookVerdict.class, HookVerdict.proceed());
    }
}
