package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.VfNetConfig;

/** The saved VF settings in the ledger: their text form, and the version of the records that hold them. */
class VfNetLedgerTest {

    static final PciAddress VF = PciAddress.parse("0000:01:10.0");

    static LedgerEntry entry(Map<String, String> extras) {
        return new LedgerEntry(VF, LedgerEntry.Phase.DETACHED, Optional.of("igbvf"), Optional.empty(), "vfio-pci",
                true, 4711, Optional.empty(), Optional.of("vm"), Instant.parse("2026-12-05T06:00:00Z"), extras);
    }

    @Test
    void savedSettingsRoundTripThroughTheirTextForm() {
        VfNetConfig all = VfNetConfig.builder().mac(MacAddress.ZERO)
                .vlan(new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1AD)).spoofCheck(true)
                .trust(false).linkState(VfNetConfig.LinkState.DISABLE).minTxRateMbps(0).maxTxRateMbps(100).build();
        String text = VfNetIdentity.encode(all);
        assertEquals("mac=00:00:00:00:00:00;vlan=100/3/802.1ad;spoofchk=on;trust=off;state=disable;min_tx_rate=0;"
                + "max_tx_rate=100", text);
        assertEquals(all, VfNetIdentity.decode(text));
        assertEquals(VfNetConfig.none(), VfNetIdentity.decode(""));
        for (String bad : new String[] {"mac", "mac=zz", "vlan=1/2", "vlan=5000/0/802.1Q", "trust=yes",
            "trust=on;trust=off", "colour=red", "max_tx_rate=-1", "state=up"}) {
            assertThrows(IllegalArgumentException.class, () -> VfNetIdentity.decode(bad), bad);
        }
    }

    @Test
    void aRecordWithSavedSettingsIsVersionTwoAndOthersStayVersionOne() throws LedgerFormat.FormatException {
        LedgerEntry plain = entry(Map.of("xen.domain", "7"));
        byte[] v1 = LedgerFormat.encode(plain);
        assertTrue(new String(v1, StandardCharsets.UTF_8).startsWith("sriov4j-ledger 1\n"));
        assertEquals(plain, LedgerFormat.decode(v1), "records of the current version stay readable");

        LedgerEntry net = entry(Map.of(VfNetIdentity.SAVED, "mac=00:00:00:00:00:00", VfNetIdentity.BY_LEASE, "true"));
        byte[] v2 = LedgerFormat.encode(net);
        assertTrue(new String(v2, StandardCharsets.UTF_8).startsWith("sriov4j-ledger 2\n"));
        assertEquals(net, LedgerFormat.decode(v2));
        assertEquals(Optional.of(VfNetConfig.builder().mac(MacAddress.ZERO).build()), VfNetIdentity.saved(net));
        assertEquals(Map.of(), VfNetIdentity.without(net).extras());
    }
}
