package org.sriov4j.spi.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfStats;
import org.sriov4j.spi.RtNetlink;

/**
 * Encodes the two requests sriov4j sends on a {@code NETLINK_ROUTE} socket and decodes the kernel's replies, in pure
 * Java on byte buffers (host byte order, as the kernel uses; {@code vlan_proto} in network order, as the header
 * says). Layouts and numbers are those of {@code include/uapi/linux/netlink.h}, {@code rtnetlink.h} and
 * {@code if_link.h}; {@code NetlinkCodecTest} asserts each one.
 *
 * <ul>
 * <li>{@link #getLinkRequest(int, String)}: {@code RTM_GETLINK} of one interface by {@code IFLA_IFNAME}, with
 *     {@code IFLA_EXT_MASK = RTEXT_FILTER_VF} so that the reply carries {@code IFLA_NUM_VF} and
 *     {@code IFLA_VFINFO_LIST} (one {@code IFLA_VF_INFO} per VF).</li>
 * <li>{@link #setVfRequest(int, int, int, VfNetConfig)}: {@code RTM_SETLINK} with {@code NLM_F_ACK} and one
 *     {@code IFLA_VF_INFO} holding one setting; a VLAN goes as {@code IFLA_VF_VLAN_LIST} with one
 *     {@code IFLA_VF_VLAN_INFO} (the only form that carries the protocol; the kernel refuses an empty list, and more
 *     than {@code MAX_VLAN_LIST_LEN} = 1 entry with {@code EOPNOTSUPP}).</li>
 * <li>{@link ReplyReader} reads the datagrams of one reply: messages of another sequence number are skipped (a late
 *     answer to an abandoned request), {@code NLMSG_ERROR} carries the errno (0: the acknowledgement) and, with
 *     extended acks, the kernel's message; a reply marked {@code NLM_F_MULTI} goes on until {@code NLMSG_DONE}.</li>
 * </ul>
 *
 * <p>Decoding trusts no length: every message and attribute length is checked against what contains it, every
 * structure against its size, every value against its range, and the only exception is
 * {@link MalformedNetlinkException}. Unknown message types and attributes are skipped, as the kernel adds new ones.
 */
public final class NetlinkCodec {

    // include/uapi/linux/netlink.h
    /** {@code sizeof(struct nlmsghdr)}: len u32, type u16, flags u16, seq u32, pid u32. */
    public static final int NLMSG_HDRLEN = 16;
    /** {@code NLMSG_NOOP}. */
    public static final int NLMSG_NOOP = 1;
    /** {@code NLMSG_ERROR}: payload {@code struct nlmsgerr} (int error, then the request's header). */
    public static final int NLMSG_ERROR = 2;
    /** {@code NLMSG_DONE}: the end of a multi-part reply. */
    public static final int NLMSG_DONE = 3;
    /** {@code NLMSG_OVERRUN}: data lost. */
    public static final int NLMSG_OVERRUN = 4;
    /** {@code NLM_F_REQUEST}. */
    public static final int NLM_F_REQUEST = 0x1;
    /** {@code NLM_F_MULTI}: part of a multi-part reply ended by {@code NLMSG_DONE}. */
    public static final int NLM_F_MULTI = 0x2;
    /** {@code NLM_F_ACK}: ask for an {@code NLMSG_ERROR} with error 0 on success. */
    public static final int NLM_F_ACK = 0x4;
    /** {@code NLM_F_CAPPED} (on {@code NLMSG_ERROR}): the request was cut to its header. */
    public static final int NLM_F_CAPPED = 0x100;
    /** {@code NLM_F_ACK_TLVS} (on {@code NLMSG_ERROR}): extended-ack attributes follow. */
    public static final int NLM_F_ACK_TLVS = 0x200;
    /** {@code NLMSGERR_ATTR_MSG}: the kernel's error message, a string. */
    public static final int NLMSGERR_ATTR_MSG = 1;
    /** {@code NLA_F_NESTED}. */
    public static final int NLA_F_NESTED = 0x8000;
    /** {@code NLA_F_NET_BYTEORDER}. */
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    /** {@code NLA_TYPE_MASK}: the type without the two flags. */
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF;
    /** {@code NLA_HDRLEN} = {@code sizeof(struct rtattr)}: len u16, type u16. */
    public static final int NLA_HDRLEN = 4;

    // include/uapi/linux/rtnetlink.h, if.h
    /** {@code RTM_NEWLINK}: the kernel's description of a link. */
    public static final int RTM_NEWLINK = 16;
    /** {@code RTM_GETLINK}. */
    public static final int RTM_GETLINK = 18;
    /** {@code RTM_SETLINK}. */
    public static final int RTM_SETLINK = 19;
    /** {@code sizeof(struct ifinfomsg)}: family u8, pad u8, type u16, index s32, flags u32, change u32. */
    public static final int IFINFOMSG_LEN = 16;
    /** {@code RTEXT_FILTER_VF}: include the VFs. */
    public static final int RTEXT_FILTER_VF = 1;
    /** {@code IFF_UP}. */
    public static final int IFF_UP = 0x1;
    /** {@code IFF_LOWER_UP}. */
    public static final int IFF_LOWER_UP = 0x10000;
    /** {@code IFNAMSIZ}: interface names are at most 15 bytes and a NUL. */
    public static final int IFNAMSIZ = 16;

    // include/uapi/linux/if_link.h
    /** {@code IFLA_IFNAME}. */
    public static final int IFLA_IFNAME = 3;
    /** {@code IFLA_NUM_VF}: u32. */
    public static final int IFLA_NUM_VF = 21;
    /** {@code IFLA_VFINFO_LIST}: nested {@code IFLA_VF_INFO}s. */
    public static final int IFLA_VFINFO_LIST = 22;
    /** {@code IFLA_EXT_MASK}: u32 of {@code RTEXT_FILTER_*}. */
    public static final int IFLA_EXT_MASK = 29;
    /** {@code IFLA_VF_INFO}. */
    public static final int IFLA_VF_INFO = 1;
    /** {@code IFLA_VF_MAC}: {@code struct ifla_vf_mac} (vf u32, mac u8[32]). */
    public static final int IFLA_VF_MAC = 1;
    /** {@code IFLA_VF_VLAN}: {@code struct ifla_vf_vlan} (vf, vlan, qos: u32). */
    public static final int IFLA_VF_VLAN = 2;
    /** {@code IFLA_VF_TX_RATE}: {@code struct ifla_vf_tx_rate} (vf, rate: u32). */
    public static final int IFLA_VF_TX_RATE = 3;
    /** {@code IFLA_VF_SPOOFCHK}: {@code struct ifla_vf_spoofchk} (vf, setting: u32). */
    public static final int IFLA_VF_SPOOFCHK = 4;
    /** {@code IFLA_VF_LINK_STATE}: {@code struct ifla_vf_link_state} (vf, link_state: u32). */
    public static final int IFLA_VF_LINK_STATE = 5;
    /** {@code IFLA_VF_RATE}: {@code struct ifla_vf_rate} (vf, min_tx_rate, max_tx_rate: u32). */
    public static final int IFLA_VF_RATE = 6;
    /** {@code IFLA_VF_RSS_QUERY_EN}: {@code struct ifla_vf_rss_query_en} (vf, setting: u32). */
    public static final int IFLA_VF_RSS_QUERY_EN = 7;
    /** {@code IFLA_VF_STATS}: nested u64 counters. */
    public static final int IFLA_VF_STATS = 8;
    /** {@code IFLA_VF_TRUST}: {@code struct ifla_vf_trust} (vf, setting: u32). */
    public static final int IFLA_VF_TRUST = 9;
    /** {@code IFLA_VF_VLAN_LIST}: nested {@code IFLA_VF_VLAN_INFO}s. */
    public static final int IFLA_VF_VLAN_LIST = 12;
    /** {@code IFLA_VF_VLAN_INFO}: {@code struct ifla_vf_vlan_info} (vf, vlan, qos: u32; vlan_proto: __be16). */
    public static final int IFLA_VF_VLAN_INFO = 1;
    /** {@code IFLA_VF_STATS_RX_PACKETS} .. {@code IFLA_VF_STATS_TX_DROPPED}: 0..8, 6 being the padding. */
    public static final int IFLA_VF_STATS_RX_PACKETS = 0;
    /** {@code IFLA_VF_STATS_TX_PACKETS}. */
    public static final int IFLA_VF_STATS_TX_PACKETS = 1;
    /** {@code IFLA_VF_STATS_RX_BYTES}. */
    public static final int IFLA_VF_STATS_RX_BYTES = 2;
    /** {@code IFLA_VF_STATS_TX_BYTES}. */
    public static final int IFLA_VF_STATS_TX_BYTES = 3;
    /** {@code IFLA_VF_STATS_BROADCAST}. */
    public static final int IFLA_VF_STATS_BROADCAST = 4;
    /** {@code IFLA_VF_STATS_MULTICAST}. */
    public static final int IFLA_VF_STATS_MULTICAST = 5;
    /** {@code IFLA_VF_STATS_PAD}. */
    public static final int IFLA_VF_STATS_PAD = 6;
    /** {@code IFLA_VF_STATS_RX_DROPPED}. */
    public static final int IFLA_VF_STATS_RX_DROPPED = 7;
    /** {@code IFLA_VF_STATS_TX_DROPPED}. */
    public static final int IFLA_VF_STATS_TX_DROPPED = 8;
    /** {@code IFLA_VF_LINK_STATE_AUTO}, {@code _ENABLE}, {@code _DISABLE}: 0, 1, 2. */
    public static final int IFLA_VF_LINK_STATE_AUTO = 0;

    /** {@code sizeof(struct ifla_vf_mac)}. */
    public static final int SIZEOF_IFLA_VF_MAC = 36;
    /** {@code sizeof(struct ifla_vf_vlan)}. */
    public static final int SIZEOF_IFLA_VF_VLAN = 12;
    /** {@code sizeof(struct ifla_vf_vlan_info)}: 14 bytes of fields padded to the u32 alignment. */
    public static final int SIZEOF_IFLA_VF_VLAN_INFO = 16;
    /** {@code sizeof(struct ifla_vf_tx_rate)}. */
    public static final int SIZEOF_IFLA_VF_TX_RATE = 8;
    /** {@code sizeof(struct ifla_vf_rate)}. */
    public static final int SIZEOF_IFLA_VF_RATE = 12;
    /** {@code sizeof} of {@code ifla_vf_spoofchk}, {@code _link_state}, {@code _rss_query_en}, {@code _trust}. */
    public static final int SIZEOF_IFLA_VF_SETTING = 8;
    /** The {@code setting} the kernel reports for a value the driver did not fill in ({@code -1}). */
    public static final int SETTING_UNKNOWN = -1;

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    private NetlinkCodec() {
    }

    /** Rounds up to the 4-byte alignment of messages and attributes ({@code NLMSG_ALIGN}, {@code NLA_ALIGN}). */
    static int align(int n) {
        return n + 3 & ~3;
    }

    /**
     * Checks an interface name before it goes into a request: 1 to 15 bytes, printable ASCII other than {@code /},
     * {@code :} and blanks, not {@code .} or {@code ..} (the kernel's {@code dev_valid_name}, restricted to ASCII).
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException if it is not acceptable
     */
    public static String checkInterfaceName(String name) {
        if (name.isEmpty() || name.length() >= IFNAMSIZ || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not an interface name (1 to 15 characters): \"" + name + "\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '/' || c == ':') {
                throw new IllegalArgumentException("not an interface name (printable ASCII without '/', ':' or "
                        + "blanks): \"" + name.replaceAll("\\p{Cntrl}", "?") + "\"");
            }
        }
        return name;
    }

    /**
     * {@code RTM_GETLINK} of one interface by name, with its VFs.
     *
     * @param seq the sequence number
     * @param name the interface name
     * @return the message
     * @throws IllegalArgumentException if the name is not acceptable
     */
    public static byte[] getLinkRequest(int seq, String name) {
        byte[] n = checkInterfaceName(name).getBytes(StandardCharsets.US_ASCII);
        int nameAttr = NLA_HDRLEN + n.length + 1;
        int len = NLMSG_HDRLEN + IFINFOMSG_LEN + align(nameAttr) + NLA_HDRLEN + 4;
        ByteBuffer b = ByteBuffer.allocate(len).order(HOST);
        header(b, len, RTM_GETLINK, NLM_F_REQUEST, seq);
        ifinfomsg(b, 0);
        b.putShort((short) nameAttr).putShort((short) IFLA_IFNAME).put(n).put((byte) 0);
        b.position(align(b.position()));
        b.putShort((short) (NLA_HDRLEN + 4)).putShort((short) IFLA_EXT_MASK).putInt(RTEXT_FILTER_VF);
        return b.array();
    }

    /**
     * {@code RTM_SETLINK} of one VF setting, with {@code NLM_F_ACK}.
     *
     * @param seq the sequence number
     * @param ifindex the PF's interface index, positive
     * @param vf the VF index, 0 or more
     * @param setting one kernel attribute's values ({@link RtNetlink#attributeOf(VfNetConfig)})
     * @return the message
     * @throws IllegalArgumentException if the index is not positive, the VF negative, or the setting not one attribute
     */
    public static byte[] setVfRequest(int seq, int ifindex, int vf, VfNetConfig setting) {
        if (ifindex <= 0) {
            throw new IllegalArgumentException("interface index must be positive: " + ifindex);
        }
        if (vf < 0) {
            throw new IllegalArgumentException("VF index must be 0 or more: " + vf);
        }
        VfNetConfig.Setting which = RtNetlink.attributeOf(setting);
        ByteBuffer attr = ByteBuffer.allocate(64).order(HOST);
        switch (which) {
            case MAC -> {
                attr.putShort((short) (NLA_HDRLEN + SIZEOF_IFLA_VF_MAC)).putShort((short) IFLA_VF_MAC).putInt(vf)
                        .put(setting.mac().orElseThrow().octets()).put(new byte[32 - 6]);
            }
            case VLAN -> {
                VfNetConfig.Vlan v = setting.vlan().orElseThrow();
                attr.putShort((short) (NLA_HDRLEN + NLA_HDRLEN + SIZEOF_IFLA_VF_VLAN_INFO))
                        .putShort((short) IFLA_VF_VLAN_LIST);
                attr.putShort((short) (NLA_HDRLEN + SIZEOF_IFLA_VF_VLAN_INFO)).putShort((short) IFLA_VF_VLAN_INFO)
                        .putInt(vf).putInt(v.id()).putInt(v.qos());
                attr.order(ByteOrder.BIG_ENDIAN).putShort((short) v.protocol().ethertype()).order(HOST)
                        .putShort((short) 0);
            }
            case SPOOF_CHECK -> setting(attr, IFLA_VF_SPOOFCHK, vf, setting.spoofCheck().orElseThrow() ? 1 : 0);
            case TRUST -> setting(attr, IFLA_VF_TRUST, vf, setting.trust().orElseThrow() ? 1 : 0);
            case LINK_STATE -> setting(attr, IFLA_VF_LINK_STATE, vf, setting.linkState().orElseThrow().ordinal());
            case MAX_TX_RATE -> attr.putShort((short) (NLA_HDRLEN + SIZEOF_IFLA_VF_RATE))
                    .putShort((short) IFLA_VF_RATE).putInt(vf).putInt(setting.minTxRateMbps().orElseThrow())
                    .putInt(setting.maxTxRateMbps().orElseThrow());
            default -> throw new IllegalArgumentException("not a kernel attribute: " + which);
        }
        int attrLen = attr.position();
        int info = NLA_HDRLEN + attrLen;
        int list = NLA_HDRLEN + info;
        int len = NLMSG_HDRLEN + IFINFOMSG_LEN + list;
        ByteBuffer b = ByteBuffer.allocate(len).order(HOST);
        header(b, len, RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
        ifinfomsg(b, ifindex);
        b.putShort((short) list).putShort((short) IFLA_VFINFO_LIST);
        b.putShort((short) info).putShort((short) IFLA_VF_INFO);
        b.put(attr.array(), 0, attrLen);
        return b.array();
    }

    private static void setting(ByteBuffer attr, int type, int vf, int value) {
        attr.putShort((short) (NLA_HDRLEN + SIZEOF_IFLA_VF_SETTING)).putShort((short) type).putInt(vf).putInt(value);
    }

    private static void header(ByteBuffer b, int len, int type, int flags, int seq) {
        b.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    }

    private static void ifinfomsg(ByteBuffer b, int index) {
        b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(0).putInt(0);
    }

    /**
     * What one reply said.
     *
     * @param links the links described ({@code RTM_NEWLINK}), in order
     * @param errno the errno of an {@code NLMSG_ERROR} (positive), 0 for an acknowledgement or none
     * @param message the kernel's extended-ack message, if any
     * @param complete whether the reply is complete (an error or ack, a single-part answer, or {@code NLMSG_DONE})
     */
    public record Reply(List<RtNetlink.Link> links, int errno, Optional<String> message, boolean complete) {

        /**
         * Copies.
         *
         * @param links the links
         * @param errno the errno
         * @param message the kernel's message
         * @param complete complete
         */
        public Reply {
            links = List.copyOf(links);
        }
    }

    /**
     * Parses a complete reply to {@code RTM_GETLINK} (or any routing netlink reply): one or more datagrams' bytes one
     * after the other, messages of any sequence number. The fuzzing entry point.
     *
     * @param bytes the reply
     * @return what it said
     * @throws MalformedNetlinkException if it does not follow the kernel's layout; nothing else is thrown
     */
    public static Reply parseLinkReply(byte[] bytes) throws MalformedNetlinkException {
        ReplyReader r = new ReplyReader(null);
        r.feed(ByteBuffer.wrap(bytes).order(HOST));
        return r.reply();
    }

    /** Reads the datagrams of one reply, in order. Not thread-safe. */
    public static final class ReplyReader {
        private final @Nullable Integer seq;
        private final List<RtNetlink.Link> links = new ArrayList<>();
        private int errno;
        private @Nullable String message;
        private boolean complete;

        /**
         * A reader for the reply to one request.
         *
         * @param seq the request's sequence number; messages with another are skipped. Null accepts every message.
         */
        public ReplyReader(@Nullable Integer seq) {
            this.seq = seq;
        }

        /**
         * Whether the reply is complete.
         *
         * @return true once an error, an ack, a single-part answer or {@code NLMSG_DONE} was read
         */
        public boolean complete() {
            return complete;
        }

        /**
         * What was read so far.
         *
         * @return the reply
         */
        public Reply reply() {
            return new Reply(links, errno, Optional.ofNullable(message), complete);
        }

        /**
         * Reads one datagram: the bytes from the buffer's position to its limit (the buffer's byte order is ignored).
         *
         * @param datagram the datagram
         * @throws MalformedNetlinkException if it does not follow the kernel's layout
         */
        public void feed(ByteBuffer datagram) throws MalformedNetlinkException {
            ByteBuffer b = datagram.slice().order(HOST);
            int end = b.limit();
            int pos = 0;
            while (end - pos >= NLMSG_HDRLEN) {
                int len = b.getInt(pos);
                int type = b.getShort(pos + 4) & 0xFFFF;
                int flags = b.getShort(pos + 6) & 0xFFFF;
                int msgSeq = b.getInt(pos + 8);
                if (len < NLMSG_HDRLEN || len > end - pos) {
                    throw new MalformedNetlinkException("message at " + pos + ": length " + Integer.toUnsignedString(len)
                            + " outside 16.." + (end - pos));
                }
                if (seq == null || seq == msgSeq) {
                    message(b, pos, len, type, flags);
                }
                pos += Math.min(align(len), end - pos);
            }
            if (pos != end) {
                throw new MalformedNetlinkException((end - pos) + " bytes after the last message at " + pos);
            }
        }

        private void message(ByteBuffer b, int pos, int len, int type, int flags) throws MalformedNetlinkException {
            int payload = pos + NLMSG_HDRLEN;
            int end = pos + len;
            switch (type) {
                case NLMSG_NOOP -> {
                }
                case NLMSG_ERROR -> {
                    if (end - payload < 4 + NLMSG_HDRLEN) {
                        throw new MalformedNetlinkException("NLMSG_ERROR at " + pos + " shorter than nlmsgerr");
                    }
                    int error = b.getInt(payload);
                    if (error > 0 || error == Integer.MIN_VALUE) {
                        throw new MalformedNetlinkException("NLMSG_ERROR at " + pos + " with error " + error);
                    }
                    errno = -error;
                    if ((flags & NLM_F_ACK_TLVS) != 0) {
                        int origLen = b.getInt(payload + 4);
                        int tlvs = payload + 4 + ((flags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : align(origLen));
                        if (origLen < NLMSG_HDRLEN || tlvs > end || tlvs < payload) {
                            throw new MalformedNetlinkException("NLMSG_ERROR at " + pos + ": request length "
                                    + Integer.toUnsignedString(origLen) + " outside the message");
                        }
                        Attrs a = Attrs.parse(b, tlvs, end, 4);
                        int at = a.start(NLMSGERR_ATTR_MSG);
                        if (at >= 0) {
                            message = string(b, at, a.end(NLMSGERR_ATTR_MSG));
                        }
                    }
                    complete = true;
                }
                case NLMSG_DONE -> {
                    if (end - payload >= 4) {
                        int error = b.getInt(payload);
                        if (error < 0 && error != Integer.MIN_VALUE) {
                            errno = -error;
                        }
                    }
                    complete = true;
                }
                case NLMSG_OVERRUN -> {
                    errno = 105; // ENOBUFS: the kernel dropped part of the reply
                    complete = true;
                }
                case RTM_NEWLINK -> {
                    links.add(link(b, payload, end));
                    if ((flags & NLM_F_MULTI) == 0) {
                        complete = true;
                    }
                }
                default -> {
                    // another message type: not ours to read
                }
            }
        }
    }

    /** The attributes of one level: the last of each type wins, as in the kernel's {@code nla_parse}. */
    private static final class Attrs {
        private final int[] start;
        private final int[] end;

        private Attrs(int max) {
            start = new int[max + 1];
            end = new int[max + 1];
            java.util.Arrays.fill(start, -1);
        }

        /** Parses {@code [from, to)}, keeping types up to {@code max} (others are skipped). */
        static Attrs parse(ByteBuffer b, int from, int to, int max) throws MalformedNetlinkException {
            Attrs a = new Attrs(max);
            forEach(b, from, to, (type, s, e) -> {
                if (type <= max) {
                    a.start[type] = s;
                    a.end[type] = e;
                }
            });
            return a;
        }

        int start(int type) {
            return start[type];
        }

        int end(int type) {
            return end[type];
        }

        int length(int type) {
            return start[type] < 0 ? -1 : end[type] - start[type];
        }
    }

    /** Visits one attribute: its type without flags, and its payload {@code [start, end)}. */
    @FunctionalInterface
    private interface AttrVisitor {
        void visit(int type, int start, int end) throws MalformedNetlinkException;
    }

    private static void forEach(ByteBuffer b, int from, int to, AttrVisitor v) throws MalformedNetlinkException {
        int pos = from;
        while (to - pos >= NLA_HDRLEN) {
            int len = b.getShort(pos) & 0xFFFF;
            int type = b.getShort(pos + 2) & NLA_TYPE_MASK;
            if (len < NLA_HDRLEN || len > to - pos) {
                throw new MalformedNetlinkException("attribute at " + pos + ": length " + len + " outside 4.."
                        + (to - pos));
            }
            v.visit(type, pos + NLA_HDRLEN, pos + len);
            pos += Math.min(align(len), to - pos);
        }
        // fewer than NLA_HDRLEN bytes left over: the kernel's nla_for_each_attr ignores them too
    }

    private static String string(ByteBuffer b, int start, int end) {
        int n = start;
        while (n < end && b.get(n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n - start];
        b.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static RtNetlink.Link link(ByteBuffer b, int start, int end) throws MalformedNetlinkException {
        if (end - start < IFINFOMSG_LEN) {
            throw new MalformedNetlinkException("RTM_NEWLINK at " + start + " shorter than ifinfomsg");
        }
        int index = b.getInt(start + 4);
        int flags = b.getInt(start + 8);
        Attrs a = Attrs.parse(b, start + IFINFOMSG_LEN, end, IFLA_EXT_MASK);
        String name = a.start(IFLA_IFNAME) >= 0 ? string(b, a.start(IFLA_IFNAME), a.end(IFLA_IFNAME)) : "";
        int numVfs = 0;
        if (a.start(IFLA_NUM_VF) >= 0) {
            numVfs = u32AsInt(b, a, IFLA_NUM_VF, "IFLA_NUM_VF");
        }
        List<RtNetlink.VfInfo> vfs = new ArrayList<>();
        if (a.start(IFLA_VFINFO_LIST) >= 0) {
            forEach(b, a.start(IFLA_VFINFO_LIST), a.end(IFLA_VFINFO_LIST), (type, s, e) -> {
                if (type == IFLA_VF_INFO) {
                    vfs.add(vf(b, s, e));
                }
            });
        }
        return new RtNetlink.Link(index, name, (flags & IFF_UP) != 0, (flags & IFF_LOWER_UP) != 0, numVfs, vfs);
    }

    private static int u32AsInt(ByteBuffer b, Attrs a, int type, String what) throws MalformedNetlinkException {
        if (a.length(type) < 4) {
            throw new MalformedNetlinkException(what + " at " + a.start(type) + " shorter than a u32");
        }
        return nonNegative(b.getInt(a.start(type)), what);
    }

    private static int nonNegative(int v, String what) throws MalformedNetlinkException {
        if (v < 0) {
            throw new MalformedNetlinkException(what + " " + Integer.toUnsignedString(v) + " above 2^31-1");
        }
        return v;
    }

    /** Reads one {@code IFLA_VF_INFO}. */
    private static RtNetlink.VfInfo vf(ByteBuffer b, int start, int end) throws MalformedNetlinkException {
        Attrs a = Attrs.parse(b, start, end, IFLA_VF_VLAN_LIST);
        int[] index = {-1};
        VfNetConfig.Builder c = VfNetConfig.builder();
        int mac = a.start(IFLA_VF_MAC);
        if (mac >= 0) {
            need(a, IFLA_VF_MAC, SIZEOF_IFLA_VF_MAC, "IFLA_VF_MAC");
            vfIndex(index, b.getInt(mac));
            byte[] octets = new byte[6];
            b.get(mac + 4, octets);
            MacAddress m = MacAddress.of(octets);
            if (m.isZero() || m.isUnicast()) {
                c.mac(m); // a group address (not an Ethernet VF: IPoIB) is left out, as no Ethernet VF has one
            }
        }
        int list = a.start(IFLA_VF_VLAN_LIST);
        if (list >= 0) {
            List<VfNetConfig.Vlan> vlans = new ArrayList<>();
            forEach(b, list, a.end(IFLA_VF_VLAN_LIST), (type, s, e) -> {
                if (type == IFLA_VF_VLAN_INFO) {
                    if (e - s < SIZEOF_IFLA_VF_VLAN_INFO - 2) {
                        throw new MalformedNetlinkException("IFLA_VF_VLAN_INFO at " + s + " shorter than 14 bytes");
                    }
                    vfIndex(index, b.getInt(s));
                    int p = (b.get(s + 12) & 0xFF) << 8 | b.get(s + 13) & 0xFF; // __be16
                    VfNetConfig.VlanProtocol protocol = VfNetConfig.VlanProtocol.ofEthertype(p).orElseThrow(
                            () -> new MalformedNetlinkException("IFLA_VF_VLAN_INFO at " + s
                                    + ": unknown VLAN protocol 0x" + Integer.toHexString(p)));
                    vlans.add(vlan(b.getInt(s + 4), b.getInt(s + 8), protocol, s));
                }
            });
            if (!vlans.isEmpty()) {
                c.vlan(vlans.get(0));
            }
        } else if (a.start(IFLA_VF_VLAN) >= 0) {
            need(a, IFLA_VF_VLAN, SIZEOF_IFLA_VF_VLAN, "IFLA_VF_VLAN");
            int s = a.start(IFLA_VF_VLAN);
            vfIndex(index, b.getInt(s));
            c.vlan(vlan(b.getInt(s + 4), b.getInt(s + 8), VfNetConfig.VlanProtocol.IEEE_802_1Q, s));
        }
        if (a.start(IFLA_VF_RATE) >= 0) {
            need(a, IFLA_VF_RATE, SIZEOF_IFLA_VF_RATE, "IFLA_VF_RATE");
            int s = a.start(IFLA_VF_RATE);
            vfIndex(index, b.getInt(s));
            int min = nonNegative(b.getInt(s + 4), "min_tx_rate");
            int max = nonNegative(b.getInt(s + 8), "max_tx_rate");
            if (max != 0 && min > max) {
                throw new MalformedNetlinkException("IFLA_VF_RATE at " + s + ": min_tx_rate " + min
                        + " above max_tx_rate " + max);
            }
            c.maxTxRateMbps(max).minTxRateMbps(min);
        } else if (a.start(IFLA_VF_TX_RATE) >= 0) {
            need(a, IFLA_VF_TX_RATE, SIZEOF_IFLA_VF_TX_RATE, "IFLA_VF_TX_RATE");
            int s = a.start(IFLA_VF_TX_RATE);
            vfIndex(index, b.getInt(s));
            c.maxTxRateMbps(nonNegative(b.getInt(s + 4), "tx_rate"));
        }
        Boolean spoof = flag(b, a, IFLA_VF_SPOOFCHK, "IFLA_VF_SPOOFCHK", index);
        if (spoof != null) {
            c.spoofCheck(spoof);
        }
        Boolean trust = flag(b, a, IFLA_VF_TRUST, "IFLA_VF_TRUST", index);
        if (trust != null) {
            c.trust(trust);
        }
        Boolean rss = flag(b, a, IFLA_VF_RSS_QUERY_EN, "IFLA_VF_RSS_QUERY_EN", index);
        if (a.start(IFLA_VF_LINK_STATE) >= 0) {
            need(a, IFLA_VF_LINK_STATE, SIZEOF_IFLA_VF_SETTING, "IFLA_VF_LINK_STATE");
            int s = a.start(IFLA_VF_LINK_STATE);
            vfIndex(index, b.getInt(s));
            int state = b.getInt(s + 4);
            if (state < 0 || state > 2) {
                throw new MalformedNetlinkException("IFLA_VF_LINK_STATE at " + s + ": unknown state "
                        + Integer.toUnsignedString(state));
            }
            c.linkState(VfNetConfig.LinkState.values()[state]);
        }
        Optional<VfStats> stats = Optional.empty();
        if (a.start(IFLA_VF_STATS) >= 0) {
            long[] v = new long[IFLA_VF_STATS_TX_DROPPED + 1];
            forEach(b, a.start(IFLA_VF_STATS), a.end(IFLA_VF_STATS), (type, s, e) -> {
                if (type <= IFLA_VF_STATS_TX_DROPPED && type != IFLA_VF_STATS_PAD) {
                    if (e - s < 8) {
                        throw new MalformedNetlinkException("IFLA_VF_STATS counter " + type + " at " + s
                                + " shorter than a u64");
                    }
                    v[type] = b.getLong(s);
                }
            });
            stats = Optional.of(new VfStats(v[IFLA_VF_STATS_RX_PACKETS], v[IFLA_VF_STATS_TX_PACKETS],
                    v[IFLA_VF_STATS_RX_BYTES], v[IFLA_VF_STATS_TX_BYTES], v[IFLA_VF_STATS_BROADCAST],
                    v[IFLA_VF_STATS_MULTICAST], v[IFLA_VF_STATS_RX_DROPPED], v[IFLA_VF_STATS_TX_DROPPED]));
        }
        if (index[0] < 0) {
            throw new MalformedNetlinkException("IFLA_VF_INFO at " + start + " names no VF index");
        }
        return new RtNetlink.VfInfo(index[0], c.build(), Optional.ofNullable(rss), stats);
    }

    private static VfNetConfig.Vlan vlan(int id, int qos, VfNetConfig.VlanProtocol p, int at)
            throws MalformedNetlinkException {
        if (id < 0 || id > 4095 || qos < 0 || qos > 7) {
            throw new MalformedNetlinkException("VLAN at " + at + ": id " + Integer.toUnsignedString(id) + " qos "
                    + Integer.toUnsignedString(qos) + " out of range");
        }
        return new VfNetConfig.Vlan(id, qos, p);
    }

    private static void need(Attrs a, int type, int size, String what) throws MalformedNetlinkException {
        if (a.length(type) < size) {
            throw new MalformedNetlinkException(what + " at " + a.start(type) + ": " + a.length(type)
                    + " bytes, its structure has " + size);
        }
    }

    private static void vfIndex(int[] index, int vf) throws MalformedNetlinkException {
        if (vf < 0) {
            throw new MalformedNetlinkException("VF index " + Integer.toUnsignedString(vf) + " above 2^31-1");
        }
        if (index[0] >= 0 && index[0] != vf) {
            throw new MalformedNetlinkException("one IFLA_VF_INFO names VFs " + index[0] + " and " + vf);
        }
        index[0] = vf;
    }

    private static @Nullable Boolean flag(ByteBuffer b, Attrs a, int type, String what, int[] index)
            throws MalformedNetlinkException {
        int s = a.start(type);
        if (s < 0) {
            return null;
        }
        need(a, type, SIZEOF_IFLA_VF_SETTING, what);
        vfIndex(index, b.getInt(s));
        int v = b.getInt(s + 4);
        return v == SETTING_UNKNOWN ? null : v != 0;
    }
}
