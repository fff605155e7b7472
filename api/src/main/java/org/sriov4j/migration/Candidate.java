package org.sriov4j.migration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sriov4j.PciAddress;
import org.sriov4j.CompatibilityVerdict;

/**
 * A free VF of the destination, with everything the check found about it.
 *
 * @param vf the VF
 * @param profile the VF's own profile on the destination
 * @param findings the fields that do not simply match, in schema order
 * @param compatibility the guest VF driver's compatibility with this VF's PF driver; empty when the guest's driver
 *     was not stated
 * @param fits whether the VF can take the guest's device (no refusing finding or verdict under the options used)
 */
public record Candidate(PciAddress vf, DeviceProfile profile, List<Finding> findings,
        Optional<CompatibilityVerdict> compatibility, boolean fits) {

    /**
     * Checks the fields and copies the list.
     *
     * @param vf the VF
     * @param profile its profile
     * @param findings the findings
     * @param compatibility the verdict
     * @param fits whether it fits
     * @throws NullPointerException if a field is null
     */
    public Candidate {
        Objects.requireNonNull(vf, "vf");
        Objects.requireNonNull(profile, "profile");
        findings = List.copyOf(findings);
        Objects.requireNonNull(compatibility, "compatibility");
    }

    /**
     * The findings with one outcome.
     *
     * @param outcome the outcome
     * @return those findings
     */
    public List<Finding> findings(Finding.Outcome outcome) {
        return findings.stream().filter(f -> f.outcome() == outcome).toList();
    }

    /**
     * The network settings carried over to this VF ({@link Finding.Outcome#APPLIED}), by field: those the destination
     * will set, and those the VF has already (detail "the destination VF has it already").
     *
     * @return the applied findings
     */
    public List<Finding> applied() {
        return findings(Finding.Outcome.APPLIED);
    }
}
