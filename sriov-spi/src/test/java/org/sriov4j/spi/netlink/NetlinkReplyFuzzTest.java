package org.sriov4j.spi.netlink;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: {@link NetlinkCodec#parseLinkReply(byte[])}, the parser of the kernel's routing netlink replies, throws
 * only its {@link MalformedNetlinkException}. Half of the inputs are a real-shaped reply (an igb PF with two VFs, as
 * rtnetlink.c writes it) with fuzzed bytes written over part of it, so that the fuzzer reaches the VF attributes behind
 * the headers. See {@link Fuzzing}.
 */
class NetlinkReplyFuzzTest {

    private static final byte[] SEED = KernelReplies.newLink(1, 0, 2, "eth0", 1, java.util.List.of(
            KernelReplies.Vf.defaults(0), KernelReplies.Vf.defaults(1)));

    @FuzzTest
    void parseLinkReply(FuzzedDataProvider data) throws Throwable {
        byte[] bytes;
        if (data.consumeBoolean()) {
            bytes = SEED.clone();
            int at = data.consumeInt(0, bytes.length - 1);
            byte[] over = data.consumeRemainingAsBytes();
            System.arraycopy(over, 0, bytes, at, Math.min(over.length, bytes.length - at));
        } else {
            bytes = data.consumeRemainingAsBytes();
        }
        byte[] input = bytes;
        Fuzzing.only(() -> NetlinkCodec.parseLinkReply(input), MalformedNetlinkException.class);
    }
}
