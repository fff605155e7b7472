package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.testing.SimulatedKernel;

/** detach, reattach, lease and release of several functions in one command, on a simulated 82576 host with 7 VFs. */
class CliManyFunctionsTest {

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    CliManyFunctionsTest() {
        kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "7");
    }

    CliTest.Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config -> kernel.openHost()).run(args);
        return new CliTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String driverOf(String bdf) {
        String link = "bus/pci/devices/" + bdf + "/driver";
        return kernel.exists(link) ? Path.of(kernel.readLink(link)).getFileName().toString() : "-";
    }

    @Test
    void aSelectorDetachesEveryMatchingVfAndReattachGivesThemAllBack() {
        CliTest.Result d = run("detach", "0000:01:00.0#0-6");
        assertEquals(0, d.status(), d.err());
        for (PciAddress vf : kernel.vfsOf(PciAddress.parse("0000:01:00.0"))) {
            assertEquals("vfio-pci", driverOf(vf.toString()));
            assertTrue(d.out().contains(vf + " is on vfio-pci"), d.out());
        }
        assertTrue(d.out().contains("detached 7 of 7 functions"), d.out());
        CliTest.Result r = run("reattach", "0000:01:00.0#0-6");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("reattached 7 of 7 functions"), r.out());
        for (PciAddress vf : kernel.vfsOf(PciAddress.parse("0000:01:00.0"))) {
            assertEquals("igbvf", driverOf(vf.toString()));
        }
        assertTrue(run("status").out().contains("no function is detached or leased"));
    }

    @Test
    void severalAddressesAndSelectorsActOnEachFunctionOnceInTheOrderGiven() {
        CliTest.Result d = run("detach", "0000:01:10.4", "01:00.0#0,2", "0000:01:10.0");
        assertEquals(0, d.status(), d.err());
        assertEquals(java.util.List.of("0000:01:10.4 is on vfio-pci (driver_override vfio-pci)",
                "0000:01:10.0 is on vfio-pci (driver_override vfio-pci)",
                "detached 2 of 2 functions"), d.out().lines().toList());
        assertEquals("igbvf", driverOf("0000:01:10.2"));
    }

    @Test
    void aFailureIsReportedForItsFunctionAndTheOthersAreStillDone() {
        try (SriovHost other = kernel.openHost();
                Lease lease = other.lease(PciAddress.parse("0000:01:10.2"), "vm-a")) {
            CliTest.Result d = run("detach", "0000:01:10.0", "0000:01:10.2", "0000:01:10.4");
            assertEquals(1, d.status(), d.out());
            assertEquals(1, d.err().lines().count(), d.err());
            assertTrue(d.err().contains("0000:01:10.2") && d.err().contains("vm-a"), d.err());
            assertEquals("vfio-pci", driverOf("0000:01:10.0"));
            assertEquals("vfio-pci", driverOf("0000:01:10.4"));
            assertTrue(d.out().contains("detached 2 of 3 functions; failed: 0000:01:10.2"), d.out());
        }
    }

    @Test
    void aSelectorThatMatchesNoVfFailsAndChangesNothing() {
        CliTest.Result d = run("detach", "0000:01:10.0", "0000:01:00.0#9");
        assertEquals(1, d.status(), d.out());
        assertTrue(d.err().contains("0000:01:00.0#9") && d.err().contains("matches no VF"), d.err());
        assertEquals("igbvf", driverOf("0000:01:10.0"));
    }

    @Test
    void aMalformedTargetIsAUsageErrorBeforeAnythingIsChanged() {
        assertEquals(2, run("detach", "0000:01:10.0", "0000:01:00.0#3-1").status());
        assertEquals(2, run("detach", "0000:01:10.0", "ens1f0").status());
        assertEquals(2, run("reattach").status());
        assertEquals("igbvf", driverOf("0000:01:10.0"));
    }

    @Test
    void severalFunctionsAreLeasedInOneCommandAndReleasedInAnother() {
        CliTest.Result l = run("lease", "0000:01:00.0#0-2", "--guest", "vm-a", "--durable");
        assertEquals(0, l.status(), l.err());
        for (String vf : java.util.List.of("0000:01:10.0", "0000:01:10.2", "0000:01:10.4")) {
            assertEquals("vfio-pci", driverOf(vf));
            assertTrue(l.out().contains("leased " + vf + " to vm-a") && l.out().contains("release " + vf),
                    l.out());
        }
        assertTrue(l.out().contains("leased 3 of 3 functions"), l.out());
        String status = run("status").out();
        assertEquals(3, status.lines().filter(x -> x.contains("vm-a")).count(), status);
        CliTest.Result r = run("release", "0000:01:00.0#0-2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("released 3 of 3 functions"), r.out());
        for (String vf : java.util.List.of("0000:01:10.0", "0000:01:10.2", "0000:01:10.4")) {
            assertEquals("igbvf", driverOf(vf));
        }
        assertTrue(run("status").out().contains("no function is detached or leased"));
    }

    @Test
    void aFunctionThatCannotBeLeasedIsReportedAndTheOthersAreStillLeased() {
        try (SriovHost other = kernel.openHost();
                Lease lease = other.lease(PciAddress.parse("0000:01:10.2"), "vm-b")) {
            CliTest.Result l = run("lease", "0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "--guest", "vm-a",
                    "--durable");
            assertEquals(1, l.status(), l.out());
            assertTrue(l.err().contains("0000:01:10.2") && l.err().contains("vm-b"), l.err());
            assertTrue(l.out().contains("leased 2 of 3 functions; failed: 0000:01:10.2"), l.out());
            assertEquals("vfio-pci", driverOf("0000:01:10.0"));
            assertEquals("vfio-pci", driverOf("0000:01:10.4"));
            // one of three is not leased by vm-a's command: release reports it and still releases the others
            CliTest.Result r = run("release", "0000:01:10.0", "0000:01:10.6", "0000:01:10.4");
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().contains("0000:01:10.6") && r.err().contains("not leased"), r.err());
            assertTrue(r.out().contains("released 2 of 3 functions; failed: 0000:01:10.6"), r.out());
            assertEquals("igbvf", driverOf("0000:01:10.0"));
            assertEquals("igbvf", driverOf("0000:01:10.4"));
            assertEquals("vfio-pci", driverOf("0000:01:10.2"), "the other host's lease is untouched");
        }
    }

    @Test
    void oneMacForSeveralFunctionsIsAUsageErrorAndNothingIsLeased() {
        CliTest.Result l = run("lease", "0000:01:00.0#0-1", "--guest", "vm-a", "--durable", "--mac",
                "02:00:00:00:00:2a");
        assertEquals(2, l.status(), l.out());
        assertTrue(l.err().contains("--mac"), l.err());
        assertEquals("igbvf", driverOf("0000:01:10.0"));
        assertTrue(run("status").out().contains("no function is detached or leased"));
        assertEquals(2, run("lease", "0000:01:00.0#3-1", "--guest", "vm-a", "--durable").status());
        assertEquals(2, run("release").status());
    }
}
