package org.sriov4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: {@link PciAddress#parse(String)} throws only {@link PciAddressFormatException}, agrees with
 * {@link PciAddress#isValid(String)}, and what it accepts prints a canonical form that parses back to the same
 * address and is safe as a path component. See {@link Fuzzing} for how targets run.
 */
class PciAddressFuzzTest {

    static final java.util.regex.Pattern CANONICAL =
            java.util.regex.Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    @FuzzTest
    @DictionaryEntries({"0000:", "01:", "10.", "ffff:", ":00.", ".7", "0x", " ", "\\x0a"})
    void parse(@NotNull String text) throws Throwable {
        boolean parsed = Fuzzing.only(() -> {
            PciAddress a = PciAddress.parse(text);
            String canonical = a.toString();
            if (!CANONICAL.matcher(canonical).matches()) {
                throw new AssertionError("not canonical: " + canonical + " from \"" + text + "\"");
            }
            if (!PciAddress.parse(canonical).equals(a)) {
                throw new AssertionError("does not round-trip: \"" + text + "\" -> " + canonical);
            }
        }, PciAddressFormatException.class);
        if (parsed != PciAddress.isValid(text)) {
            throw new AssertionError("isValid(\"" + text + "\") is " + !parsed + " but parse "
                    + (parsed ? "accepted" : "refused") + " it");
        }
    }
}
