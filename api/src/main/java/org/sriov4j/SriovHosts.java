package org.sriov4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Helpers of {@link SriovHost}'s default methods. */
final class SriovHosts {

    private SriovHosts() {
    }

    /**
     * Checks that no function is named twice.
     *
     * @param functions the functions
     * @throws IllegalArgumentException naming the first one named twice
     */
    static void checkDistinct(List<PciAddress> functions) {
        Objects.requireNonNull(functions, "functions");
        HashSet<PciAddress> seen = new HashSet<>();
        for (PciAddress f : functions) {
            if (!seen.add(Objects.requireNonNull(f, "function"))) {
                throw new IllegalArgumentException(f + " is named twice");
            }
        }
    }

    /** One single call per function, each failure an outcome. */
    static List<FunctionOutcome> each(List<PciAddress> functions, Function<PciAddress, PciFunction> change) {
        checkDistinct(functions);
        List<FunctionOutcome> out = new ArrayList<>(functions.size());
        for (PciAddress f : functions) {
            try {
                out.add(FunctionOutcome.succeeded(change.apply(f)));
            } catch (SriovException e) {
                out.add(FunctionOutcome.failed(f, e));
            }
        }
        return List.copyOf(out);
    }
}
