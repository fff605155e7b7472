package org.sriov4j;

import java.util.Objects;

/**
 * A lease was refused because the PF's vendor compatibility matrix says the guest's VF driver does not work with the
 * PF's driver ({@link DriverCompatibility#INCOMPATIBLE}), or cannot say and the lease asked to be strict
 * ({@link DriverCompatibility#UNKNOWN} with {@link LeaseOptions#strictCompatibility()}). Nothing was changed: the
 * check runs before the function is detached or its settings are touched.
 */
public final class IncompatibleVfDriverException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The matrix's answer. */
    private final CompatibilityVerdict verdict;

    /**
     * Creates the exception.
     *
     * @param operation what was being done
     * @param device the function asked for
     * @param verdict the matrix's answer
     * @param strict whether the lease was strict (UNKNOWN refused)
     */
    public IncompatibleVfDriverException(String operation, PciAddress device, CompatibilityVerdict verdict,
            boolean strict) {
        super(operation, device, null, null, "the guest's VF driver " + verdict + (strict
                && verdict.result() == DriverCompatibility.UNKNOWN ? "; refused: strict compatibility" : "")
                + "; nothing was changed", null);
        this.verdict = Objects.requireNonNull(verdict, "verdict");
    }

    /**
     * The matrix's answer that refused the lease.
     *
     * @return the verdict
     */
    public CompatibilityVerdict verdict() {
        return verdict;
    }
}
