package org.sriov4j.spi.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: {@link LedgerFormat#decode(byte[])} throws only its {@link LedgerFormat.FormatException}, and an entry
 * it returns encodes to bytes that decode to the same entry. Half of the inputs get a correct {@code crc32} line
 * appended, so that the fuzzer reaches the key/value parsing behind the checksum. See {@link Fuzzing}.
 */
class LedgerDecodeFuzzTest {

    @FuzzTest
    @DictionaryEntries({"sriov4j-ledger 1\\x0a", "device=0000:01:10.0\\x0a", "phase=DETACHED\\x0a", "phase=DETACHING\\x0a",
        "original_driver=igbvf\\x0a", "original_driver_override=\\x0a", "stub_driver=vfio-pci\\x0a", "managed=true\\x0a",
        "owner_pid=4242\\x0a", "owner_start=2025-05-01T09:30:00Z\\x0a", "guest=vm-42\\x0a",
        "updated=2025-05-01T09:31:00.123456789Z\\x0a", "x.xen.domain=7\\x0a", "\\\\u001b", "\\\\n"})
    void decode(FuzzedDataProvider data) throws Throwable {
        boolean withCrc = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        byte[] file = withCrc ? withCrc(body) : body;
        Fuzzing.only(() -> {
            LedgerEntry e = LedgerFormat.decode(file);
            LedgerEntry again = LedgerFormat.decode(LedgerFormat.encode(e));
            if (!again.equals(e)) {
                throw new AssertionError("does not round-trip: " + e + " -> " + again);
            }
        }, LedgerFormat.FormatException.class);
    }

    /** The body, then {@code crc32=} and the CRC-32 of the body in eight lower-case hex digits, then a newline. */
    static byte[] withCrc(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        byte[] line = String.format("crc32=%08x\n", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(body, body.length + line.length);
        System.arraycopy(line, 0, all, body.length, line.length);
        return all;
    }
}
