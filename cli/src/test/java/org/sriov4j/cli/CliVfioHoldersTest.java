package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.testing.SimulatedProcess;

/**
 * release, reattach and disable-vfs while a VMM (a simulated process) holds a VF's VFIO device: each prints the
 * holder's pid and command and exits 1, changing nothing (the simulated kernel fails the test if an unbind is tried).
 */
class CliVfioHoldersTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    CliTest.Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config -> kernel.openHost()).run(args);
        return new CliTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    SimulatedProcess qemuHolding(PciAddress vf) {
        SimulatedProcess qemu = kernel.startProcess("qemu-system-x86");
        qemu.openGroup(kernel.iommuGroupOf(vf).orElseThrow());
        qemu.openDevice(vf);
        return qemu;
    }

    @Test
    void reattachAndDisableVfsPrintTheHolderAndExit1ChangingNothing() {
        PciAddress vf;
        try (SriovHost host = kernel.openHost()) {
            vf = host.enableVfs(PF, 2).vfs().get(0);
            host.detach(vf);
        }
        SimulatedProcess qemu = qemuHolding(vf);
        for (String[] args : new String[][] {{"reattach", vf.toString()}, {"disable-vfs", PF.toString()}}) {
            CliTest.Result r = run(args);
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().contains("EBUSY"), r.err());
            assertTrue(r.err().contains("held by pid " + qemu.pid() + " (qemu-system-x86)"), r.err());
            assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vf));
            assertEquals(2, kernel.numVfs(PF));
        }
        qemu.exit();
        assertEquals(0, run("reattach", vf.toString()).status());
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
    }

    @Test
    void releaseOfAManagedLeaseWhoseDeviceIsHeldPrintsTheHolderAndLeavesTheLease() {
        try (SriovHost host = kernel.openHost()) {
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            Lease lease = host.lease(vf, "vm-1");
            SimulatedProcess qemu = qemuHolding(vf);
            CliTest.Result r = run("release", vf.toString());
            assertEquals(1, r.status(), r.err());
            assertTrue(r.err().contains("held by pid " + qemu.pid()), r.err());
            assertTrue(r.err().contains("the lease was left as it is"), r.err());
            assertTrue(lease.isHeld());
            qemu.exit();
            lease.close();
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
        }
    }

    @Test
    void holderWaitTakesWholeSecondsAndTheHelpSaysWhatBusyMeans() {
        assertEquals(2, run("--holder-wait", "soon", "list").status());
        assertEquals(2, run("--holder-wait", "-1", "list").status());
        assertEquals(0, run("--holder-wait", "5", "list").status());
        String help = run("--help").out();
        assertTrue(help.contains("--holder-wait SECONDS"), help);
        assertTrue(help.contains("print each process that"), help);
    }
}
