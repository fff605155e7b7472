package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sriov4j.testing.SimulatedKernel;

/** The commands that change the host, run on a simulated 82576 host. */
class CliLifecycleTest {

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    CliTest.Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config -> kernel.openHost()).run(args);
        return new CliTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String numvfs() {
        return kernel.read("bus/pci/devices/0000:01:00.0/sriov_numvfs").trim();
    }

    @Test
    void enableVfsEnablesAndListsTheVfsByIndex() {
        CliTest.Result r = run("enable-vfs", "0000:01:00.0", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("0000:01:00.0: 3 of 7 VFs enabled"), r.out());
        assertTrue(r.out().contains("VF 2  0000:01:10.4"), r.out());
        assertEquals("3", numvfs());
    }

    @Test
    void enableVfsWithoutAutoprobeLeavesTheVfsUnbound() {
        CliTest.Result r = run("enable-vfs", "01:00.0", "2", "--no-autoprobe");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("autoprobe off"), r.out());
        assertEquals(false, kernel.exists("bus/pci/devices/0000:01:10.0/driver"));
    }

    @Test
    void enableVfsAboveTheLimitFailsWithOneLineNamingErange() {
        CliTest.Result r = run("enable-vfs", "0000:01:00.0", "8");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("ERANGE") && r.err().contains("0000:01:00.0"), r.err());
        assertEquals("0", numvfs());
    }

    @Test
    void enableVfsWithBadArgumentsIsAUsageError() {
        assertEquals(2, run("enable-vfs", "0000:01:00.0").status());
        assertEquals(2, run("enable-vfs", "0000:01:00.0", "many").status());
        assertEquals(2, run("enable-vfs", "0000:01:00.0", "-1").status());
        assertEquals(2, run("enable-vfs", "01:00.0/../x", "1").status());
        assertEquals(2, run("enable-vfs", "0000:01:00.0", "1", "--timeout", "0").status());
        assertEquals(2, run("enable-vfs", "0000:01:00.0", "1", "--bogus").status());
        assertEquals("0", numvfs());
    }

    @Test
    void disableVfsRemovesThem() {
        run("enable-vfs", "0000:01:00.0", "3");
        CliTest.Result r = run("disable-vfs", "0000:01:00.0");
        assertEquals(0, r.status(), r.err());
        assertEquals("0", numvfs());
    }

    String driverOf(String bdf) {
        String link = "bus/pci/devices/" + bdf + "/driver";
        return kernel.exists(link) ? java.nio.file.Path.of(kernel.readLink(link)).getFileName().toString() : "-";
    }

    @Test
    void detachStatusAndReattachRoundTrip() {
        run("enable-vfs", "0000:01:00.0", "2");
        CliTest.Result d = run("detach", "0000:01:10.0");
        assertEquals(0, d.status(), d.err());
        assertTrue(d.out().contains("0000:01:10.0 is on vfio-pci"), d.out());
        CliTest.Result s = run("status");
        assertTrue(s.out().contains("0000:01:10.0") && s.out().contains("igbvf") && s.out().contains("DETACHED"),
                s.out());
        CliTest.Result j = run("status", "--json");
        assertTrue(j.out().contains("\"originalDriver\": \"igbvf\""), j.out());
        CliTest.Result r = run("reattach", "01:10.0");
        assertEquals(0, r.status(), r.err());
        assertEquals("igbvf", driverOf("0000:01:10.0"));
        assertTrue(run("status").out().contains("no function is detached or leased"));
    }

    @Test
    void leaseOfALeasedFunctionFailsWithStatusOneNamingTheHolder() {
        run("enable-vfs", "0000:01:00.0", "2");
        try (org.sriov4j.SriovHost other = kernel.openHost();
                org.sriov4j.Lease lease = other.lease(org.sriov4j.PciAddress.parse("0000:01:10.0"), "vm-a")) {
            CliTest.Result r = run("lease", "0000:01:10.0", "--guest", "vm-b", "--hold");
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().contains("vm-a") && r.err().contains("EBUSY"), r.err());
            CliTest.Result s = run("status");
            assertTrue(s.out().contains("vm-a"), s.out());
        }
        assertEquals("igbvf", driverOf("0000:01:10.0"));
    }

    @Test
    void leaseNeedsGuestAndHold() {
        assertEquals(2, run("lease", "0000:01:10.0", "--hold").status());
        assertEquals(2, run("lease", "0000:01:10.0", "--guest", "vm").status());
        assertEquals(2, run("lease", "0000:01:10.0", "--guest", "bad\u0007name", "--hold").status());
    }

    @Test
    void recoverOnACleanHostSaysSo() {
        CliTest.Result r = run("recover");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("nothing to recover"), r.out());
    }

    @Test
    void releaseOfAFunctionNobodyLeasedFails() {
        run("enable-vfs", "0000:01:00.0", "1");
        CliTest.Result r = run("release", "0000:01:10.0");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("not leased"), r.err());
    }

    /** Found by CliArgumentsFuzzTest: {@code detach-guest} of a function that does not exist threw
     * NoSuchElementException (a stack trace for the user). */
    @Test
    void detachGuestOfAFunctionThatDoesNotExistFailsWithStatusOneNamingIt() {
        CliTest.Result r = run("detach-guest", "0000:05:00.0");
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("0000:05:00.0") && r.err().contains("no such PCI function"), r.err());
    }

    @Test
    void detachGuestOnKvmVfioSaysTheFunctionWasAttachedToNoDomain() {
        run("enable-vfs", "0000:01:00.0", "1");
        assertEquals(0, run("detach", "0000:01:10.0").status());
        CliTest.Result r = run("detach-guest", "0000:01:10.0");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("attached to no domain") && !r.out().contains("detached from domain"), r.out());
    }
}
