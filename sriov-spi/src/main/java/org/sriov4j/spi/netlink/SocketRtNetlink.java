package org.sriov4j.spi.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;
import org.sriov4j.VfNetConfig;
import org.sriov4j.spi.RtNetlink;

/**
 * {@link RtNetlink} over a {@link NetlinkSocket}: each call sends one request with the next sequence number and reads
 * datagrams until its reply is complete. A datagram's size is peeked first ({@code MSG_PEEK | MSG_TRUNC}) and the
 * receive buffer grows to it, so a PF with many VFs never has its reply cut. Replies to other sequence numbers (the
 * late answer to a request that timed out) are skipped. After a failure of the socket itself it is closed and the
 * next call opens a new one. Thread-safe: calls are serialised.
 */
public final class SocketRtNetlink implements RtNetlink {

    /** The first receive buffer: a 7-VF igb PF's reply is about 3 KiB, a 64-VF PF's about 25 KiB. */
    static final int INITIAL_BUFFER = 32 * 1024;
    /** Replies larger than this are refused (the kernel's own limit for one message is far below). */
    static final int MAX_BUFFER = 16 * 1024 * 1024;

    private final Supplier<NetlinkSocket> opener;
    private @Nullable NetlinkSocket socket;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BUFFER).order(ByteOrder.nativeOrder());
    private final ByteBuffer request = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
    private int seq = (int) System.nanoTime() & 0x7FFF_FFFF;

    /**
     * Creates the instance; nothing is opened until the first call.
     *
     * @param opener opens a socket (called again after a socket failure)
     */
    public SocketRtNetlink(Supplier<NetlinkSocket> opener) {
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /**
     * The kernel's routing netlink through {@link JnaNetlinkSocket}: JNA loads at the first call.
     *
     * @return a new instance
     */
    public static SocketRtNetlink system() {
        return new SocketRtNetlink(JnaNetlinkSocket::open);
    }

    /**
     * The size of the receive buffer now (it grows to the largest datagram seen).
     *
     * @return bytes
     */
    synchronized int bufferSize() {
        return buffer.capacity();
    }

    @Override
    public synchronized Link link(String name) {
        NetlinkCodec.checkInterfaceName(name);
        String operation = "RTM_GETLINK " + name;
        NetlinkCodec.Reply r = exchange(operation, NetlinkCodec.getLinkRequest(next(), name));
        check(operation, r);
        if (r.links().isEmpty()) {
            throw new SriovException(operation, null, Errno.EIO, null, "the reply describes no link", null);
        }
        return r.links().get(0);
    }

    @Override
    public synchronized void setVf(int ifindex, int vf, VfNetConfig setting) {
        String operation = "RTM_SETLINK ifindex " + ifindex + " vf " + vf + " "
                + RtNetlink.attributeOf(setting).ipName();
        NetlinkCodec.Reply r = exchange(operation, NetlinkCodec.setVfRequest(next(), ifindex, vf, setting));
        check(operation, r);
    }

    private int next() {
        seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
        return seq;
    }

    private static void check(String operation, NetlinkCodec.Reply r) {
        if (r.errno() != 0) {
            Errno e = Errno.ofNumber(r.errno()).orElse(null);
            String detail = (e == null ? "errno " + r.errno() : "") + r.message().map(m -> (e == null ? "; " : "")
                    + "kernel says: " + m).orElse("");
            throw new SriovException(operation, null, e, null, detail, null);
        }
    }

    private NetlinkCodec.Reply exchange(String operation, byte[] message) {
        NetlinkSocket s = socket;
        if (s == null) {
            s = opener.get();
            socket = s;
        }
        try {
            ByteBuffer out = message.length <= request.capacity() ? request
                    : ByteBuffer.allocateDirect(message.length).order(ByteOrder.nativeOrder());
            out.clear();
            out.put(message).flip();
            s.send(out);
            NetlinkCodec.ReplyReader reader = new NetlinkCodec.ReplyReader(seq);
            while (!reader.complete()) {
                buffer.clear().limit(0);
                int size = s.receive(buffer, true);
                if (size > buffer.capacity()) {
                    if (size > MAX_BUFFER) {
                        throw new SriovException(operation, null, Errno.EMSGSIZE, null, "a reply datagram of " + size
                                + " bytes", null);
                    }
                    buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size - 1) << 1)
                            .order(ByteOrder.nativeOrder());
                }
                buffer.clear();
                int n = s.receive(buffer, false);
                if (n > buffer.capacity()) {
                    throw new SriovException(operation, null, Errno.EMSGSIZE, null, "the reply grew from " + size
                            + " to " + n + " bytes between peek and receive", null);
                }
                buffer.limit(n);
                try {
                    reader.feed(buffer);
                } catch (MalformedNetlinkException e) {
                    throw new SriovException(operation, null, Errno.EIO, null, "malformed reply: " + e.getMessage(),
                            e);
                }
            }
            return reader.reply();
        } catch (RuntimeException e) {
            // a socket that failed (timeout, malformed reply) may hold the rest of a reply: start afresh next time
            close();
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        NetlinkSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }
}
