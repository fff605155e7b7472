package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.GuestSysfs.driver;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.HotplugPhase;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovHost;
import org.sriov4j.UnplugOutcome;
import org.sriov4j.testing.RecordingHooks;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.DeviceRequests;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.VfioSystem;

/**
 * REQ → unplug on the real kernel: a VF leased to a "guest" through a stand-in plug actuator (there is no guest in
 * this machine: the actuator records device_add/device_del), its VFIO device open in this JVM and handled by
 * {@link DeviceRequests}; another process writes its BDF to vfio-pci's {@code unbind}. The kernel signals REQ and
 * blocks that write; the unplug hooks run in order (reverse of plug), the device is closed, the write returns, the
 * lease ends and the VF is back on igbvf. Also the surprise removal when the guest does not eject in time. And the
 * fact the holder rule stands on: vfio-pci's sysfs {@code enable} is 1 exactly while the VFIO device is open.
 */
class RealDeviceRequestIT {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final Path DEVICES = Path.of("/sys/bus/pci/devices");

    final RecordingHooks rec = new RecordingHooks(Duration.ofSeconds(120));
    final List<SriovEvent> events = new CopyOnWriteArrayList<>();
    SriovHost host;
    VfioSystem vfio;

    @BeforeEach
    void open() {
        host = SriovHost.open(SriovConfig.builder().plugActuator(rec.actuator()).hook(rec.hook("b", 2))
                .hook(rec.hook("a", 1)).loadGuestHooks(false).build());
        host.recover();
        host.subscribe(events::add);
        vfio = VfioSystem.open();
    }

    @AfterEach
    void cleanUp() {
        host.recover().keptDetached().forEach(host::reattach);
        host.disableVfs(PF);
        host.close();
    }

    static String enable(PciAddress f) throws Exception {
        return Files.readString(DEVICES.resolve(f.toString()).resolve("enable"), StandardCharsets.US_ASCII).strip();
    }


    /** Another process: {@code echo BDF > /sys/bus/pci/drivers/vfio-pci/unbind}. */
    static Process unbindFromAnotherProcess(PciAddress f) throws Exception {
        return new ProcessBuilder("bash", "-c", "echo " + f + " > /sys/bus/pci/drivers/vfio-pci/unbind")
                .redirectErrorStream(true).start();
    }

    @Test
    void vfioPciEnablesTheDeviceExactlyWhileItsVfioDeviceIsOpen() throws Exception {
        PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
        assertEquals("1", enable(vf), "igbvf enables its device");
        try (Lease lease = host.lease(vf, "vm-1")) {
            assertEquals("0", enable(vf), "on vfio-pci, not open");
            try (IommuDomain domain = vfio.newDomain()) {
                AssignedDevice dev = domain.openDevice(lease);
                assertEquals("1", enable(vf), "open");
                dev.close();
                assertEquals("0", enable(vf), "closed");
            }
        }
        assertTrue(host.backendFeatures().contains(BackendFeature.HOT_PLUG), "with a plug actuator");
    }

    @Test
    void anUnbindFromAnotherProcessUnplugsThroughTheHooksInOrderThenTheDeviceIsReleased() throws Exception {
        PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
        Lease lease = host.lease(vf, "vm-1");
        lease.attachToGuest("vm-1");
        assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", "device_add vm-1", "a.commit PLUG", "b.commit PLUG"),
                rec.calls());
        rec.clear();
        try (IommuDomain domain = vfio.newDomain()) {
            AssignedDevice dev = domain.openDevice(lease);
            try (DeviceRequests requests = DeviceRequests.handle(dev, lease, Duration.ofSeconds(10))) {
                long t0 = System.nanoTime();
                Process unbind = unbindFromAnotherProcess(vf);
                assertTrue(requests.awaitHandled(Duration.ofSeconds(30)), "the request was handled");
                assertTrue(unbind.waitFor(30, TimeUnit.SECONDS), "the other process's unbind returned");
                System.out.printf("  REQ handled and unbind returned after %d ms (exit %d)%n",
                        (System.nanoTime() - t0) / 1_000_000, unbind.exitValue());
                assertEquals(0, unbind.exitValue());
                assertEquals(Optional.of(UnplugOutcome.EJECTED), requests.outcome(), requests.failure().toString());
                assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del vm-1", "b.commit UNPLUG",
                        "a.commit UNPLUG"), rec.calls());
                assertFalse(lease.isHeld(), "the lease ended");
            }
        }
        assertEquals(Optional.of("igbvf"), driver(vf), "given back to igbvf");
        assertEquals(List.of(), host.assignments());
    }

    @Test
    void aGuestThatDoesNotEjectWithinTheGracePeriodLosesTheDeviceBySurpriseRemoval() throws Exception {
        PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
        Lease lease = host.lease(vf, "vm-1");
        lease.attachToGuest("vm-1");
        rec.guestNeverEjects(true);
        try (IommuDomain domain = vfio.newDomain()) {
            AssignedDevice dev = domain.openDevice(lease);
            try (DeviceRequests requests = DeviceRequests.handle(dev, lease, Duration.ofSeconds(1))) {
                Process unbind = unbindFromAnotherProcess(vf);
                assertTrue(requests.awaitHandled(Duration.ofSeconds(30)));
                assertTrue(unbind.waitFor(30, TimeUnit.SECONDS), "the other process's unbind returned");
                assertEquals(Optional.of(UnplugOutcome.SURPRISE_REMOVAL), requests.outcome());
                assertTrue(events.stream().anyMatch(e -> e instanceof SriovEvent.HotplugStep s
                        && s.phase() == HotplugPhase.SURPRISE_REMOVAL));
                assertFalse(lease.isHeld());
            }
        }
        assertEquals(Optional.of("igbvf"), driver(vf));
    }
}
