package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;

/** The independent reader parses what iproute2 6.1 printed on the real 6.12 guest (docs/vf-net-config.md). */
class IpLinkTest {

    static final String SEEN = """
            2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000
                link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 9216 \
            addrgenmode eui64 numtxqueues 8 numrxqueues 8 gso_max_size 65536 gso_max_segs 65535 parentbus pci \
            parentdev 0000:01:00.0
                vf 0     link/ether 02:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff, spoof checking on, link-state auto, trust off
                vf 1     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, vlan 4095, spoof checking on, \
            link-state auto, trust off
                vf 2     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, spoof checking off, link-state auto, trust on
                vf 3     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, tx rate 100 (Mbps), max_tx_rate 100Mbps, \
            spoof checking on, link-state auto, trust off
                vf 4     link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff, qos 5, spoof checking on, link-state auto, \
            trust off
                RX: bytes  packets  mcast   bcast   dropped
                         0        0       0       0        0
            """;

    @Test
    void everyVfLineIsRead() {
        Map<Integer, VfNetConfig> vfs = IpLink.parse(SEEN);
        assertEquals(5, vfs.size());
        VfNetConfig defaults = VfNetConfig.builder().mac(MacAddress.ZERO).vlan(VfNetConfig.Vlan.NONE).spoofCheck(true)
                .linkState(VfNetConfig.LinkState.AUTO).trust(false).minTxRateMbps(0).maxTxRateMbps(0).build();
        assertEquals(defaults.toBuilder().mac(MacAddress.parse("02:11:22:33:44:55")).build(), vfs.get(0));
        assertEquals(defaults.toBuilder().vlan(4095).build(), vfs.get(1));
        assertEquals(defaults.toBuilder().spoofCheck(false).trust(true).build(), vfs.get(2));
        assertEquals(defaults.toBuilder().maxTxRateMbps(100).build(), vfs.get(3));
        assertEquals(defaults.toBuilder().vlan(0, 5).build(), vfs.get(4));
    }
}
