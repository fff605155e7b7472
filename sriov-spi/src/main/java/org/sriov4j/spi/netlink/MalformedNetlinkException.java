package org.sriov4j.spi.netlink;

/**
 * A netlink reply that does not follow the kernel's layout: a length field that points outside the message, an
 * attribute shorter than its structure, a VF described with two different indexes, a value out of its range. The
 * only exception {@link NetlinkCodec#parseLinkReply(byte[])} throws.
 */
public final class MalformedNetlinkException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param reason what is wrong and at which byte offset
     */
    public MalformedNetlinkException(String reason) {
        super(reason, null, false, false);
    }
}
