package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.HotplugPhase;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovHost;
import org.sriov4j.UnplugOutcome;
import org.sriov4j.testing.RecordingHooks;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/**
 * REQ → unplug ({@link DeviceRequests}): the host (simulated sysfs) leases a VF attached to a guest through a plug
 * actuator; its VFIO device is open on the fake VFIO kernel; "another process" unbinds it from vfio-pci, which
 * signals REQ and waits until the device is closed (failing the test if it never is, as the real unbind would block).
 */
class DeviceRequestsTest {

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    final RecordingHooks rec = new RecordingHooks(Duration.ofSeconds(60));
    final List<SriovEvent> events = new CopyOnWriteArrayList<>();
    SriovHost host;
    PciAddress vf;
    Lease lease;
    FakeVfioKernel vfioKernel;
    FakeDevice fakeDevice;
    IommuDomain domain;
    AssignedDevice dev;

    @BeforeEach
    void leaseAttachAndOpen() {
        host = kernel.openHost(c -> c.plugActuator(rec.actuator()).hook(rec.hook("b", 2)).hook(rec.hook("a", 1))
                .loadGuestHooks(false));
        host.subscribe(events::add);
        vf = host.enableVfs(PciAddress.parse("0000:01:00.0"), 2).vfs().get(0);
        lease = host.lease(vf, "vm-1");
        lease.attachToGuest("vm-1");
        rec.clear();
        vfioKernel = new FakeVfioKernel();
        fakeDevice = new FakeDevice(vf.toString(), 0x8086, 0x10ca).bar(0, 0x4000);
        vfioKernel.addGroup(6, true, fakeDevice);
        domain = new VfioSystem(vfioKernel, "/dev/").newDomain();
        dev = domain.openDevice(vf, 6);
    }

    @AfterEach
    void close() {
        domain.close();
        host.close();
    }

    /** Another process's unbind: REQ, then blocks until the device is closed (at most 10 s here). */
    Thread unbindFromAnotherProcess(AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                vfioKernel.unbindFromVfioPci(fakeDevice, 10_000);
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.start();
        return t;
    }

    @Test
    void aRequestUnplugsThroughTheHooksInOrderThenClosesTheDeviceAndEndsTheLease() throws Exception {
        try (DeviceRequests requests = DeviceRequests.handle(dev, lease, Duration.ofSeconds(5))) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread unbind = unbindFromAnotherProcess(failed);
            assertTrue(requests.awaitHandled(Duration.ofSeconds(10)));
            unbind.join(10_000);
            assertEquals(null, failed.get(), "the other process's unbind completed");
            assertEquals(Optional.of(UnplugOutcome.EJECTED), requests.outcome());
            assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del vm-1", "b.commit UNPLUG",
                    "a.commit UNPLUG"), rec.calls());
            assertEquals(0, fakeDevice.openCount, "the device is closed");
            assertFalse(lease.isHeld(), "the lease ended");
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vf), "given back to its original driver");
        }
    }

    @Test
    void aGuestThatDoesNotEjectWithinTheGracePeriodLosesTheDeviceBySurpriseRemoval() throws Exception {
        rec.guestNeverEjects(true);
        try (DeviceRequests requests = DeviceRequests.handle(dev, lease, Duration.ofMillis(300))) {
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread unbind = unbindFromAnotherProcess(failed);
            assertTrue(requests.awaitHandled(Duration.ofSeconds(10)));
            unbind.join(10_000);
            assertEquals(null, failed.get());
            assertEquals(Optional.of(UnplugOutcome.SURPRISE_REMOVAL), requests.outcome());
            assertTrue(events.stream().anyMatch(e -> e instanceof SriovEvent.HotplugStep s
                    && s.phase() == HotplugPhase.SURPRISE_REMOVAL), events.toString());
            assertTrue(rec.calls().containsAll(List.of("b.abort UNPLUG", "a.abort UNPLUG")), rec.calls().toString());
            assertEquals(0, fakeDevice.openCount);
            assertFalse(lease.isHeld());
        }
    }

    @Test
    void withoutAHandlerTheUnbindWouldBlockForever() {
        AssertionError e = assertThrows(AssertionError.class, () -> vfioKernel.unbindFromVfioPci(fakeDevice, 300));
        assertTrue(e.getMessage().contains("would block forever"), e.getMessage());
        lease.detachFromGuest();
        dev.close();
        lease.close();
    }

    @Test
    void theHandlerIsForTheLeasedFunctionOnly() {
        Lease other = host.lease(host.topology().virtualFunctions().get(1).address(), "vm-2");
        assertThrows(IllegalArgumentException.class, () -> DeviceRequests.handle(dev, other, Duration.ofSeconds(1)));
        other.close();
        lease.detachFromGuest();
        dev.close();
        lease.close();
    }
}
