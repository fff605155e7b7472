package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfNetConfigException;
import org.sriov4j.VfStats;

/**
 * VF network settings through the library (MAC, VLAN and QoS, spoof checking, trust, rates, link state), each checked
 * with a reader that does not use the library ({@link ContractHost#net()}: the simulator's netlink, or
 * {@code ip -d link show} on a real host): the kernel's defaults, changes, the PF driver's refusals (igb's, when the
 * PF is on igb) before any change, rollback of a change the kernel refuses midway, and the saved settings restored
 * when a lease ends and when a detached VF is reattached. Skipped on a host without an inspector.
 */
public abstract class VfNetConfigContract extends HostContract {

    private static final MacAddress MAC = MacAddress.parse("02:5a:00:00:00:01");

    /** Creates the kit. */
    protected VfNetConfigContract() {
    }

    private NetInspector net() {
        Optional<NetInspector> n = host.net();
        Assumptions.assumeTrue(n.isPresent(), "the host has no network inspector");
        return n.get();
    }

    private String pfNetdev() {
        List<String> names = host.sysfs().list(dev(pf().address()) + "/net");
        assertTrue(!names.isEmpty(), "the PF under test has a netdev");
        return names.get(0);
    }

    private boolean igb() {
        return pf().driver().equals("igb");
    }

    /** The VFs' settings through the independent reader. */
    private VfNetConfig seen(int index) {
        VfNetConfig c = net().vfs(pfNetdev()).get(index);
        if (c == null) {
            throw new AssertionError("the inspector shows no VF " + index);
        }
        return c;
    }

    private PciAddress enable(int count) {
        return sriov.enableVfs(pf().address(), count, VfEnableOptions.builder().driversAutoprobe(false).build())
                .vfs().get(0);
    }

    @AfterEach
    final void linkDownAndEverythingBack() {
        if (host.net().isPresent() && host.sysfs().exists(dev(pf().address()) + "/net")
                && !host.sysfs().list(dev(pf().address()) + "/net").isEmpty()) {
            host.net().get().setLinkUp(pfNetdev(), false);
        }
        try (SriovHost h = host.open()) {
            h.recover().keptDetached().forEach(h::reattach);
        }
    }

    @Test
    void newVfsShowTheKernelsDefaults() {
        PciAddress vf = enable(2);
        VfNetConfig c = sriov.vfNetConfig(vf);
        assertEquals(Optional.of(MacAddress.ZERO), c.mac());
        assertEquals(Optional.of(VfNetConfig.Vlan.NONE), c.vlan());
        assertEquals(Optional.of(true), c.spoofCheck(), "spoof checking on by default");
        assertEquals(Optional.of(false), c.trust(), "trust off by default");
        assertEquals(Optional.of(VfNetConfig.LinkState.AUTO), c.linkState());
        assertEquals(0, c.minTxRateMbps().orElse(0));
        assertEquals(0, c.maxTxRateMbps().orElse(0));
        assertEquals(seen(0), c.only(seen(0).settings()), "the library reads what the inspector reads");
    }

    @Test
    void eachSettingIsMadeAndAnIndependentReaderSeesIt() {
        PciAddress vf = enable(3);
        VfNetConfig change = VfNetConfig.builder().mac(MAC).vlan(100, 3).spoofCheck(false).trust(true).build();
        VfNetConfig after = sriov.configureVf(vf, change);
        assertEquals(change, after.only(change.settings()));
        VfNetConfig seen = seen(0);
        assertEquals(Optional.of(MAC), seen.mac());
        assertEquals(Optional.of(new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1Q)), seen.vlan());
        assertEquals(Optional.of(false), seen.spoofCheck());
        assertEquals(Optional.of(true), seen.trust());
        assertEquals(Optional.of(MacAddress.ZERO), seen(1).mac(), "VF 1 untouched");
        assertEquals(Optional.empty(), sriov.savedVfNetConfig(vf), "a VF on the host is the operator's: not recorded");

        sriov.configureVf(vf, VfNetConfig.builder().mac(MacAddress.ZERO).vlan(VfNetConfig.Vlan.NONE).spoofCheck(true)
                .trust(false).build());
        assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
        assertEquals(Optional.of(VfNetConfig.Vlan.NONE), seen(0).vlan());
        assertEquals(Optional.of(true), seen(0).spoofCheck());
        assertEquals(Optional.of(false), seen(0).trust());
    }

    @Test
    void onlyTheGivenSettingsChange() {
        PciAddress vf = enable(2);
        sriov.configureVf(vf, VfNetConfig.builder().trust(true).build());
        sriov.configureVf(vf, VfNetConfig.builder().mac(MAC).build());
        assertEquals(Optional.of(true), seen(0).trust(), "trust kept");
        assertEquals(Optional.of(MAC), seen(0).mac());
    }

    @Test
    void everyVfOfAPfIsReadInIndexOrderFromOneQuery() {
        PciAddress vf0 = enable(3);
        sriov.configureVf(virtfn(pf(), 2), VfNetConfig.builder().mac(MAC).build());
        Map<PciAddress, VfNetConfig> all = sriov.vfNetConfigs(pf().address());
        assertEquals(List.of(vf0, virtfn(pf(), 1), virtfn(pf(), 2)), List.copyOf(all.keySet()));
        assertEquals(Optional.of(MAC), Optional.ofNullable(all.get(virtfn(pf(), 2))).flatMap(VfNetConfig::mac));
        assertEquals(Optional.of(MacAddress.ZERO), Optional.ofNullable(all.get(vf0)).flatMap(VfNetConfig::mac));
    }

    @Test
    void countersAreReported() {
        PciAddress vf = enable(1);
        VfStats s = sriov.vfStats(vf);
        assertTrue(s.rxPackets() >= 0 && s.txBytes() >= 0, s.toString());
    }

    private void assertRefused(PciAddress vf, VfNetConfig change, VfNetConfig.Setting setting, Errno errno) {
        VfNetConfig before = seen(0);
        VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> sriov.configureVf(vf, change));
        assertEquals(Optional.of(setting), e.setting(), e.getMessage());
        assertEquals(Optional.of(errno), e.errno(), e.getMessage());
        assertEquals(0, e.vfIndex());
        assertEquals(before, seen(0), "nothing changed: " + e.getMessage());
    }

    @Test
    void igbRefusesLinkStateMinimumRate8021adAndARateWhileItsLinkIsDownBeforeAnythingChanges() {
        Assumptions.assumeTrue(igb(), "igb's rules");
        PciAddress vf = enable(1);
        assertRefused(vf, VfNetConfig.builder().mac(MAC).linkState(VfNetConfig.LinkState.DISABLE).build(),
                VfNetConfig.Setting.LINK_STATE, Errno.EOPNOTSUPP);
        assertRefused(vf, VfNetConfig.builder().mac(MAC).minTxRateMbps(10).build(), VfNetConfig.Setting.MIN_TX_RATE,
                Errno.EINVAL);
        assertRefused(vf, VfNetConfig.builder().mac(MAC)
                .vlan(new VfNetConfig.Vlan(5, 0, VfNetConfig.VlanProtocol.IEEE_802_1AD)).build(),
                VfNetConfig.Setting.VLAN, Errno.EPROTONOSUPPORT);
        assertRefused(vf, VfNetConfig.builder().mac(MAC).maxTxRateMbps(100).build(), VfNetConfig.Setting.MAX_TX_RATE,
                Errno.EINVAL);
    }

    @Test
    void igbLimitsAVfsRateWhileThePfLinkIsUp() {
        Assumptions.assumeTrue(igb(), "igb's rules");
        PciAddress vf = enable(1);
        net().setLinkUp(pfNetdev(), true);
        sriov.configureVf(vf, VfNetConfig.builder().maxTxRateMbps(100).build());
        assertEquals(100, seen(0).maxTxRateMbps().orElse(0));
        sriov.configureVf(vf, VfNetConfig.builder().maxTxRateMbps(0).build());
        assertEquals(0, seen(0).maxTxRateMbps().orElse(0));
    }

    @Test
    void aKernelRefusalMidwaySetsTheEarlierSettingsBackAndSaysSo() {
        Assumptions.assumeTrue(igb(), "igb refuses a rate above the link speed (1000 Mbps)");
        PciAddress vf = enable(1);
        net().setLinkUp(pfNetdev(), true);
        VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> sriov.configureVf(vf,
                VfNetConfig.builder().mac(MAC).vlan(7).maxTxRateMbps(100_000).build()));
        assertEquals(Optional.of(VfNetConfig.Setting.MAX_TX_RATE), e.setting());
        assertEquals(Optional.of(Errno.EINVAL), e.errno());
        assertTrue(String.valueOf(e.getMessage()).contains("restored: vlan 0 qos 0 proto 802.1Q, mac 00:00:00:00:00:00"),
                e.getMessage());
        assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
        assertEquals(Optional.of(VfNetConfig.Vlan.NONE), seen(0).vlan());
    }

    @Test
    void aLeaseAppliesItsSettingsWithTheSecureDefaultsAndRestoresExactlyWhatWasThereWhenItEnds() {
        PciAddress vf = enable(2);
        sriov.configureVf(vf, VfNetConfig.builder().spoofCheck(false).trust(true).build()); // the operator's
        VfNetConfig before = seen(0);
        try (Lease lease = sriov.lease(vf, "vm-net", VfNetConfig.builder().mac(MAC).vlan(42, 5).build())) {
            assertEquals(stub(), driverOf(vf).orElse(""));
            VfNetConfig leased = seen(0);
            assertEquals(Optional.of(MAC), leased.mac());
            assertEquals(Optional.of(new VfNetConfig.Vlan(42, 5, VfNetConfig.VlanProtocol.IEEE_802_1Q)),
                    leased.vlan());
            assertEquals(Optional.of(true), leased.spoofCheck(), "secure default: spoof checking on");
            assertEquals(Optional.of(false), leased.trust(), "secure default: trust off");
            assertEquals(before, sriov.savedVfNetConfig(vf).orElseThrow().only(before.settings()));
        }
        assertEquals(before, seen(0), "restored exactly, the all-zero MAC included");
        assertEquals(Optional.empty(), sriov.savedVfNetConfig(vf));
        assertTrue(sriov.assignments().isEmpty());
    }

    @Test
    void aLeasedVfsSettingsChangeThroughItsLeaseOnlyAndTheLeaseEndRestoresThem() {
        // what a migration's APPLY_NET_CONFIG step does on the destination (LeaseNetActions)
        PciAddress vf = enable(2);
        VfNetConfig before = seen(0);
        try (Lease lease = sriov.lease(vf, "vm-net")) {
            assertThrows(LeaseUnavailableException.class, () -> sriov.configureVf(vf,
                    VfNetConfig.builder().mac(MAC).build()), "a leased VF is its lease's");
            VfNetConfig after = lease.configureVf(VfNetConfig.builder().mac(MAC).vlan(42, 5).build());
            assertEquals(Optional.of(MAC), after.mac());
            assertEquals(Optional.of(MAC), seen(0).mac());
            assertEquals(Optional.of(new VfNetConfig.Vlan(42, 5, VfNetConfig.VlanProtocol.IEEE_802_1Q)),
                    seen(0).vlan());
            assertEquals(before, sriov.savedVfNetConfig(vf).orElseThrow().only(before.settings()));
            if (igb()) {
                VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> lease.configureVf(
                        VfNetConfig.builder().mac(MacAddress.ZERO).linkState(VfNetConfig.LinkState.DISABLE)
                                .build()));
                assertEquals(Optional.of(Errno.EOPNOTSUPP), e.errno());
                assertEquals(Optional.of(MAC), seen(0).mac(), "refused before anything changed");
            }
        }
        assertEquals(before, seen(0), "restored exactly when the lease ended");
        assertEquals(Optional.empty(), sriov.savedVfNetConfig(vf));
    }

    @Test
    void aDetachedVfsChangedSettingsAreSavedAndReattachRestoresThem() {
        PciAddress vf = enable(2);
        sriov.detach(vf);
        sriov.configureVf(vf, VfNetConfig.builder().mac(MAC).trust(true).build());
        sriov.configureVf(vf, VfNetConfig.builder().vlan(9).build());
        VfNetConfig saved = sriov.savedVfNetConfig(vf).orElseThrow();
        assertEquals(Optional.of(MacAddress.ZERO), saved.mac(), "the settings before the first change");
        assertEquals(Optional.of(false), saved.trust());
        assertEquals(Optional.of(VfNetConfig.Vlan.NONE), saved.vlan());
        sriov.reattach(vf);
        assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
        assertEquals(Optional.of(false), seen(0).trust());
        assertEquals(Optional.of(VfNetConfig.Vlan.NONE), seen(0).vlan());
        assertEquals(Optional.empty(), sriov.savedVfNetConfig(vf));
    }

    @Test
    void aLeaseWhoseSettingIsRefusedIsNotTakenAndTheVfStaysAsItWas() {
        Assumptions.assumeTrue(igb(), "igb refuses a link state");
        PciAddress vf = enable(1);
        Optional<String> driver = driverOf(vf);
        VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> sriov.lease(vf, "vm-net",
                VfNetConfig.builder().mac(MAC).linkState(VfNetConfig.LinkState.ENABLE).build()));
        assertEquals(Optional.of(Errno.EOPNOTSUPP), e.errno());
        assertEquals(driver, driverOf(vf));
        assertEquals(Optional.of(MacAddress.ZERO), seen(0).mac());
        assertTrue(sriov.assignments().isEmpty());
    }

    @Test
    void aVfLeasedByAnotherHolderIsNotReconfigured() {
        PciAddress vf = enable(1);
        try (Lease lease = sriov.lease(vf, "vm-net", VfNetConfig.builder().mac(MAC).build());
                SriovHost other = host.open()) {
            assertThrows(LeaseUnavailableException.class, () -> other.configureVf(vf,
                    VfNetConfig.builder().mac(MacAddress.ZERO).build()));
            assertEquals(Optional.of(MAC), seen(0).mac());
        }
    }

    /**
     * The stub driver of the host.
     *
     * @return e.g. {@code vfio-pci}
     */
    private String stub() {
        return host.stubDriver();
    }
}
