package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.PciAddress;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.testing.FakeXl;
import org.sriov4j.testing.SimulatedKernel;

/** The lifecycle commands and attach/detach-guest on a simulated Xen control domain. */
class CliXenTest {

    final SimulatedKernel kernel = SimulatedKernel.xenDom0Host();
    final FakeXl xl = kernel.fakeXl();
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    CliTest.Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                config -> SriovEngine.open(config.toBuilder().stateDir(kernel.stateDir()).build(), kernel,
                        kernel.devices(), kernel.hostCommands())).run(args);
        return new CliTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Optional<String> driver() {
        return kernel.linkName("bus/pci/devices/" + VF0 + "/driver");
    }

    @Test
    void attachDetachGuestAndReattachOnXen() {
        xl.createDomain("domu1", true);
        assertEquals(0, run("--backend", "xen-pciback", "enable-vfs", "0000:01:00.0", "2").status());
        CliTest.Result r = run("--backend", "xen-pciback", "attach", VF0.toString(), "--guest", "domu1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("attached to domain domu1"), r.out());
        assertEquals(List.of(VF0), xl.attached("domu1"));
        assertEquals(Optional.of("pciback"), driver());
        r = run("status");
        assertTrue(r.out().contains("pciback"), r.out());
        r = run("status", "--json");
        assertTrue(r.out().contains("\"attachedTo\": \"domu1\""), r.out());
        r = run("detach-guest", VF0.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("detached from domain domu1"), r.out());
        assertEquals(List.of(), xl.attached("domu1"));
        assertEquals(0, run("reattach", VF0.toString()).status());
        assertEquals(Optional.of("igbvf"), driver());
    }

    @Test
    void aRefusedAttachGivesBackWhatItDetachedAndNamesLibxlsReason() {
        xl.createDomain("nopt", false);
        run("enable-vfs", "0000:01:00.0", "2");
        CliTest.Result r = run("attach", VF0.toString(), "--guest", "nopt");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("xc_assign_device failed: Operation not supported"), r.err());
        assertEquals(Optional.of("igbvf"), driver());
        r = run("attach", VF0.toString(), "--guest", "nosuch");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("invalid domain identifier"), r.err());
        assertEquals(2, run("attach", VF0.toString()).status());
    }

    @Test
    void anUnknownOrUnavailableBackendIsNamed() {
        run("enable-vfs", "0000:01:00.0", "2");
        CliTest.Result r = run("--backend", "kvm-vfio", "detach", VF0.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("kvm-vfio"), r.err());
        assertEquals(2, run("--backend").status());
    }

    @Test
    void permissiveIsAnOptionOfTheConfigurationThatReachesXlAndWarns() {
        xl.createDomain("domu1", true);
        run("enable-vfs", "0000:01:00.0", "2");
        CliTest.Result r = run("--permissive", "attach", VF0.toString(), "--guest", "domu1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("WARNING: --permissive"), r.err());
        assertTrue(xl.calls().contains(List.of("xl", "pci-attach", "domu1", VF0 + ",permissive=1")),
                xl.calls().toString());
        assertEquals(0, run("detach-guest", VF0.toString()).status());
        assertEquals(0, run("attach", VF0.toString(), "--guest", "domu1").status());
        assertTrue(xl.calls().contains(List.of("xl", "pci-attach", "domu1", VF0.toString())), "without the option: "
                + xl.calls());
    }
}
