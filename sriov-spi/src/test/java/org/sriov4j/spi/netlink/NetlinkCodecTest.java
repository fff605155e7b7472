package org.sriov4j.spi.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.spi.netlink.KernelReplies.concat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfStats;
import org.sriov4j.spi.RtNetlink;

/**
 * The codec against the kernel's uAPI: every number and layout is the one of include/uapi/linux/netlink.h,
 * rtnetlink.h and if_link.h (Linux 6.12), and replies are built as rtnetlink.c builds them.
 */
class NetlinkCodecTest {

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    @Test
    void constantsAreThoseOfTheUapiHeaders() {
        // netlink.h: struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq;
        // __u32 nlmsg_pid; }, NLMSG_NOOP 0x1, NLMSG_ERROR 0x2, NLMSG_DONE 0x3, NLMSG_OVERRUN 0x4
        assertEquals(16, NetlinkCodec.NLMSG_HDRLEN);
        assertEquals(List.of(1, 2, 3, 4), List.of(NetlinkCodec.NLMSG_NOOP, NetlinkCodec.NLMSG_ERROR,
                NetlinkCodec.NLMSG_DONE, NetlinkCodec.NLMSG_OVERRUN));
        // NLM_F_REQUEST 0x01, NLM_F_MULTI 0x02, NLM_F_ACK 0x04; acks: NLM_F_CAPPED 0x100, NLM_F_ACK_TLVS 0x200
        assertEquals(List.of(1, 2, 4, 0x100, 0x200), List.of(NetlinkCodec.NLM_F_REQUEST, NetlinkCodec.NLM_F_MULTI,
                NetlinkCodec.NLM_F_ACK, NetlinkCodec.NLM_F_CAPPED, NetlinkCodec.NLM_F_ACK_TLVS));
        // enum nlmsgerr_attrs { NLMSGERR_ATTR_UNUSED, NLMSGERR_ATTR_MSG, ... }
        assertEquals(1, NetlinkCodec.NLMSGERR_ATTR_MSG);
        // NLA_F_NESTED (1 << 15), NLA_F_NET_BYTEORDER (1 << 14), NLA_TYPE_MASK ~(both); NLA_HDRLEN 4
        assertEquals(0x8000, NetlinkCodec.NLA_F_NESTED);
        assertEquals(0x4000, NetlinkCodec.NLA_F_NET_BYTEORDER);
        assertEquals(0x3fff, NetlinkCodec.NLA_TYPE_MASK);
        assertEquals(4, NetlinkCodec.NLA_HDRLEN);
        // rtnetlink.h: RTM_BASE 16: RTM_NEWLINK 16, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK; RTEXT_FILTER_VF (1 << 0)
        assertEquals(List.of(16, 18, 19), List.of(NetlinkCodec.RTM_NEWLINK, NetlinkCodec.RTM_GETLINK,
                NetlinkCodec.RTM_SETLINK));
        assertEquals(1, NetlinkCodec.RTEXT_FILTER_VF);
        // struct ifinfomsg { unsigned char ifi_family, __ifi_pad; unsigned short ifi_type; int ifi_index;
        // unsigned ifi_flags, ifi_change; }; if.h: IFF_UP 1<<0, IFF_LOWER_UP 1<<16; IFNAMSIZ 16
        assertEquals(16, NetlinkCodec.IFINFOMSG_LEN);
        assertEquals(1, NetlinkCodec.IFF_UP);
        assertEquals(0x10000, NetlinkCodec.IFF_LOWER_UP);
        assertEquals(16, NetlinkCodec.IFNAMSIZ);
        // if_link.h enum: IFLA_UNSPEC, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME (3) ... IFLA_NUM_VF (21),
        // IFLA_VFINFO_LIST (22), IFLA_STATS64, IFLA_VF_PORTS, IFLA_PORT_SELF, IFLA_AF_SPEC, IFLA_GROUP,
        // IFLA_NET_NS_FD, IFLA_EXT_MASK (29)
        assertEquals(List.of(3, 21, 22, 29), List.of(NetlinkCodec.IFLA_IFNAME, NetlinkCodec.IFLA_NUM_VF,
                NetlinkCodec.IFLA_VFINFO_LIST, NetlinkCodec.IFLA_EXT_MASK));
        // enum { IFLA_VF_INFO_UNSPEC, IFLA_VF_INFO }
        assertEquals(1, NetlinkCodec.IFLA_VF_INFO);
        // enum { IFLA_VF_UNSPEC, IFLA_VF_MAC, IFLA_VF_VLAN, IFLA_VF_TX_RATE, IFLA_VF_SPOOFCHK, IFLA_VF_LINK_STATE,
        // IFLA_VF_RATE, IFLA_VF_RSS_QUERY_EN, IFLA_VF_STATS, IFLA_VF_TRUST, IFLA_VF_IB_NODE_GUID,
        // IFLA_VF_IB_PORT_GUID, IFLA_VF_VLAN_LIST, IFLA_VF_BROADCAST }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 12), List.of(NetlinkCodec.IFLA_VF_MAC,
                NetlinkCodec.IFLA_VF_VLAN, NetlinkCodec.IFLA_VF_TX_RATE, NetlinkCodec.IFLA_VF_SPOOFCHK,
                NetlinkCodec.IFLA_VF_LINK_STATE, NetlinkCodec.IFLA_VF_RATE, NetlinkCodec.IFLA_VF_RSS_QUERY_EN,
                NetlinkCodec.IFLA_VF_STATS, NetlinkCodec.IFLA_VF_TRUST, NetlinkCodec.IFLA_VF_VLAN_LIST));
        // enum { IFLA_VF_VLAN_INFO_UNSPEC, IFLA_VF_VLAN_INFO }
        assertEquals(1, NetlinkCodec.IFLA_VF_VLAN_INFO);
        // enum { IFLA_VF_STATS_RX_PACKETS, _TX_PACKETS, _RX_BYTES, _TX_BYTES, _BROADCAST, _MULTICAST, _PAD,
        // _RX_DROPPED, _TX_DROPPED }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8), List.of(NetlinkCodec.IFLA_VF_STATS_RX_PACKETS,
                NetlinkCodec.IFLA_VF_STATS_TX_PACKETS, NetlinkCodec.IFLA_VF_STATS_RX_BYTES,
                NetlinkCodec.IFLA_VF_STATS_TX_BYTES, NetlinkCodec.IFLA_VF_STATS_BROADCAST,
                NetlinkCodec.IFLA_VF_STATS_MULTICAST, NetlinkCodec.IFLA_VF_STATS_PAD,
                NetlinkCodec.IFLA_VF_STATS_RX_DROPPED, NetlinkCodec.IFLA_VF_STATS_TX_DROPPED));
        // enum { IFLA_VF_LINK_STATE_AUTO, IFLA_VF_LINK_STATE_ENABLE, IFLA_VF_LINK_STATE_DISABLE }
        assertEquals(0, NetlinkCodec.IFLA_VF_LINK_STATE_AUTO);
        assertEquals(List.of(VfNetConfig.LinkState.AUTO, VfNetConfig.LinkState.ENABLE, VfNetConfig.LinkState.DISABLE),
                List.of(VfNetConfig.LinkState.values()));
        // ETH_P_8021Q 0x8100, ETH_P_8021AD 0x88A8 (if_ether.h)
        assertEquals(0x8100, VfNetConfig.VlanProtocol.IEEE_802_1Q.ethertype());
        assertEquals(0x88a8, VfNetConfig.VlanProtocol.IEEE_802_1AD.ethertype());
    }

    @Test
    void structureSizesAreThoseOfIfLinkH() {
        // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; } = 36
        assertEquals(36, NetlinkCodec.SIZEOF_IFLA_VF_MAC);
        // struct ifla_vf_vlan { __u32 vf, vlan, qos; } = 12
        assertEquals(12, NetlinkCodec.SIZEOF_IFLA_VF_VLAN);
        // struct ifla_vf_vlan_info { __u32 vf, vlan, qos; __be16 vlan_proto; } = 14 padded to 16 (u32 alignment)
        assertEquals(16, NetlinkCodec.SIZEOF_IFLA_VF_VLAN_INFO);
        // struct ifla_vf_tx_rate { __u32 vf, rate; } = 8; struct ifla_vf_rate { __u32 vf, min_tx_rate, max_tx_rate; }
        assertEquals(8, NetlinkCodec.SIZEOF_IFLA_VF_TX_RATE);
        assertEquals(12, NetlinkCodec.SIZEOF_IFLA_VF_RATE);
        // ifla_vf_spoofchk, ifla_vf_link_state, ifla_vf_rss_query_en, ifla_vf_trust: { __u32 vf; __u32 setting; }
        assertEquals(8, NetlinkCodec.SIZEOF_IFLA_VF_SETTING);
        // sockaddr_nl { __kernel_sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        assertEquals(12, JnaNetlinkSocket.SIZEOF_SOCKADDR_NL);
        // socket.h / netlink.h: AF_NETLINK 16, NETLINK_ROUTE 0, SOL_NETLINK 270, NETLINK_CAP_ACK 10,
        // NETLINK_EXT_ACK 11; MSG_PEEK 2, MSG_TRUNC 0x20; SOCK_RAW 3, SOCK_CLOEXEC 02000000 (octal); SO_RCVTIMEO 20
        assertEquals(List.of(16, 0, 270, 10, 11, 2, 0x20, 3, 0x80000, 20), List.of(JnaNetlinkSocket.AF_NETLINK,
                JnaNetlinkSocket.NETLINK_ROUTE, JnaNetlinkSocket.SOL_NETLINK, JnaNetlinkSocket.NETLINK_CAP_ACK,
                JnaNetlinkSocket.NETLINK_EXT_ACK, JnaNetlinkSocket.MSG_PEEK, JnaNetlinkSocket.MSG_TRUNC,
                JnaNetlinkSocket.SOCK_RAW, JnaNetlinkSocket.SOCK_CLOEXEC, JnaNetlinkSocket.SO_RCVTIMEO));
    }

    @Test
    void getLinkRequestAsksByNameForTheVfs() {
        byte[] m = NetlinkCodec.getLinkRequest(77, "eth0");
        ByteBuffer b = le(m);
        assertEquals(m.length, b.getInt(0));
        assertEquals(16 + 16 + 12 + 8, m.length, "header, ifinfomsg, IFLA_IFNAME \"eth0\\0\" padded, IFLA_EXT_MASK");
        assertEquals(NetlinkCodec.RTM_GETLINK, b.getShort(4));
        assertEquals(NetlinkCodec.NLM_F_REQUEST, b.getShort(6));
        assertEquals(77, b.getInt(8));
        assertEquals(0, b.getInt(16 + 4), "ifi_index 0: by name");
        assertEquals(9, b.getShort(32));
        assertEquals(NetlinkCodec.IFLA_IFNAME, b.getShort(34));
        assertArrayEquals(new byte[] {'e', 't', 'h', '0', 0}, java.util.Arrays.copyOfRange(m, 36, 41));
        assertEquals(8, b.getShort(44));
        assertEquals(NetlinkCodec.IFLA_EXT_MASK, b.getShort(46));
        assertEquals(NetlinkCodec.RTEXT_FILTER_VF, b.getInt(48));
    }

    @Test
    void interfaceNamesAreCheckedBeforeTheyReachTheKernel() {
        for (String bad : new String[] {"", ".", "..", "a/b", "a b", "eth0:1", "x".repeat(16), "e\nth"}) {
            assertThrows(IllegalArgumentException.class, () -> NetlinkCodec.getLinkRequest(1, bad), bad);
        }
        NetlinkCodec.getLinkRequest(1, "x".repeat(15));
    }

    private static ByteBuffer vfAttribute(byte[] m) {
        ByteBuffer b = le(m);
        assertEquals(m.length, b.getInt(0));
        assertEquals(NetlinkCodec.RTM_SETLINK, b.getShort(4));
        assertEquals(NetlinkCodec.NLM_F_REQUEST | NetlinkCodec.NLM_F_ACK, b.getShort(6));
        assertEquals(2, b.getInt(20), "ifi_index");
        assertEquals(NetlinkCodec.IFLA_VFINFO_LIST, b.getShort(34));
        assertEquals(m.length - 32, b.getShort(32));
        assertEquals(NetlinkCodec.IFLA_VF_INFO, b.getShort(38));
        assertEquals(m.length - 36, b.getShort(36));
        return b.position(40).slice().order(ByteOrder.nativeOrder());
    }

    @Test
    void setVfRequestsCarryOneStructureOfTheHeaderLayout() {
        ByteBuffer mac = vfAttribute(NetlinkCodec.setVfRequest(5, 2, 3,
                VfNetConfig.builder().mac(MacAddress.parse("02:11:22:33:44:55")).build()));
        assertEquals(40, mac.getShort(0));
        assertEquals(NetlinkCodec.IFLA_VF_MAC, mac.getShort(2));
        assertEquals(3, mac.getInt(4));
        assertEquals(0x02, mac.get(8));
        assertEquals(0x55, mac.get(13));
        assertEquals(0, mac.get(14), "the rest of mac[32] is zero");

        ByteBuffer vlan = vfAttribute(NetlinkCodec.setVfRequest(5, 2, 3, VfNetConfig.builder()
                .vlan(new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1AD)).build()));
        assertEquals(4 + 20, vlan.getShort(0));
        assertEquals(NetlinkCodec.IFLA_VF_VLAN_LIST, vlan.getShort(2));
        assertEquals(20, vlan.getShort(4));
        assertEquals(NetlinkCodec.IFLA_VF_VLAN_INFO, vlan.getShort(6));
        assertEquals(3, vlan.getInt(8));
        assertEquals(100, vlan.getInt(12));
        assertEquals(3, vlan.getInt(16));
        assertEquals((byte) 0x88, vlan.get(20), "vlan_proto is __be16: 0x88a8 in network order");
        assertEquals((byte) 0xa8, vlan.get(21));

        ByteBuffer rate = vfAttribute(NetlinkCodec.setVfRequest(5, 2, 3,
                VfNetConfig.builder().minTxRateMbps(10).maxTxRateMbps(100).build()));
        assertEquals(16, rate.getShort(0));
        assertEquals(NetlinkCodec.IFLA_VF_RATE, rate.getShort(2));
        assertEquals(List.of(3, 10, 100), List.of(rate.getInt(4), rate.getInt(8), rate.getInt(12)));

        int[][] settings = {{NetlinkCodec.IFLA_VF_SPOOFCHK, 0}, {NetlinkCodec.IFLA_VF_TRUST, 1},
            {NetlinkCodec.IFLA_VF_LINK_STATE, 2}};
        VfNetConfig[] configs = {VfNetConfig.builder().spoofCheck(false).build(),
            VfNetConfig.builder().trust(true).build(),
            VfNetConfig.builder().linkState(VfNetConfig.LinkState.DISABLE).build()};
        for (int i = 0; i < configs.length; i++) {
            ByteBuffer a = vfAttribute(NetlinkCodec.setVfRequest(5, 2, 3, configs[i]));
            assertEquals(12, a.getShort(0));
            assertEquals(settings[i][0], a.getShort(2));
            assertEquals(3, a.getInt(4));
            assertEquals(settings[i][1], a.getInt(8));
        }
    }

    @Test
    void aSetVfRequestHoldsExactlyOneAttribute() {
        assertThrows(IllegalArgumentException.class, () -> NetlinkCodec.setVfRequest(1, 2, 0,
                VfNetConfig.builder().trust(true).spoofCheck(true).build()));
        assertThrows(IllegalArgumentException.class, () -> NetlinkCodec.setVfRequest(1, 2, 0,
                VfNetConfig.builder().maxTxRateMbps(5).build()), "one rate alone: IFLA_VF_RATE carries both");
        assertThrows(IllegalArgumentException.class, () -> NetlinkCodec.setVfRequest(1, 2, 0, VfNetConfig.none()));
        assertThrows(IllegalArgumentException.class, () -> NetlinkCodec.setVfRequest(1, 0, 0,
                VfNetConfig.builder().trust(true).build()));
        assertThrows(IllegalArgumentException.class, () -> NetlinkCodec.setVfRequest(1, 2, -1,
                VfNetConfig.builder().trust(true).build()));
    }

    @Test
    void aLinkReplyIsReadAsRtnetlinkWritesIt() throws MalformedNetlinkException {
        VfStats stats = new VfStats(1, 2, 3, 4, 5, 6, 7, 8);
        KernelReplies.Vf v0 = KernelReplies.Vf.defaults(0);
        KernelReplies.Vf v1 = new KernelReplies.Vf(1, new byte[] {2, 0, 0, 0, 0, 0x2a}, 100, 3, 0x8100, 0, 100, 0,
                2, 1, 0, stats);
        byte[] reply = KernelReplies.newLink(9, 0, 2, "eth0", NetlinkCodec.IFF_UP | NetlinkCodec.IFF_LOWER_UP,
                List.of(v0, v1));
        NetlinkCodec.Reply r = NetlinkCodec.parseLinkReply(reply);
        assertTrue(r.complete());
        assertEquals(0, r.errno());
        RtNetlink.Link l = r.links().get(0);
        assertEquals(2, l.index());
        assertEquals("eth0", l.name());
        assertTrue(l.up());
        assertTrue(l.lowerUp());
        assertEquals(2, l.numVfs());
        assertEquals(VfNetConfig.builder().mac(MacAddress.ZERO).vlan(VfNetConfig.Vlan.NONE).spoofCheck(true)
                .trust(false).linkState(VfNetConfig.LinkState.AUTO).minTxRateMbps(0).maxTxRateMbps(0).build(),
                l.vfs().get(0).config());
        assertEquals(Optional.empty(), l.vfs().get(0).rssQuery(), "-1: the driver does not report it");
        VfNetConfig c1 = l.vf(1).orElseThrow().config();
        assertEquals(MacAddress.parse("02:00:00:00:00:2a"), c1.mac().orElseThrow());
        assertEquals(new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1Q), c1.vlan().orElseThrow());
        assertEquals(Optional.of(false), c1.spoofCheck());
        assertEquals(Optional.of(true), c1.trust());
        assertEquals(Optional.of(VfNetConfig.LinkState.DISABLE), c1.linkState());
        assertEquals(100, c1.maxTxRateMbps().getAsInt());
        assertEquals(Optional.of(stats), l.vf(1).orElseThrow().stats());
        assertEquals(Optional.of(false), l.vf(1).orElseThrow().rssQuery());
    }

    @Test
    void settingsTheDriverLeavesAtMinusOneAreAbsent() throws MalformedNetlinkException {
        KernelReplies.Vf v = new KernelReplies.Vf(0, new byte[6], 0, 0, 0x8100, 0, 0, -1, 0, -1, -1, VfStats.ZERO);
        VfNetConfig c = NetlinkCodec.parseLinkReply(KernelReplies.newLink(1, 0, 2, "eth0", 0, List.of(v)))
                .links().get(0).vfs().get(0).config();
        assertEquals(Optional.empty(), c.spoofCheck());
        assertEquals(Optional.empty(), c.trust());
    }

    @Test
    void theVlanListWinsOverTheLegacyVlanAndCarriesTheProtocol() throws MalformedNetlinkException {
        KernelReplies.Vf v = KernelReplies.Vf.defaults(0).with(VfNetConfig.builder()
                .vlan(new VfNetConfig.Vlan(7, 1, VfNetConfig.VlanProtocol.IEEE_802_1AD)).build());
        VfNetConfig c = NetlinkCodec.parseLinkReply(KernelReplies.newLink(1, 0, 2, "eth0", 0, List.of(v)))
                .links().get(0).vfs().get(0).config();
        assertEquals(new VfNetConfig.Vlan(7, 1, VfNetConfig.VlanProtocol.IEEE_802_1AD), c.vlan().orElseThrow());
    }

    @Test
    void anErrorAckCarriesTheErrnoAndTheKernelsMessage() throws MalformedNetlinkException {
        NetlinkCodec.Reply r = NetlinkCodec.parseLinkReply(KernelReplies.error(3, 95, "VF link state not supported"));
        assertTrue(r.complete());
        assertEquals(95, r.errno());
        assertEquals(Optional.of("VF link state not supported"), r.message());
        NetlinkCodec.Reply ack = NetlinkCodec.parseLinkReply(KernelReplies.error(3, 0, null));
        assertTrue(ack.complete());
        assertEquals(0, ack.errno());
        assertEquals(Optional.empty(), ack.message());
    }

    @Test
    void aMultiPartReplyIsCompleteOnlyAtDone() throws MalformedNetlinkException {
        NetlinkCodec.ReplyReader r = new NetlinkCodec.ReplyReader(4);
        r.feed(le(concat(KernelReplies.newLink(4, NetlinkCodec.NLM_F_MULTI, 1, "lo", 0, List.of()),
                KernelReplies.newLink(4, NetlinkCodec.NLM_F_MULTI, 2, "eth0", 0, List.of()))));
        assertFalse(r.complete());
        r.feed(le(KernelReplies.done(4)));
        assertTrue(r.complete());
        assertEquals(List.of("lo", "eth0"), r.reply().links().stream().map(RtNetlink.Link::name).toList());
    }

    @Test
    void messagesOfAnotherSequenceNumberAreSkipped() throws MalformedNetlinkException {
        NetlinkCodec.ReplyReader r = new NetlinkCodec.ReplyReader(8);
        r.feed(le(concat(KernelReplies.error(7, 22, null), KernelReplies.newLink(8, 0, 2, "eth0", 0, List.of()))));
        assertTrue(r.complete());
        assertEquals(0, r.reply().errno(), "the error of request 7 is not request 8's");
        assertEquals("eth0", r.reply().links().get(0).name());
    }

    @Test
    void malformedRepliesAreRefusedWithOneExceptionType() {
        byte[] good = KernelReplies.newLink(1, 0, 2, "eth0", 0, List.of(KernelReplies.Vf.defaults(0)));
        // a message length beyond the datagram
        byte[] longer = good.clone();
        le(longer).putInt(0, good.length + 4);
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(longer));
        // a message length below the header
        byte[] shorter = good.clone();
        le(shorter).putInt(0, 8);
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(shorter));
        // trailing bytes that are no message
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(concat(good, new byte[8])));
        // an IFLA_VF_MAC shorter than struct ifla_vf_mac
        byte[] shortMac = NetlinkCodec.setVfRequest(1, 2, 0, VfNetConfig.builder().trust(true).build()).clone();
        byte[] vfInfo = KernelReplies.attr(NetlinkCodec.IFLA_VF_INFO,
                KernelReplies.attr(NetlinkCodec.IFLA_VF_MAC, KernelReplies.u32s(0, 1)));
        byte[] badLink = KernelReplies.message(NetlinkCodec.RTM_NEWLINK, 0, 1, concat(new byte[16],
                KernelReplies.attr(NetlinkCodec.IFLA_VFINFO_LIST, vfInfo)));
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(badLink));
        assertTrue(shortMac.length > 0);
        // one VF info naming two VFs
        byte[] twoVfs = KernelReplies.attr(NetlinkCodec.IFLA_VF_INFO, concat(
                KernelReplies.attr(NetlinkCodec.IFLA_VF_TRUST, KernelReplies.u32s(0, 1)),
                KernelReplies.attr(NetlinkCodec.IFLA_VF_SPOOFCHK, KernelReplies.u32s(1, 1))));
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(KernelReplies.message(
                NetlinkCodec.RTM_NEWLINK, 0, 1, concat(new byte[16],
                        KernelReplies.attr(NetlinkCodec.IFLA_VFINFO_LIST, twoVfs)))));
        // a VLAN id above 4095
        byte[] vlan = KernelReplies.attr(NetlinkCodec.IFLA_VF_INFO,
                KernelReplies.attr(NetlinkCodec.IFLA_VF_VLAN, KernelReplies.u32s(0, 4096, 0)));
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(KernelReplies.message(
                NetlinkCodec.RTM_NEWLINK, 0, 1, concat(new byte[16],
                        KernelReplies.attr(NetlinkCodec.IFLA_VFINFO_LIST, vlan)))));
        // an ifinfomsg cut short
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(KernelReplies.message(
                NetlinkCodec.RTM_NEWLINK, 0, 1, new byte[8])));
        // an error message without its nlmsgerr
        assertThrows(MalformedNetlinkException.class, () -> NetlinkCodec.parseLinkReply(KernelReplies.message(
                NetlinkCodec.NLMSG_ERROR, 0, 1, new byte[4])));
    }

    /**
     * 60,000 mutations (byte flips, truncations, length-field rewrites, splices) of real-shaped replies: the parser
     * ends every one with a result or {@link MalformedNetlinkException}, never another exception.
     */
    @Test
    void fuzzedRepliesNeverThrowAnythingButMalformedNetlinkException() {
        Random random = new Random(0x5eed);
        KernelReplies.Vf v = new KernelReplies.Vf(1, new byte[] {2, 1, 2, 3, 4, 5}, 100, 3, 0x8100, 0, 100, 1, 0,
                1, 0, new VfStats(1, 2, 3, 4, 5, 6, 7, 8));
        byte[][] seeds = {
            KernelReplies.newLink(1, 0, 2, "eth0", 1, List.of(KernelReplies.Vf.defaults(0), v)),
            concat(KernelReplies.newLink(1, NetlinkCodec.NLM_F_MULTI, 2, "eth0", 1, List.of(v)),
                    KernelReplies.done(1)),
            KernelReplies.error(1, 22, "Invalid argument, says the driver"),
        };
        int results = 0;
        for (int i = 0; i < 60_000; i++) {
            byte[] b = seeds[random.nextInt(seeds.length)].clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                switch (random.nextInt(5)) {
                    case 0 -> b[random.nextInt(b.length)] = (byte) random.nextInt();
                    case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
                    case 2 -> {
                        if (b.length >= 2) {
                            int at = random.nextInt(b.length - 1) & ~1;
                            int value = random.nextBoolean() ? random.nextInt(65536) : random.nextInt(64);
                            le(b).putShort(at, (short) value);
                        }
                    }
                    case 3 -> {
                        if (b.length >= 4) {
                            int at = random.nextInt(b.length - 3) & ~3;
                            le(b).putInt(at, random.nextBoolean() ? random.nextInt() : random.nextInt(256) - 8);
                        }
                    }
                    default -> {
                        byte[] other = seeds[random.nextInt(seeds.length)];
                        int from = random.nextInt(other.length);
                        b = concat(java.util.Arrays.copyOf(b, random.nextInt(b.length + 1)),
                                java.util.Arrays.copyOfRange(other, from, other.length));
                    }
                }
                if (b.length == 0) {
                    break;
                }
            }
            try {
                NetlinkCodec.parseLinkReply(b);
                results++;
            } catch (MalformedNetlinkException e) {
                // the documented outcome
            }
        }
        assertTrue(results > 1000, "some mutations still parse: " + results);
    }
}
