package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.ChildJvms.awaitLine;
import static org.sriov4j.it.ChildJvms.run;
import static org.sriov4j.it.GuestSysfs.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * Issue 4 on the real kernel, through the library and the CLI in child JVMs: a lease held by another process
 * cannot be taken; {@code kill -9} of a {@code lease --hold} process after its detach, and of a leasing process
 * between any two steps of its detach ({@link PausingLeaseHolder}), followed by {@code recover}, puts every VF back
 * on igbvf with no ledger entry left.
 */
class RealCrashRecoveryIT {

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
    void cleanUp() throws InterruptedException {
        jvms.close();
        host.recover().keptDetached().forEach(host::reattach);
        host.disableVfs(PF);
        host.close();
    }

    PciAddress vf(int i) {
        return host.topology().physicalFunction(PF).orElseThrow().vfs().get(i);
    }


    static String override(PciAddress f) throws IOException {
        return Files.readString(SYS.resolve(f.toString()).resolve("driver_override")).trim();
    }


    @Test
    void aLeaseHeldByAnotherProcessCannotBeTakenAndKill9ThenRecoverGivesTheVfBack() throws Exception {
        PciAddress vf = vf(0);
        assertEquals(Optional.of("igbvf"), driver(vf));
        Process holder = jvms.cli("lease", vf.toString(), "--guest", "vm-a", "--hold");
        awaitLine(holder, "holding until stopped");
        assertEquals(Optional.of("vfio-pci"), driver(vf));

        Process second = jvms.cli("lease", vf.toString(), "--guest", "vm-b", "--hold");
        String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, run(second), out);
        assertTrue(out.contains("EBUSY") && out.contains("vm-a"), out);
        LeaseUnavailableException e = assertThrows(LeaseUnavailableException.class, () -> host.lease(vf, "vm-c"));
        assertTrue(e.holder().orElse("").contains(Long.toString(holder.pid())), e.getMessage());

        holder.destroyForcibly().waitFor();
        assertEquals(Optional.of("vfio-pci"), driver(vf), "a killed holder leaves the VF detached");
        Process recover = jvms.cli("recover");
        String report = new String(recover.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run(recover), report);
        assertTrue(report.contains("restored " + vf), report);
        assertEquals(Optional.of("igbvf"), driver(vf));
        assertEquals("(null)", override(vf));
        assertEquals(List.of(), host.assignments());
    }

    @ParameterizedTest(name = "killed after detach step {0}")
    @ValueSource(ints = {1, 2, 3})
    void kill9BetweenTwoDetachStepsThenRecoverGivesTheVfBack(int step) throws Exception {
        PciAddress vf = vf(1);
        Process holder = jvms.start(PausingLeaseHolder.class.getName(), List.of(), Integer.toString(step),
                vf.toString(), "vm-crash");
        awaitLine(holder, "test pause after detach step " + step);
        holder.destroyForcibly().waitFor();
        assertFalse(host.assignments().isEmpty(), "the intent must be in the ledger before the first write");
        var report = host.recover();
        assertEquals(List.of(vf), report.restored(), report.toString());
        assertEquals(Optional.of("igbvf"), driver(vf));
        assertEquals("(null)", override(vf));
        assertEquals(List.of(), host.assignments());
    }

    @Test
    void aDetachedVfGoesToVfioPciAndReattachRestoresIgbvf() throws Exception {
        PciAddress vf = vf(2);
        Process detach = jvms.cli("detach", vf.toString());
        String out = new String(detach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run(detach), out);
        assertEquals(Optional.of("vfio-pci"), driver(vf));
        String group = Files.readSymbolicLink(SYS.resolve(vf.toString()).resolve("iommu_group")).getFileName()
                .toString();
        assertTrue(Files.exists(Path.of("/dev/vfio", group)), "/dev/vfio/" + group);
        Process reattach = jvms.cli("reattach", vf.toString());
        String back = new String(reattach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, run(reattach), back);
        assertEquals(Optional.of("igbvf"), driver(vf));
    }
}
