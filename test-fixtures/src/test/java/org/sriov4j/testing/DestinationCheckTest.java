package org.sriov4j.testing;

import org.sriov4j.migration.MigrationHost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfSelector;
import org.sriov4j.migration.Candidate;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DestinationReport;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.migration.FieldRule;
import org.sriov4j.migration.Finding;
import org.sriov4j.migration.Finding.Outcome;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.migration.ProfileRules;

/**
 * The destination check on the simulated 82576 host: only free VFs are candidates, every field is classified by its
 * rule, unknown fields are unverified (refused only when strict), differences refuse and are named, a selector
 * narrows the candidates, and nothing on the host changes.
 */
class DestinationCheckTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    SriovHost host;
    List<PciAddress> vfs;

    @BeforeEach
    void threeVfs() {
        host = kernel.openHost();
        vfs = host.enableVfs(PF, 3).vfs();
    }

    @AfterEach
    void close() {
        host.close();
    }

    static Finding finding(Candidate c, String field) {
        return c.findings().stream().filter(f -> f.field().equals(field)).findFirst()
                .orElseThrow(() -> new AssertionError("no finding for " + field + " in " + c.findings()));
    }

    @Test
    void aProfileOfTheSimulatedVfSaysWhatTheSimulatorCannotKnow() {
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
        assertEquals("8086:10ca", p.id().toString());
        assertEquals("8086:10c9", p.pf().id().toString());
        assertEquals(Optional.of("igb"), p.pf().driver());
        assertEquals(Optional.of("igbvf"), p.vfDriver(), "from the intel-igb vendor plugin");
        assertEquals(Optional.of(List.of(new DeviceProfile.Bar(0, 16384, DeviceProfile.BarType.MEM64, true),
                new DeviceProfile.Bar(3, 16384, DeviceProfile.BarType.MEM64, true))), p.bars(),
                "the simulator models the 82576 VF's resource file as Linux 6.12 shows it");
        assertEquals(java.util.OptionalInt.of(3), p.msixVectors(), "and its MSI-X capability");
        assertEquals(Optional.empty(), p.pf().driverVersion(), "no ethtool outside the real /sys");
        assertEquals(p, DeviceProfile.fromJson(p.toJson()));
    }

    @Test
    void anotherFreeVfOfTheSamePfFitsAndTheLeasedOneIsNoCandidate() {
        try (Lease lease = host.lease(vfs.get(0), "vm-1")) {
            DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
            String before = kernel.read("bus/pci/devices/" + vfs.get(1) + "/driver_override");

            DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults());

            assertEquals(2, r.freeVfs(), "the leased VF is not free");
            Candidate c = r.chosen().orElseThrow();
            assertEquals(vfs.get(1), c.vf());
            assertTrue(c.fits());
            assertEquals(Outcome.IGNORED, finding(c, "source.address").outcome());
            assertEquals(Outcome.APPLIED, finding(c, "net.spoofCheck").outcome(), "the simulated kernel reports it");
            assertEquals("the destination VF has it already", finding(c, "net.linkState").detail());
            assertTrue(c.findings().stream().noneMatch(f -> f.outcome() == Outcome.DIFFERENT), c.findings()
                    .toString());
            assertEquals(before, kernel.read("bus/pci/devices/" + vfs.get(1) + "/driver_override"), "read only");
        }
    }

    @Test
    void strictTurnsUnverifiedIntoRefusalAndReportsTheNearest() {
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
        DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.builder().strict(true).nearest(2).build());
        assertFalse(r.fits());
        assertEquals(2, r.candidates().size());
        Candidate c = r.candidates().get(0);
        assertTrue(finding(c, "pf.firmwareVersion").refuses(true));
        assertTrue(c.findings().stream().noneMatch(f -> f.field().startsWith("device.")), "BARs and MSI-X known");
        assertEquals("unknown on both sides", finding(c, "pf.firmwareVersion").detail());
    }

    @Test
    void aDifferentRevisionIsNamedAndRefusesEveryCandidate() {
        DeviceProfile other = DeviceProfile.fromJson(MigrationHost.of(host).profile(vfs.get(0)).toJson()
                .replace("\"revision\": \"01\"", "\"revision\": \"02\"")
                .replace("\"subsystemDeviceId\": \"" + MigrationHost.of(host).profile(vfs.get(0)).subsystem().orElseThrow().deviceHex()
                        + "\"", "\"subsystemDeviceId\": \"beef\""));
        DestinationReport r = MigrationHost.of(host).checkDestination(other, DestinationOptions.defaults());
        assertFalse(r.fits());
        Candidate c = r.candidates().get(0);
        Finding rev = finding(c, "device.revision");
        assertEquals(Outcome.DIFFERENT, rev.outcome());
        assertEquals(Optional.of("02"), rev.source());
        assertEquals(Optional.of("01"), rev.destination());
        assertEquals(Outcome.DIFFERENT, finding(c, "device.subsystemDeviceId").outcome());
    }

    @Test
    void carriedOverSettingsAreAppliedWhereTheHostSetsVfNetworkSettings() {
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0)).withNet(VfNetConfig.builder()
                .mac(MacAddress.parse("52:54:00:12:34:56")).vlan(100, 0).build());
        assertTrue(host.backendFeatures().contains(org.sriov4j.BackendFeature.VF_NET_CONFIG),
                "the simulated kernel's routing netlink answers");
        DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults());
        assertTrue(r.fits());
        Finding mac = finding(r.candidates().get(0), "net.mac");
        assertEquals(Outcome.APPLIED, mac.outcome());
        assertEquals(FieldRule.CARRIED_OVER, mac.rule());
        assertEquals(Optional.of("52:54:00:12:34:56"), mac.destination());
    }

    @Test
    void theProfileCarriesTheVfNetworkSettingsThePfReports() {
        VfNetConfig set = VfNetConfig.builder().mac(MacAddress.parse("52:54:00:00:00:42")).vlan(100, 3).build();
        host.configureVf(vfs.get(0), set);
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
        VfNetConfig net = p.net().orElseThrow();
        assertEquals(set.mac(), net.mac());
        assertEquals(set.vlan(), net.vlan());
        assertEquals(Optional.of(true), net.spoofCheck());
        assertEquals(p, DeviceProfile.fromJson(p.toJson()), "the JSON form keeps them");
        assertEquals(Optional.of(VfNetConfig.LinkState.AUTO), MigrationHost.of(host).profile(vfs.get(1)).net()
                .orElseThrow().linkState());
    }

    @Test
    void aCarriedOverSettingTheVendorRefusesIsNotApplicableAndRefusesTheCandidate() {
        // igb (the intel-igb plugin's vfNetRefusal): no VF link-state control, no minimum transmit rate
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0)).withNet(VfNetConfig.builder()
                .mac(MacAddress.parse("52:54:00:12:34:56")).linkState(VfNetConfig.LinkState.DISABLE)
                .minTxRateMbps(10).maxTxRateMbps(0).build());
        String before = kernel.read("bus/pci/devices/" + vfs.get(1) + "/driver_override");
        DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults());
        assertFalse(r.fits(), "a setting the destination cannot make is no silent success");
        Candidate c = r.candidates().get(0);
        Finding link = finding(c, "net.linkState");
        assertEquals(Outcome.NOT_APPLICABLE, link.outcome());
        assertEquals(FieldRule.CARRIED_OVER, link.rule());
        assertTrue(link.detail().contains("igb has no VF link-state control"), link.detail());
        assertTrue(link.refuses(false));
        Finding min = finding(c, "net.minTxRateMbps");
        assertEquals(Outcome.NOT_APPLICABLE, min.outcome());
        assertTrue(min.detail().contains("igb has no minimum transmit rate"), min.detail());
        assertEquals(Outcome.APPLIED, finding(c, "net.mac").outcome(), "the MAC can be set");
        assertEquals(Outcome.APPLIED, finding(c, "net.maxTxRateMbps").outcome(), "0 is what the VF has");
        assertEquals(before, kernel.read("bus/pci/devices/" + vfs.get(1) + "/driver_override"), "read only");
        assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(vfs.get(1)).mac(), "nothing was set");
    }

    @Test
    void aSelectorNarrowsTheCandidatesAndNoFreeVfIsSaid() {
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
        DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.builder()
                .pool(VfSelector.parse(PF + "#2")).build());
        assertEquals(vfs.get(2), r.chosen().orElseThrow().vf());
        try (Lease lease = host.lease(vfs.get(2), "vm-2")) {
            DestinationReport none = MigrationHost.of(host).checkDestination(p, DestinationOptions.builder()
                    .pool(VfSelector.parse(PF + "#2")).build());
            assertEquals(0, none.freeVfs());
            assertTrue(none.candidates().isEmpty());
        }
    }

    @Test
    void theGuestDriverIsJudgedAndUnknownVersionsAreReportedNotRefused() {
        DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
        GuestVfDriver igbvf = GuestVfDriver.parse("igbvf:6.12.118");
        DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.builder().guestVfDriver(igbvf).build());
        Candidate c = r.chosen().orElseThrow();
        assertEquals(DriverCompatibility.UNKNOWN, c.compatibility().orElseThrow().result(),
                "the simulator's igb has no ethtool version");
        assertFalse(MigrationHost.of(host).checkDestination(p, DestinationOptions.builder().guestVfDriver(igbvf).strict(true)
                .rules(ProfileRules.defaults().with("pf.firmwareVersion", FieldRule.IGNORED)
                        .with("net", FieldRule.IGNORED)).build()).fits(), "strict: UNKNOWN refuses");
        assertEquals(DriverCompatibility.UNKNOWN, MigrationHost.of(host).vfDriverCompatibility(vfs.get(1), igbvf).result());
    }
}
