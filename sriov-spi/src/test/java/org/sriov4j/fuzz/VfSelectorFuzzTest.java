package org.sriov4j.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import org.sriov4j.VfSelector;
import org.sriov4j.VfSelectorFormatException;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: {@link VfSelector#parse(String)} throws only {@link VfSelectorFormatException} for non-null text, and
 * a selector it returns prints a text that parses back to an equal selector (its javadoc promises this for selectors
 * with PF criteria only, which is all it produces). See {@link Fuzzing}.
 */
class VfSelectorFuzzTest {

    @FuzzTest
    @DictionaryEntries({"0000:01:00.0", "eth0", "#", "0-3", ",", "-", "255", "01:00.0#", "ens1f0#7"})
    void parse(@NotNull String text) throws Throwable {
        Fuzzing.only(() -> {
            VfSelector s = VfSelector.parse(text);
            VfSelector again = VfSelector.parse(s.toString());
            if (!again.equals(s)) {
                throw new AssertionError("\"" + text + "\" -> " + s + " parses back as " + again);
            }
        }, VfSelectorFormatException.class);
    }
}
