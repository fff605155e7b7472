package org.sriov4j.spi.netlink;

import java.nio.ByteBuffer;

/**
 * One {@code NETLINK_ROUTE} socket, bound, talking to the kernel: the native seam of {@link SocketRtNetlink}, so that
 * its exchange (sequence numbers, multi-part replies, buffer growth, errors) is tested without a kernel. The real one
 * is {@link JnaNetlinkSocket}. Not thread-safe: {@link SocketRtNetlink} serialises its calls.
 */
public interface NetlinkSocket extends AutoCloseable {

    /**
     * Sends one message to the kernel: the bytes from the buffer's position to its limit.
     *
     * @param message a direct buffer
     * @throws org.sriov4j.SriovException with the errno if {@code send(2)} failed
     */
    void send(ByteBuffer message);

    /**
     * Receives the next datagram, or with {@code peek} only looks at it ({@code MSG_PEEK}); with {@code MSG_TRUNC}
     * semantics: copies what fits between the buffer's position and limit and returns the datagram's whole length
     * (so a peek into an empty buffer tells the size a buffer needs). Does not move the buffer's position.
     *
     * @param into a direct buffer
     * @param peek whether to leave the datagram queued
     * @return the datagram's length, which may exceed what was copied
     * @throws org.sriov4j.SriovException with the errno if {@code recv(2)} failed ({@code ETIMEDOUT} when no reply
     *     came within the socket's receive timeout)
     */
    int receive(ByteBuffer into, boolean peek);

    /** Closes the socket. Idempotent. */
    @Override
    void close();
}
