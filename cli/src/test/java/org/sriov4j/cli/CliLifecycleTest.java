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
}
