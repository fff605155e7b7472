package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VfNetConfig;
import org.sriov4j.testing.SimulatedKernel;

/** {@code vf-config}, key {@code net} of {@code show}, {@code status --json}'s saved settings, on a simulated 82576. */
class CliVfNetTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    CliTest.Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config -> kernel.openHost()).run(args);
        return new CliTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    VfNetConfig seen() {
        return kernel.netlink().link("eth0").vf(0).orElseThrow().config();
    }

    @BeforeEach
    void twoUnboundVfs() {
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(false).build());
        }
    }

    @Test
    void vfConfigWithoutSettingsPrintsThem() {
        CliTest.Result r = run("vf-config", "01:10.0");
        assertEquals(0, r.status(), r.err());
        assertEquals("0000:01:10.0: mac 00:00:00:00:00:00, no vlan, spoof checking on, trust off, link-state auto,"
                + " min_tx_rate 0, max_tx_rate 0\n", r.out());
    }

    @Test
    void vfConfigChangesOnlyTheGivenSettings() {
        CliTest.Result r = run("vf-config", "0000:01:10.0", "--mac", "02:00:00:00:00:07", "--vlan", "100:3",
                "--trust", "on", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"mac\": \"02:00:00:00:00:07\""), r.out());
        assertTrue(r.out().contains("\"vlan\": 100") && r.out().contains("\"qos\": 3"), r.out());
        assertTrue(r.out().contains("\"savedNetConfig\": null"), "not held by sriov4j: not recorded\n" + r.out());
        assertEquals(Optional.of(MacAddress.parse("02:00:00:00:00:07")), seen().mac());
        assertEquals(Optional.of(true), seen().trust());
        assertEquals(Optional.of(true), seen().spoofCheck(), "untouched");
    }

    @Test
    void badValuesAreBadUsageNamingTheValueAndChangeNothing() {
        String[][] bad = {{"--mac", "01:00:5e:00:00:01"}, {"--mac", "zz"}, {"--vlan", "4096"}, {"--vlan", "5:8"},
            {"--spoofchk", "maybe"}, {"--link-state", "up"}, {"--max-tx-rate", "-1"}, {"--vlan-proto", "802.1x"}};
        for (String[] b : bad) {
            CliTest.Result r = run("vf-config", "0000:01:10.0", b[0], b[1]);
            assertEquals(2, r.status(), String.join(" ", b));
            assertTrue(r.err().startsWith("sriov4j: " + b[0]), r.err());
            assertTrue(r.err().contains(b[1]), "names the value: " + r.err());
        }
        assertEquals(2, run("vf-config", "0000:01:10.0", "--vlan-proto", "802.1ad").status(), "needs --vlan");
        assertEquals(2, run("vf-config", "0000:01:10.0", "--min-tx-rate", "10", "--max-tx-rate", "5").status());
        assertEquals(Optional.of(MacAddress.ZERO), seen().mac());
        assertTrue(kernel.netlink().requests().stream().noneMatch(q -> q.startsWith("setvf")));
    }

    @Test
    void aRefusedSettingExitsOneNamingItAndTheErrnoAndNothingIsHalfApplied() {
        CliTest.Result r = run("vf-config", "0000:01:10.0", "--mac", "02:00:00:00:00:07", "--link-state", "disable");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("EOPNOTSUPP") && r.err().contains("setting state of VF 0"), r.err());
        assertEquals(Optional.of(MacAddress.ZERO), seen().mac());
        kernel.netlink().setLinkUp("eth0", true);
        r = run("vf-config", "0000:01:10.0", "--mac", "02:00:00:00:00:07", "--max-tx-rate", "5000");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("EINVAL") && r.err().contains("setting max_tx_rate of VF 0")
                && r.err().contains("restored: mac 00:00:00:00:00:00"), r.err());
        assertEquals(Optional.of(MacAddress.ZERO), seen().mac());
    }

    @Test
    void showOfAVfAddsItsNetworkSettingsAndCounters() {
        run("vf-config", "0000:01:10.0", "--vlan", "7");
        CliTest.Result r = run("show", "0000:01:10.0", "--json");
        assertEquals(0, r.status(), r.err());
        for (String key : new String[] {"\"net\": {", "\"mac\": \"00:00:00:00:00:00\"", "\"vlan\": 7", "\"qos\": 0",
            "\"vlanProtocol\": \"802.1Q\"", "\"spoofCheck\": true", "\"trust\": false", "\"linkState\": \"auto\"",
            "\"minTxRateMbps\": 0", "\"maxTxRateMbps\": 0", "\"stats\": {", "\"rxPackets\": 0", "\"txPackets\": 0",
            "\"rxBytes\": 0", "\"txBytes\": 0", "\"broadcast\": 0", "\"multicast\": 0", "\"rxDropped\": 0",
            "\"txDropped\": 0"}) {
            assertTrue(r.out().contains(key), key + " in\n" + r.out());
        }
        CliTest.Result text = run("show", "0000:01:10.0");
        assertTrue(text.out().contains("net:      mac 00:00:00:00:00:00, vlan 7 qos 0 802.1Q"), text.out());
        CliTest.Result pf = run("show", "0000:01:00.0", "--json");
        assertFalse(pf.out().contains("\"net\""), "a PF has no VF settings");
    }

    @Test
    void statusJsonShowsTheSavedSettingsOfADetachedVf() {
        assertEquals(0, run("detach", "0000:01:10.0").status());
        assertEquals(0, run("vf-config", "0000:01:10.0", "--mac", "02:00:00:00:00:07").status());
        CliTest.Result r = run("status", "--json");
        assertTrue(r.out().contains("\"savedNetConfig\": {") && r.out().contains("\"mac\": \"00:00:00:00:00:00\""),
                r.out());
        CliTest.Result vf = run("vf-config", "0000:01:10.0");
        assertTrue(vf.out().contains("saved (restored by reattach/recover): mac 00:00:00:00:00:00"), vf.out());
        assertEquals(0, run("reattach", "0000:01:10.0").status());
        assertEquals(Optional.of(MacAddress.ZERO), seen().mac());
    }

    @Test
    void leaseTakesTheNetworkOptionsAndRefusesBadOnesAsUsage() {
        CliTest.Result r = run("lease", "0000:01:10.0", "--guest", "vm", "--hold", "--mac", "ff:ff:ff:ff:ff:ff");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--mac") && r.err().contains("ff:ff:ff:ff:ff:ff"), r.err());
        assertEquals(2, run("lease", "0000:01:10.0", "--guest", "vm", "--hold", "--link-state", "auto").status(),
                "lease takes --mac, --vlan, --spoofchk and --trust only");
        assertTrue(kernel.driverOf(VF0).isEmpty(), "nothing was leased");
    }

    @Test
    void leaseJudgesTheGuestsVfDriverAndStrictRefusesAnUnknownVerdict() {
        CliTest.Result r = run("lease", "0000:01:10.0", "--guest", "vm", "--durable", "--guest-vf-driver",
                "igbvf:6.12.118");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("guest VF driver igbvf:6.12.118 UNKNOWN"), r.out());
        assertTrue(r.err().contains("warning: igbvf:6.12.118 on igb"), "the simulator reports no igb version: "
                + r.err());
        assertEquals(0, run("release", "0000:01:10.0").status());

        CliTest.Result strict = run("lease", "0000:01:10.0", "--guest", "vm", "--durable", "--guest-vf-driver",
                "igbvf:6.12.118", "--strict-compatibility");
        assertEquals(1, strict.status(), strict.out());
        assertTrue(strict.err().contains("refused: strict compatibility") && strict.err().contains("nothing was "
                + "changed"), strict.err());
        assertTrue(kernel.driverOf(VF0).isEmpty(), "nothing was leased");
        assertEquals(2, run("lease", "0000:01:10.0", "--guest", "vm", "--durable", "--strict-compatibility")
                .status(), "strict without a driver");
        assertEquals(2, run("lease", "0000:01:10.0", "--guest", "vm", "--durable", "--guest-vf-driver", "igbvf")
                .status(), "NAME:VERSION");
    }

    @Test
    void helpListsVfConfig() {
        CliTest.Result r = run("--help");
        assertTrue(r.out().contains("vf-config BDF [--mac MAC]"), r.out());
        assertTrue(r.out().contains("[--spoofchk on|off] [--trust on|off]"), r.out());
    }
}
