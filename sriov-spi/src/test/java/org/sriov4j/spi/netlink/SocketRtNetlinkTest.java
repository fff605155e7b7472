package org.sriov4j.spi.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;
import org.sriov4j.VfNetConfig;
import org.sriov4j.spi.RtNetlink;

/** The request/reply exchange over a scripted socket: sequence numbers, buffer growth, errors, reopening. */
class SocketRtNetlinkTest {

    /** A socket whose replies are made from the sequence number of the last request. */
    static final class ScriptedSocket implements NetlinkSocket {
        final List<byte[]> sent = new ArrayList<>();
        final Deque<IntFunction<byte[]>> replies = new ArrayDeque<>();
        final Deque<byte[]> queued = new ArrayDeque<>();
        int receives;
        boolean closed;

        @Override
        public void send(ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.duplicate().get(b);
            sent.add(b);
            int seq = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt(8);
            IntFunction<byte[]> reply = replies.poll();
            if (reply != null) {
                queued.add(reply.apply(seq));
            }
        }

        @Override
        public int receive(ByteBuffer into, boolean peek) {
            byte[] next = queued.peek();
            if (next == null) {
                throw new SriovException("netlink recv", null, Errno.ETIMEDOUT, null, "nothing queued", null);
            }
            int n = Math.min(next.length, into.remaining());
            into.duplicate().put(next, 0, n);
            if (!peek) {
                queued.remove();
                receives++;
            }
            return next.length;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aReplyLargerThanTheBufferGrowsItAndIsReadWhole() {
        ScriptedSocket s = new ScriptedSocket();
        List<KernelReplies.Vf> many = new ArrayList<>();
        for (int i = 0; i < 128; i++) { // 38 KiB; the u16 length of IFLA_VFINFO_LIST caps a reply near 200 VFs
            many.add(KernelReplies.Vf.defaults(i));
        }
        s.replies.add(seq -> KernelReplies.newLink(seq, 0, 2, "eth0", 0, many));
        SocketRtNetlink n = new SocketRtNetlink(() -> s);
        RtNetlink.Link l = n.link("eth0");
        assertEquals(128, l.vfs().size());
        assertEquals(127, l.vfs().get(127).index());
        assertTrue(n.bufferSize() > SocketRtNetlink.INITIAL_BUFFER, "grew to " + n.bufferSize());
    }

    @Test
    void aLateReplyToAnEarlierRequestIsSkipped() {
        ScriptedSocket s = new ScriptedSocket();
        s.replies.add(seq -> KernelReplies.concat(KernelReplies.error(seq - 1, 22, null), KernelReplies.error(seq, 0,
                null)));
        new SocketRtNetlink(() -> s).setVf(2, 0, VfNetConfig.builder().trust(true).build());
        assertEquals(1, s.receives);
    }

    @Test
    void aMultiPartReplyIsReadUntilDone() {
        ScriptedSocket s = new ScriptedSocket();
        s.replies.add(seq -> KernelReplies.newLink(seq, NetlinkCodec.NLM_F_MULTI, 2, "eth0", 0, List.of()));
        s.queued.clear();
        SocketRtNetlink n = new SocketRtNetlink(() -> new NetlinkSocket() {
            @Override
            public void send(ByteBuffer message) {
                int seq = message.duplicate().order(ByteOrder.nativeOrder()).getInt(8);
                s.queued.add(KernelReplies.newLink(seq, NetlinkCodec.NLM_F_MULTI, 2, "eth0", 0, List.of()));
                s.queued.add(KernelReplies.done(seq));
            }

            @Override
            public int receive(ByteBuffer into, boolean peek) {
                return s.receive(into, peek);
            }

            @Override
            public void close() {
            }
        });
        assertEquals("eth0", n.link("eth0").name());
        assertEquals(2, s.receives, "the part, then NLMSG_DONE");
    }

    @Test
    void aKernelRefusalBecomesAnExceptionWithTheErrnoAndTheKernelsWords() {
        ScriptedSocket s = new ScriptedSocket();
        s.replies.add(seq -> KernelReplies.error(seq, 95, "not supported by igb"));
        SriovException e = assertThrows(SriovException.class, () -> new SocketRtNetlink(() -> s).setVf(2, 3,
                VfNetConfig.builder().linkState(VfNetConfig.LinkState.DISABLE).build()));
        assertEquals(Errno.EOPNOTSUPP, e.errno().orElseThrow());
        assertTrue(e.getMessage().contains("RTM_SETLINK ifindex 2 vf 3 state"), e.getMessage());
        assertTrue(e.getMessage().contains("not supported by igb"), e.getMessage());
        assertTrue(!s.closed, "a refusal is an answer: the socket stays open");
    }

    @Test
    void aSocketThatFailedIsClosedAndTheNextCallOpensANewOne() {
        List<ScriptedSocket> opened = new ArrayList<>();
        SocketRtNetlink n = new SocketRtNetlink(() -> {
            ScriptedSocket s = new ScriptedSocket();
            if (!opened.isEmpty()) {
                s.replies.add(seq -> KernelReplies.newLink(seq, 0, 2, "eth0", 0, List.of()));
            }
            opened.add(s);
            return s;
        });
        SriovException e = assertThrows(SriovException.class, () -> n.link("eth0")); // no reply: a timeout
        assertEquals(Errno.ETIMEDOUT, e.errno().orElseThrow());
        assertTrue(opened.get(0).closed);
        assertEquals("eth0", n.link("eth0").name());
        assertEquals(2, opened.size());
        assertTrue(!opened.get(1).closed);
    }

    @Test
    void aMalformedReplyIsAnIoErrorNamingTheRequest() {
        ScriptedSocket s = new ScriptedSocket();
        s.replies.add(seq -> KernelReplies.message(NetlinkCodec.RTM_NEWLINK, 0, seq, new byte[4]));
        SriovException e = assertThrows(SriovException.class, () -> new SocketRtNetlink(() -> s).link("eth0"));
        assertEquals(Errno.EIO, e.errno().orElseThrow());
        assertTrue(e.getMessage().contains("RTM_GETLINK eth0") && e.getMessage().contains("malformed"),
                e.getMessage());
        assertTrue(s.closed);
    }
}
