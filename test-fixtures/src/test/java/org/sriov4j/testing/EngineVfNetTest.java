package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfNetConfigException;
import org.sriov4j.VfSelector;
import org.sriov4j.VfStats;
import org.sriov4j.spi.RtNetlink;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * VF network settings in the engine where the contract kit cannot reach: a kernel failure at each step of a lease's
 * settings, a restore that fails when a lease ends and recovery finishing it, the ledger record, a renamed PF netdev,
 * VFs re-created by the kernel, a pool lease with settings, and the feature flag.
 */
class EngineVfNetTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:2a");

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();

    Optional<String> driver(PciAddress a) {
        return kernel.driverOf(a);
    }

    VfNetConfig seen(int vf) {
        return kernel.netlink().link(kernel.netdevOf(PF).orElseThrow()).vf(vf).orElseThrow().config();
    }

    SriovHost vfsOnIgbvf() {
        SriovHost host = kernel.openHost();
        host.enableVfs(PF, 2);
        assertEquals(Optional.of("igbvf"), driver(VF0));
        return host;
    }

    @Test
    void aKernelFailureAtEachStepOfALeasesSettingsRestoresTheEarlierOnesAndGivesTheVfBack() {
        VfNetConfig.Setting[] steps = {VfNetConfig.Setting.MAC, VfNetConfig.Setting.VLAN,
            VfNetConfig.Setting.SPOOF_CHECK, VfNetConfig.Setting.TRUST};
        String[] restored = {"", "restored: mac 00:00:00:00:00:00",
            "restored: vlan 0 qos 0 proto 802.1Q, mac 00:00:00:00:00:00",
            "restored: spoofchk on, vlan 0 qos 0 proto 802.1Q, mac 00:00:00:00:00:00"};
        try (SriovHost host = vfsOnIgbvf()) {
            for (int k = 0; k < steps.length; k++) {
                kernel.netlink().failNext(steps[k], Errno.EIO);
                VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> host.lease(VF0, "vm",
                        VfNetConfig.builder().mac(MAC).vlan(10, 2).build()));
                assertEquals(Optional.of(steps[k]), e.setting(), e.getMessage());
                assertEquals(Optional.of(Errno.EIO), e.errno());
                assertEquals(0, e.vfIndex());
                assertTrue(e.getMessage().contains(k == 0 ? "nothing needed restoring" : restored[k]),
                        e.getMessage());
                assertEquals(Optional.of("igbvf"), driver(VF0), "given back after step " + k);
                assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
                assertEquals(Optional.of(VfNetConfig.Vlan.NONE), seen(0).vlan());
                assertTrue(host.assignments().isEmpty(), "no record left after step " + k);
            }
        }
    }

    @Test
    void aFailedLeaseOfADetachedVfLeavesTheOperatorsSettingsAndRecordAsTheyWere() {
        try (SriovHost host = vfsOnIgbvf()) {
            host.detach(VF0);
            host.configureVf(VF0, VfNetConfig.builder().mac(MAC).build()); // the operator's, saved: MAC zero
            kernel.netlink().failNext(VfNetConfig.Setting.TRUST, Errno.EIO);
            assertThrows(VfNetConfigException.class, () -> host.lease(VF0, "vm", VfNetConfig.builder().vlan(4)
                    .build()));
            assertEquals(Optional.of("vfio-pci"), driver(VF0), "detached before, detached after");
            assertEquals(Optional.of(MAC), seen(0).mac());
            assertEquals(Optional.of(VfNetConfig.Vlan.NONE), seen(0).vlan());
            assertEquals(Optional.of(MacAddress.ZERO), host.savedVfNetConfig(VF0).orElseThrow().mac());

            try (Lease lease = host.lease(VF0, "vm", VfNetConfig.builder().vlan(4).build())) {
                assertFalse(lease.managed());
                assertEquals(Optional.of(4), seen(0).vlan().map(VfNetConfig.Vlan::id));
            }
            assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac(), "a lease's end restores what sriov4j saved");
            assertEquals(Optional.empty(), host.savedVfNetConfig(VF0));
            assertEquals(Optional.of("vfio-pci"), driver(VF0));
            host.reattach(VF0);
        }
    }

    @Test
    void aKnownRefusalIsRaisedBeforeTheVfIsTouched() {
        try (SriovHost host = vfsOnIgbvf()) {
            kernel.clearWrites();
            kernel.netlink().clearRequests();
            VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> host.lease(VF0, "vm",
                    VfNetConfig.builder().mac(MAC).linkState(VfNetConfig.LinkState.DISABLE).build()));
            assertEquals(Optional.of(VfNetConfig.Setting.LINK_STATE), e.setting());
            assertTrue(e.getMessage().contains("intel-igb") && e.getMessage().contains("nothing was changed"),
                    e.getMessage());
            assertEquals(List.of(), kernel.writes(), "no sysfs write");
            assertTrue(kernel.netlink().requests().stream().noneMatch(r -> r.startsWith("setvf")));
        }
    }

    @Test
    void aRestoreThatFailsWhenALeaseEndsIsReportedAndRecoverFinishesIt() {
        try (SriovHost host = vfsOnIgbvf()) {
            Lease lease = host.lease(VF0, "vm", VfNetConfig.builder().mac(MAC).build());
            kernel.netlink().failNext(VfNetConfig.Setting.MAC, Errno.EIO);
            VfNetConfigException e = assertThrows(VfNetConfigException.class, lease::close);
            assertEquals(List.of("mac 00:00:00:00:00:00 (EIO)"), e.rollback().orElseThrow().notRestored(),
                    e.getMessage());
            assertFalse(lease.isHeld());
            assertEquals(Optional.of("vfio-pci"), driver(VF0), "not given to the host with the guest's MAC");
            assertEquals(Optional.of(MAC), seen(0).mac());
            assertTrue(host.savedVfNetConfig(VF0).isPresent(), "the record keeps what to restore");
            try (SriovHost other = kernel.openHost()) {
                RecoveryReport r = other.recover();
                assertEquals(List.of(VF0), r.restored(), r.toString());
            }
            assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
            assertEquals(Optional.of("igbvf"), driver(VF0));
            assertTrue(host.recover().clean());
        }
    }

    @Test
    void theLedgerRecordOfAVfWithSavedSettingsIsOfVersionTwoAndListsThem() throws Exception {
        try (SriovHost host = vfsOnIgbvf()) {
            Path file = kernel.stateDir().resolve("ledger").resolve(VF0 + ".entry");
            host.detach(VF0);
            assertTrue(Files.readString(file).startsWith("sriov4j-ledger 1\n"), "no settings: version 1");
            host.configureVf(VF0, VfNetConfig.builder().mac(MAC).build());
            String text = Files.readString(file);
            assertTrue(text.startsWith("sriov4j-ledger 2\n"), text);
            assertTrue(text.contains("\nx.net.saved=mac=00:00:00:00:00:00;vlan=0/0/802.1Q;spoofchk=on;trust=off;"
                    + "state=auto;min_tx_rate=0;max_tx_rate=0\n"), text);
            host.reattach(VF0);
            assertFalse(Files.exists(file));
            assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
        }
    }

    @Test
    void aRenamedPfNetdevIsFoundAgainByItsPciAddress() {
        try (SriovHost host = vfsOnIgbvf()) {
            Lease lease = host.lease(VF0, "vm", VfNetConfig.builder().mac(MAC).vlan(3).build());
            kernel.netlink().rename("eth0", "pf0");
            assertEquals(Optional.of(MAC), host.vfNetConfig(VF0).mac());
            lease.close();
            assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
            assertEquals(Optional.of(VfNetConfig.Vlan.NONE), seen(0).vlan());
        }
    }

    @Test
    void readingEveryVfFollowsRenamesVfCountChangesAndARebindOfThePfDriver() {
        try (SriovHost host = vfsOnIgbvf()) {
            host.configureVf(VF0, VfNetConfig.builder().mac(MAC).build());
            assertEquals(2, host.vfNetConfigs(PF).size());
            kernel.netlink().rename("eth0", "pf0");
            assertEquals(Optional.of(MAC), host.vfNetConfigs(PF).get(VF0).mac(), "renamed: found again");
            host.enableVfs(PF, 3, VfEnableOptions.builder().driversAutoprobe(false).build());
            assertEquals(3, host.vfNetConfigs(PF).size(), "another VF count: looked up again");
            assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfigs(PF).get(VF0).mac());
            host.disableVfs(PF);
            assertEquals(0, host.vfNetConfigs(PF).size());
            kernel.write("bus/pci/drivers/igb/unbind", PF.toString());
            kernel.write("bus/pci/drivers/igb/bind", PF.toString()); // a new netdev, a new ifindex
            host.enableVfs(PF, 1, VfEnableOptions.builder().driversAutoprobe(false).build());
            host.configureVf(VF0, VfNetConfig.builder().trust(true).build());
            assertEquals(Optional.of(true), host.vfNetConfigs(PF).get(VF0).trust());
        }
    }

    @Test
    void changesFollowARenamedNetdevAnotherVfCountAndARebindOfThePfDriver() {
        try (SriovHost host = vfsOnIgbvf()) {
            host.configureVf(VF0, VfNetConfig.builder().mac(MAC).build());
            kernel.netlink().rename("eth0", "pf0");
            host.configureVf(VF0, VfNetConfig.builder().vlan(7).build());
            assertEquals(Optional.of(new VfNetConfig.Vlan(7, 0, VfNetConfig.VlanProtocol.IEEE_802_1Q)),
                    kernel.netlink().link("pf0").vf(0).orElseThrow().config().vlan(), "renamed: found again");
            host.enableVfs(PF, 3, VfEnableOptions.builder().driversAutoprobe(false).build());
            host.configureVf(VF0, VfNetConfig.builder().trust(true).build());
            assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(VF0).mac(), "new VFs: the kernel's defaults");
            host.disableVfs(PF);
            kernel.write("bus/pci/drivers/igb/unbind", PF.toString());
            kernel.write("bus/pci/drivers/igb/bind", PF.toString()); // a new netdev, a new ifindex
            host.enableVfs(PF, 1, VfEnableOptions.builder().driversAutoprobe(false).build());
            VfNetConfig answered = host.configureVf(VF0, VfNetConfig.builder().spoofCheck(false).build());
            assertEquals(Optional.of(false), seen(0).spoofCheck());
            assertEquals(seen(0), answered, "what configureVf answers is what the kernel reports");
        }
    }

    @Test
    void aChangeAfterTheVfsWereReCreatedWithTheSameCountReachesTheSameVfByAddress() {
        PciAddress vf1 = PciAddress.parse("0000:01:10.2");
        try (SriovHost host = vfsOnIgbvf()) {
            host.configureVf(vf1, VfNetConfig.builder().trust(true).build());
            assertEquals(Optional.of(true), seen(1).trust());
            host.disableVfs(PF);
            host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(false).build());
            assertEquals(vf1, kernel.vfsOf(PF).get(1),
                    "the same count gives the same addresses");
            host.configureVf(vf1, VfNetConfig.builder().mac(MAC).build());
            assertEquals(Optional.of(MAC), seen(1).mac(), "VF 1 changed, as the address says");
            assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac(), "VF 0 untouched");
            assertEquals(Optional.of(false), seen(1).trust(), "re-created VFs start from the kernel's defaults");
            host.disableVfs(PF);
            assertThrows(SriovException.class, () -> host.configureVf(vf1, VfNetConfig.builder().mac(MAC).build()),
                    "no VFs: the VF is gone, not VF 1 of whatever the netdev has");
        }
    }

    @Test
    void vfsReCreatedByTheKernelStartFromItsDefaults() {
        try (SriovHost host = vfsOnIgbvf()) {
            host.configureVf(VF0, VfNetConfig.builder().mac(MAC).trust(true).build());
            host.disableVfs(PF);
            assertThrows(SriovException.class, () -> host.vfNetConfig(VF0), "the VF is gone");
            host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(false).build());
            assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(VF0).mac());
            assertEquals(Optional.of(false), host.vfNetConfig(VF0).trust());
        }
    }

    @Test
    void aPoolLeaseCarriesSettings() {
        try (SriovHost host = vfsOnIgbvf();
                Lease lease = host.pool(VfSelector.any()).lease("vm", VfNetConfig.builder().mac(MAC).build())) {
            assertEquals(VF0, lease.device());
            assertEquals(Optional.of(MAC), seen(0).mac());
            assertEquals(Optional.of(true), seen(0).spoofCheck());
        }
        assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
    }

    @Test
    void countersAreThoseThePfReports() {
        try (SriovHost host = vfsOnIgbvf()) {
            VfStats s = new VfStats(10, 20, 1000, 2000, 3, 4, 1, 2);
            kernel.netlink().setStats(VF0, s);
            assertEquals(s, host.vfStats(VF0));
        }
    }

    @Test
    void aPfOrAMissingFunctionHasNoVfSettings() {
        try (SriovHost host = vfsOnIgbvf()) {
            VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> host.vfNetConfig(PF));
            assertEquals(Optional.of(Errno.ENODEV), e.errno());
            assertThrows(org.sriov4j.DeviceNotFoundException.class,
                    () -> host.vfNetConfig(PciAddress.parse("0000:09:00.0")));
        }
    }

    @Test
    void vfNetConfigIsAdvertisedExactlyWhenTheRoutingNetlinkAnswers() {
        try (SriovHost host = kernel.openHost()) {
            assertTrue(host.backendFeatures().contains(BackendFeature.VF_NET_CONFIG));
        }
        RtNetlink dead = new RtNetlink() {
            @Override
            public Link link(String name) {
                throw new SriovException("RTM_GETLINK " + name, null, Errno.EACCES, null, "no netlink here", null);
            }

            @Override
            public void setVf(int ifindex, int vf, VfNetConfig setting) {
                throw new SriovException("RTM_SETLINK", null, Errno.EACCES, null, "no netlink here", null);
            }

            @Override
            public void close() {
            }
        };
        try (SriovHost host = SriovEngine.open(SriovConfig.builder().stateDir(kernel.stateDir()).build(), kernel,
                kernel.devices(), kernel.hostCommands(), dead)) {
            host.enableVfs(PF, 1);
            assertFalse(host.backendFeatures().contains(BackendFeature.VF_NET_CONFIG));
            VfNetConfigException e = assertThrows(VfNetConfigException.class,
                    () -> host.configureVf(VF0, VfNetConfig.builder().trust(false).build()));
            assertEquals(Optional.of(Errno.EACCES), e.errno());
        }
    }
}
