package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.GuestSysfs.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * Issue 12 item 4, issue 14 item 4 and issue 16's release finding on the real kernel, through the CLI and the library
 * in child processes: a {@code --holder-pid} lease of a {@code sleep} lives exactly as long as the sleep; a durable
 * lease survives {@code recover} and a {@code kill -9} of its taker until {@code release}; {@code release} stops the
 * process that holds the lock, not another; a PF with VFs cannot be detached.
 */
class RealLeaseKindsIT {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final Path SYS = Path.of("/sys/bus/pci/devices");

    SriovHost host;
    final ChildJvms jvms = new ChildJvms();

    @BeforeEach
    void threeVfsOnIgbvf() {
        host = SriovHost.open(SriovConfig.defaults());
        host.recover();
        host.enableVfs(PF, 3);
    }

    @AfterEach
    void cleanUp() throws Exception {
        jvms.close();
        for (String guest : List.of("vm-p", "vm-d")) {
            host.adopt(guest).forEach(Lease::close); // durable leases outlive everything but a release
        }
        host.recover().keptDetached().forEach(host::reattach);
        host.disableVfs(PF);
        host.close();
    }

    PciAddress vf(int i) {
        return host.topology().physicalFunction(PF).orElseThrow().vfs().get(i);
    }




    Process sleep() throws IOException {
        return jvms.process("sleep", "600");
    }

    /** Runs a CLI command to its end: its status and output. */
    record Run(int status, String out) {
    }

    Run run(String... args) throws Exception {
        Process p = jvms.cli(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        return new Run(p.exitValue(), out);
    }

    @Test
    void aHolderPidLeaseLivesAsLongAsItsProcessAndRecoverGivesTheVfBackAfterIt() throws Exception {
        PciAddress vf = vf(0);
        Process qemu = sleep();
        Run lease = run("lease", vf.toString(), "--guest", "vm-p", "--holder-pid", Long.toString(qemu.pid()));
        assertEquals(0, lease.status(), lease.out());
        assertEquals(Optional.of("vfio-pci"), driver(vf));
        Run second = run("lease", vf.toString(), "--guest", "vm-x", "--hold");
        assertEquals(1, second.status(), second.out());
        Run status = run("status", "--json");
        assertTrue(status.out().contains("\"holder\": \"process\"") && status.out().contains("\"pid\": "
                + qemu.pid()), status.out());

        Run kept = run("recover");
        assertEquals(0, kept.status(), kept.out());
        assertTrue(kept.out().contains("left " + vf + " alone"), kept.out());
        assertEquals(Optional.of("vfio-pci"), driver(vf));

        qemu.destroyForcibly().waitFor();
        Run back = run("recover");
        assertEquals(0, back.status(), back.out());
        assertTrue(back.out().contains("restored " + vf), back.out());
        assertEquals(Optional.of("igbvf"), driver(vf));
        assertEquals(List.of(), host.assignments());
    }

    @Test
    void aDurableLeaseSurvivesRecoverAndAKill9OfItsTakerUntilRelease() throws Exception {
        PciAddress vf = vf(1);
        Process taker = jvms.start(LeaseTakerChild.class.getName(), List.of(), vf.toString(), "vm-d", "durable");
        ChildJvms.awaitLine(taker, "LEASED");
        assertEquals(Optional.of("vfio-pci"), driver(vf));
        taker.destroyForcibly().waitFor(); // kill -9
        Run kept = run("recover");
        assertEquals(0, kept.status(), kept.out());
        assertTrue(kept.out().contains("left " + vf + " alone"), kept.out());
        assertEquals(Optional.of("vfio-pci"), driver(vf));
        assertEquals(1, run("lease", vf.toString(), "--guest", "vm-x", "--durable").status());
        Run status = run("status", "--json");
        assertTrue(status.out().contains("\"holder\": \"durable\"") && status.out().contains("\"guest\": \"vm-d\""),
                status.out());

        Run release = run("release", vf.toString());
        assertEquals(0, release.status(), release.out());
        assertTrue(release.out().contains("released the durable lease of " + vf), release.out());
        assertEquals(Optional.of("igbvf"), driver(vf));
        assertEquals(List.of(), host.assignments());
    }

    @Test
    void releaseStopsTheLeaseHolderAndNeverTheProcessOfTheEarlierDetach() throws Exception {
        PciAddress vf = vf(2);
        Run detach = run("detach", vf.toString()); // its pid is in the record until the lease rewrites it
        assertEquals(0, detach.status(), detach.out());
        Process unrelated = sleep();
        Process holder = jvms.cli("lease", vf.toString(), "--guest", "vm-h", "--hold");
        ChildJvms.awaitLine(holder, "holding until stopped");
        Run status = run("status", "--json");
        assertTrue(status.out().contains("\"holder\": \"taker\"") && status.out().contains("\"pid\": "
                + holder.pid()) && status.out().contains("\"guest\": \"vm-h\""), status.out());

        Run release = run("release", vf.toString());
        assertEquals(0, release.status(), release.out());
        assertTrue(release.out().contains("stopped pid " + holder.pid()), release.out());
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, holder.exitValue(), "a holder that gave the lease back cleanly exits 0");
        assertTrue(unrelated.isAlive());
        assertEquals(Optional.of("vfio-pci"), driver(vf), "detached on purpose before the lease: stays detached");
        assertFalse(host.assignments().get(0).lease().isPresent());
        host.reattach(vf);
        assertEquals(Optional.of("igbvf"), driver(vf));
    }

    @Test
    void detachOfAPfWithVfsIsRefusedNamingThemAndNothingChanges() throws Exception {
        List<PciAddress> vfs = host.topology().physicalFunction(PF).orElseThrow().vfs();
        Run r = run("detach", PF.toString());
        assertEquals(1, r.status(), r.out());
        for (PciAddress vf : vfs) {
            assertTrue(r.out().contains(vf.toString()), r.out());
            assertEquals(Optional.of("igbvf"), driver(vf));
        }
        assertTrue(r.out().contains("EBUSY"), r.out());
        assertEquals(Optional.of("igb"), driver(PF));
        assertEquals("3", Files.readString(SYS.resolve(PF.toString()).resolve("sriov_numvfs")).trim());
        assertEquals(List.of(), host.assignments());
        Run lease = run("lease", PF.toString(), "--guest", "vm-d", "--durable");
        assertEquals(1, lease.status(), lease.out());
        assertEquals(Optional.of("igb"), driver(PF));
    }
}
