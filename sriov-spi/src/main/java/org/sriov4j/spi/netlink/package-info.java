/**
 * The routing netlink the engine talks to the kernel through ({@link org.sriov4j.spi.netlink.SocketRtNetlink#system()},
 * an {@link org.sriov4j.spi.RtNetlink} loaded on first use): the message encoding and decoding in pure
 * Java ({@link org.sriov4j.spi.netlink.NetlinkCodec}, on byte buffers, tested against the kernel's uAPI layouts and
 * fuzzed), the request/reply exchange ({@link org.sriov4j.spi.netlink.SocketRtNetlink}) and the socket seam
 * ({@link org.sriov4j.spi.netlink.NetlinkSocket}) with its JNA implementation. Not exported: the layouts and
 * constants come from {@code include/uapi/linux/netlink.h}, {@code rtnetlink.h} and {@code if_link.h}; the
 * repository's {@code docs/vf-net-config.md} lists them with what Linux 6.12 and igb answer.
 */
@NullMarked
package org.sriov4j.spi.netlink;

import org.jspecify.annotations.NullMarked;
