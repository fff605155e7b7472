package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** VfNetConfig's builder checks every value before it can reach the kernel; MacAddress parses strictly. */
class VfNetConfigTest {

    @Test
    void outOfRangeValuesAreRefusedByTheBuilder() {
        VfNetConfig.Builder b = VfNetConfig.builder();
        assertThrows(IllegalArgumentException.class, () -> b.vlan(4096));
        assertThrows(IllegalArgumentException.class, () -> b.vlan(-1));
        assertThrows(IllegalArgumentException.class, () -> b.vlan(1, 8));
        assertThrows(IllegalArgumentException.class, () -> b.vlan(1, -1));
        assertThrows(IllegalArgumentException.class, () -> b.minTxRateMbps(-1));
        assertThrows(IllegalArgumentException.class, () -> b.maxTxRateMbps(-5));
        assertThrows(IllegalArgumentException.class, () -> b.mac(MacAddress.parse("01:00:5e:00:00:01")),
                "multicast");
        assertThrows(IllegalArgumentException.class, () -> b.mac(MacAddress.parse("ff:ff:ff:ff:ff:ff")),
                "broadcast");
        assertThrows(IllegalArgumentException.class, () -> VfNetConfig.builder().minTxRateMbps(10).maxTxRateMbps(5)
                .build(), "min above max");
        VfNetConfig.builder().minTxRateMbps(10).maxTxRateMbps(0).build(); // max 0: no limit
        VfNetConfig.builder().vlan(4095, 7).mac(MacAddress.ZERO).build();
    }

    @Test
    void onlyTheGivenSettingsArePresent() {
        VfNetConfig c = VfNetConfig.builder().trust(true).maxTxRateMbps(100).build();
        assertEquals(EnumSet.of(VfNetConfig.Setting.TRUST, VfNetConfig.Setting.MAX_TX_RATE), c.settings());
        assertEquals(Optional.empty(), c.mac());
        assertTrue(VfNetConfig.none().isEmpty());
        assertFalse(c.isEmpty());
    }

    @Test
    void secureDefaultsFillOnlyWhatIsNotGiven() {
        assertEquals(VfNetConfig.builder().spoofCheck(true).trust(false).build(),
                VfNetConfig.none().withSecureDefaults());
        VfNetConfig asked = VfNetConfig.builder().trust(true).build().withSecureDefaults();
        assertEquals(Optional.of(true), asked.trust(), "asked for trust: kept");
        assertEquals(Optional.of(true), asked.spoofCheck());
    }

    @Test
    void orElseAndOnlyCombineSettings() {
        VfNetConfig a = VfNetConfig.builder().mac(MacAddress.parse("02:00:00:00:00:01")).build();
        VfNetConfig b = VfNetConfig.builder().mac(MacAddress.ZERO).trust(true).build();
        assertEquals(VfNetConfig.builder().mac(MacAddress.parse("02:00:00:00:00:01")).trust(true).build(),
                a.orElse(b));
        assertEquals(VfNetConfig.builder().trust(true).build(), b.only(EnumSet.of(VfNetConfig.Setting.TRUST)));
        assertEquals(b, b.toBuilder().build());
    }

    @Test
    void macAddressesParseStrictlyAndPrintLowerCase() {
        MacAddress m = MacAddress.parse("02:AB:cd:00:00:2A");
        assertEquals("02:ab:cd:00:00:2a", m.toString());
        assertEquals(m, MacAddress.of(m.octets()));
        assertTrue(m.isUnicast());
        assertTrue(MacAddress.ZERO.isZero());
        assertFalse(MacAddress.ZERO.isUnicast());
        for (String bad : new String[] {"", "02:00:00:00:00", "02:00:00:00:00:0g", "02-00-00-00-00-01",
            "02:00:00:00:00:001", " 02:00:00:00:00:01", "02:00:00:00:00:0\u0661"}) {
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> MacAddress.of(new byte[5]));
    }

    @Test
    void vlanProtocolsAreTheEthertypes() {
        assertEquals(Optional.of(VfNetConfig.VlanProtocol.IEEE_802_1AD), VfNetConfig.VlanProtocol.ofEthertype(0x88a8));
        assertEquals(VfNetConfig.VlanProtocol.IEEE_802_1Q, VfNetConfig.VlanProtocol.parse("802.1q"));
        assertThrows(IllegalArgumentException.class, () -> VfNetConfig.VlanProtocol.parse("qinq"));
    }

    @Test
    void theExceptionNamesTheSettingTheVfAndTheErrno() {
        VfNetConfigException e = new VfNetConfigException("configure VF", PciAddress.parse("0000:01:10.0"), 0,
                VfNetConfig.Setting.LINK_STATE, Errno.EOPNOTSUPP, "igb has none", null);
        assertEquals("configure VF 0000:01:10.0 failed: EOPNOTSUPP (Operation not supported); setting state of VF 0:"
                + " igb has none", e.getMessage());
        assertEquals(Optional.of(VfNetConfig.Setting.LINK_STATE), e.setting());
        assertEquals(0, e.vfIndex());
    }
}
