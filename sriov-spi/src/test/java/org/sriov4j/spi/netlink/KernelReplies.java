package org.sriov4j.spi.netlink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfStats;

/**
 * Builds replies the way the kernel's rtnetlink.c does ({@code rtnl_fill_ifinfo}, {@code rtnl_fill_vfinfo},
 * {@code netlink_ack}), for the codec's tests.
 */
final class KernelReplies {

    private KernelReplies() {
    }

    /** One VF as the kernel would describe it; nulls are fields the driver left at -1. */
    record Vf(int index, byte[] mac, int vlan, int qos, int proto, int minRate, int maxRate, int spoofchk,
            int linkState, int trust, int rss, VfStats stats) {

        static Vf defaults(int index) {
            return new Vf(index, new byte[6], 0, 0, 0x8100, 0, 0, 1, 0, 0, -1, VfStats.ZERO);
        }

        Vf with(VfNetConfig c) {
            return new Vf(index, c.mac().map(m -> m.octets()).orElse(mac),
                    c.vlan().map(VfNetConfig.Vlan::id).orElse(vlan), c.vlan().map(VfNetConfig.Vlan::qos).orElse(qos),
                    c.vlan().map(v -> v.protocol().ethertype()).orElse(proto), c.minTxRateMbps().orElse(minRate),
                    c.maxTxRateMbps().orElse(maxRate), c.spoofCheck().map(b -> b ? 1 : 0).orElse(spoofchk),
                    c.linkState().map(Enum::ordinal).orElse(linkState), c.trust().map(b -> b ? 1 : 0).orElse(trust),
                    rss, stats);
        }
    }

    static ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
    }

    static byte[] attr(int type, byte[] payload) {
        int len = 4 + payload.length;
        ByteBuffer b = buf(NetlinkCodec.align(len));
        b.putShort((short) len).putShort((short) type).put(payload);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    static byte[] u32s(int... v) {
        ByteBuffer b = buf(4 * v.length);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }

    static byte[] u64(long v) {
        return buf(8).putLong(v).array();
    }

    static byte[] vfInfo(Vf v) {
        byte[] mac = buf(36).putInt(v.index()).put(v.mac()).array();
        byte[] bcast = new byte[32];
        java.util.Arrays.fill(bcast, 0, 6, (byte) 0xff);
        byte[] vlanInfo = buf(16).putInt(v.index()).putInt(v.vlan()).putInt(v.qos())
                .order(ByteOrder.BIG_ENDIAN).putShort((short) v.proto()).array();
        VfStats s = v.stats();
        byte[] stats = concat(attr(0, u64(s.rxPackets())), attr(1, u64(s.txPackets())), attr(2, u64(s.rxBytes())),
                attr(3, u64(s.txBytes())), attr(4, u64(s.broadcast())), attr(5, u64(s.multicast())),
                attr(7, u64(s.rxDropped())), attr(8, u64(s.txDropped())));
        return attr(NetlinkCodec.IFLA_VF_INFO, concat(
                attr(NetlinkCodec.IFLA_VF_MAC, mac),
                attr(13, bcast), // IFLA_VF_BROADCAST
                attr(NetlinkCodec.IFLA_VF_VLAN, u32s(v.index(), v.vlan(), v.qos())),
                attr(NetlinkCodec.IFLA_VF_VLAN_LIST, attr(NetlinkCodec.IFLA_VF_VLAN_INFO, vlanInfo)),
                attr(NetlinkCodec.IFLA_VF_TX_RATE, u32s(v.index(), v.maxRate())),
                attr(NetlinkCodec.IFLA_VF_RATE, u32s(v.index(), v.minRate(), v.maxRate())),
                attr(NetlinkCodec.IFLA_VF_SPOOFCHK, u32s(v.index(), v.spoofchk())),
                attr(NetlinkCodec.IFLA_VF_LINK_STATE, u32s(v.index(), v.linkState())),
                attr(NetlinkCodec.IFLA_VF_RSS_QUERY_EN, u32s(v.index(), v.rss())),
                attr(NetlinkCodec.IFLA_VF_TRUST, u32s(v.index(), v.trust())),
                attr(NetlinkCodec.IFLA_VF_STATS | NetlinkCodec.NLA_F_NESTED, stats)));
    }

    static byte[] message(int type, int flags, int seq, byte[] payload) {
        int len = 16 + payload.length;
        ByteBuffer b = buf(NetlinkCodec.align(len));
        b.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(4711).put(payload);
        return b.array();
    }

    static byte[] newLink(int seq, int flags, int index, String name, int ifFlags, List<Vf> vfs) {
        byte[] ifi = buf(16).put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(ifFlags)
                .putInt(0).array();
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[][] infos = vfs.stream().map(KernelReplies::vfInfo).toArray(byte[][]::new);
        byte[] body = concat(ifi, attr(NetlinkCodec.IFLA_IFNAME, nameBytes), attr(4, u32s(1500)), // IFLA_MTU
                attr(NetlinkCodec.IFLA_NUM_VF, u32s(vfs.size())),
                attr(NetlinkCodec.IFLA_VFINFO_LIST, concat(infos)));
        return message(NetlinkCodec.RTM_NEWLINK, flags, seq, body);
    }

    static byte[] error(int seq, int errno, String extack) {
        byte[] orig = buf(16).putInt(48).putShort((short) NetlinkCodec.RTM_SETLINK).putShort((short) 5).putInt(seq)
                .putInt(0).array();
        byte[] payload = concat(buf(4).putInt(-errno).array(), orig);
        int flags = NetlinkCodec.NLM_F_CAPPED;
        if (extack != null) {
            payload = concat(payload, attr(NetlinkCodec.NLMSGERR_ATTR_MSG,
                    (extack + "\0").getBytes(StandardCharsets.UTF_8)));
            flags |= NetlinkCodec.NLM_F_ACK_TLVS;
        }
        return message(NetlinkCodec.NLMSG_ERROR, flags, seq, payload);
    }

    static byte[] done(int seq) {
        return message(NetlinkCodec.NLMSG_DONE, NetlinkCodec.NLM_F_MULTI, seq, u32s(0));
    }
}
