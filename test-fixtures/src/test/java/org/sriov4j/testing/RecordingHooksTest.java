package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.UnplugOutcome;

class RecordingHooksTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    @Test
    void recordsEachHookAndTheActuatorInTheOrderTheLibraryCallsThem() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        RecordingHooks rec = new RecordingHooks();
        try (SriovHost host = kernel.openHost(c -> c.plugActuator(rec.actuator()).hook(rec.hook("b", 2))
                .hook(rec.hook("a", 1)).loadGuestHooks(false))) {
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm-1")) {
                lease.attachToGuest("vm-1");
                assertEquals(List.of("a.prepare PLUG", "b.prepare PLUG", "device_add vm-1", "a.commit PLUG",
                        "b.commit PLUG"), rec.calls());
                rec.clear();
                lease.detachFromGuest();
                assertEquals(List.of("b.prepare UNPLUG", "a.prepare UNPLUG", "device_del vm-1", "b.commit UNPLUG",
                        "a.commit UNPLUG"), rec.calls());
            }
        }
    }

    @Test
    void aGuestThatNeverEjectsBlocksTheUnplugUntilTheLibraryGivesUpAndFallsBack() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        RecordingHooks rec = new RecordingHooks(Duration.ofSeconds(30));
        try (SriovHost host = kernel.openHost(c -> c.plugActuator(rec.actuator()).loadGuestHooks(false))) {
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm-1")) {
                lease.attachToGuest("vm-1");
                rec.guestNeverEjects(true);
                long t0 = System.nanoTime();
                UnplugOutcome outcome = lease.detachFromGuest(Duration.ofMillis(200), () -> { });
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "not the full 30 s");
                assertEquals(UnplugOutcome.SURPRISE_REMOVAL, outcome);
                assertTrue(rec.calls().contains("device_del vm-1"), rec.calls().toString());
            }
        }
    }

    @Test
    void aNeverEjectingTimeOfZeroIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RecordingHooks(Duration.ZERO));
    }
}
