package org.sriov4j;

import java.util.Objects;
import java.util.Optional;

/**
 * A compatibility matrix's answer for a guest's VF driver on one PF.
 *
 * @param result the answer
 * @param pfDriver the PF's driver as judged, e.g. {@code igb 6.12.118 (in-tree)}
 * @param vfDriver the guest's VF driver, e.g. {@code igbvf:6.12.118}
 * @param matrix the matrix that answered (its id, e.g. {@code intel-igb}); empty when no matrix covers the PF
 * @param reason why: the matching entry's note, or why nothing matched
 * @param source where the matching entry comes from (the vendor's citation); empty when no entry matched
 */
public record CompatibilityVerdict(DriverCompatibility result, String pfDriver, String vfDriver,
        Optional<String> matrix, String reason, Optional<String> source) {

    /**
     * Checks the fields.
     *
     * @param result the answer
     * @param pfDriver the PF driver
     * @param vfDriver the VF driver
     * @param matrix the matrix id
     * @param reason why
     * @param source the citation
     * @throws NullPointerException if a field is null
     */
    public CompatibilityVerdict {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(pfDriver, "pfDriver");
        Objects.requireNonNull(vfDriver, "vfDriver");
        Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Whether this verdict refuses.
     *
     * @param strict whether UNKNOWN refuses
     * @return true for INCOMPATIBLE, and UNKNOWN when strict
     */
    public boolean refuses(boolean strict) {
        return result == DriverCompatibility.INCOMPATIBLE || strict && result == DriverCompatibility.UNKNOWN;
    }

    @Override
    public String toString() {
        return vfDriver + " on " + pfDriver + ": " + result + " (" + reason + matrix.map(m -> "; matrix " + m).orElse("")
                + source.map(s -> "; source: " + s).orElse("") + ")";
    }
}
