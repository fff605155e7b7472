package org.sriov4j.spi.netlink;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;

/**
 * A {@code NETLINK_ROUTE} socket through JNA direct mapping into the C library: {@code socket(AF_NETLINK,
 * SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)}, extended acks and capped acks on ({@code NETLINK_EXT_ACK},
 * {@code NETLINK_CAP_ACK}: the kernel's error message comes back, the request does not), a receive timeout
 * ({@code SO_RCVTIMEO}), {@code bind} to a port the kernel picks, then {@code send}/{@code recv}. Each native call has
 * a fixed arity; {@code errno} is read with {@link Native#getLastError()} right after a call that failed, on the same
 * thread. Initialising this class registers the natives: nothing loads JNA before the first netlink request.
 */
public final class JnaNetlinkSocket implements NetlinkSocket {

    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_ROUTE = 0;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_CAP_ACK = 10;
    static final int NETLINK_EXT_ACK = 11;
    static final int MSG_PEEK = 0x2;
    static final int MSG_TRUNC = 0x20;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    /** {@code sizeof(struct sockaddr_nl)}: family u16, pad u16, pid u32, groups u32. */
    static final int SIZEOF_SOCKADDR_NL = 12;
    /** How long a reply may take before the request fails with {@code ETIMEDOUT}. */
    static final int RECEIVE_TIMEOUT_SECONDS = 10;

    /** The directly mapped C library functions (method names are the symbol names). */
    private static final class C {
        static {
            Native.register(C.class, NativeLibrary.getInstance("c"));
        }

        private C() {
        }

        static native int socket(int domain, int type, int protocol);

        static native int bind(int fd, Pointer address, int length);

        static native int setsockopt(int fd, int level, int name, Pointer value, int length);

        static native long send(int fd, Pointer buffer, long length, int flags);

        static native long recv(int fd, Pointer buffer, long length, int flags);

        static native int close(int fd);
    }

    private int fd;

    private JnaNetlinkSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens and binds a socket.
     *
     * @return the socket
     * @throws SriovException with the errno if a call failed (the socket is closed again)
     */
    public static JnaNetlinkSocket open() {
        int fd = C.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0) {
            throw failure("socket(AF_NETLINK, NETLINK_ROUTE)", Native.getLastError());
        }
        try (Memory one = new Memory(4); Memory timeout = new Memory(16); Memory address =
                new Memory(SIZEOF_SOCKADDR_NL)) {
            one.setInt(0, 1);
            // best effort: without them the kernel's acks carry no message and echo the request
            C.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
            C.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4);
            timeout.setLong(0, RECEIVE_TIMEOUT_SECONDS);
            timeout.setLong(8, 0);
            if (C.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) < 0) {
                int errno = Native.getLastError();
                C.close(fd);
                throw failure("setsockopt(SO_RCVTIMEO)", errno);
            }
            address.clear(SIZEOF_SOCKADDR_NL);
            address.setShort(0, (short) AF_NETLINK);
            if (C.bind(fd, address, SIZEOF_SOCKADDR_NL) < 0) {
                int errno = Native.getLastError();
                C.close(fd);
                throw failure("bind(AF_NETLINK)", errno);
            }
        }
        return new JnaNetlinkSocket(fd);
    }

    private static SriovException failure(String operation, int errno) {
        Errno e = Errno.ofNumber(errno).orElse(null);
        return new SriovException("netlink " + operation, null, e, null, e == null ? "errno " + errno : "", null);
    }

    private static Pointer at(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("netlink buffers must be direct");
        }
        return Native.getDirectBufferPointer(buffer).share(buffer.position());
    }

    @Override
    public synchronized void send(ByteBuffer message) {
        checkOpen();
        int length = message.remaining();
        for (;;) {
            long n = C.send(fd, at(message), length, 0);
            if (n >= 0) {
                if (n != length) {
                    throw new SriovException("netlink send", null, Errno.EIO, null, "sent " + n + " of " + length
                            + " bytes", null);
                }
                return;
            }
            int errno = Native.getLastError();
            if (errno != EINTR) {
                throw failure("send", errno);
            }
        }
    }

    @Override
    public synchronized int receive(ByteBuffer into, boolean peek) {
        checkOpen();
        int flags = MSG_TRUNC | (peek ? MSG_PEEK : 0);
        for (;;) {
            long n = C.recv(fd, at(into), into.remaining(), flags);
            if (n >= 0) {
                return (int) n;
            }
            int errno = Native.getLastError();
            if (errno == EAGAIN) {
                throw new SriovException("netlink recv", null, Errno.ETIMEDOUT, null, "no reply from the kernel within "
                        + RECEIVE_TIMEOUT_SECONDS + " s", null);
            }
            if (errno != EINTR) {
                throw failure("recv", errno);
            }
        }
    }

    private void checkOpen() {
        if (fd < 0) {
            throw new IllegalStateException("netlink socket closed");
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            C.close(fd);
            fd = -1;
        }
    }

}
