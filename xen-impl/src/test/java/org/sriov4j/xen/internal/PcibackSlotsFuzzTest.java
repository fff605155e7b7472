package org.sriov4j.xen.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.List;
import org.sriov4j.PciAddress;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: the parser of pciback's {@code slots} attribute (and of {@code xl pci-list}/{@code
 * pci-assignable-list} output), {@link XlToolstack#addresses(String)}, reads any text without throwing and returns
 * only addresses that appear in it. See {@link Fuzzing}.
 */
class PcibackSlotsFuzzTest {

    @FuzzTest
    void addresses(@NotNull String text) throws Throwable {
        Fuzzing.only(() -> {
            List<PciAddress> found = XlToolstack.addresses(text);
            for (PciAddress a : found) {
                String bus = String.format("%02x:%02x.%d", a.bus(), a.device(), a.function());
                if (!text.toLowerCase(java.util.Locale.ROOT).contains(bus)) {
                    throw new AssertionError(a + " is not in \"" + text + "\"");
                }
            }
        });
    }
}
