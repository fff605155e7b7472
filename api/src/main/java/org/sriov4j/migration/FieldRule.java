package org.sriov4j.migration;

/** How the destination check treats one field of a {@link DeviceProfile} ({@link ProfileRules}). */
public enum FieldRule {
    /**
     * The destination's VF must have the same value: a difference refuses the candidate; a value unknown on either
     * side is reported as unverified (refused only by a {@linkplain DestinationOptions#strict() strict} check).
     */
    MUST_MATCH,
    /**
     * The destination applies the profile's value to the VF it chooses (network settings): the candidate is refused
     * only if the value cannot be applied there.
     */
    CARRIED_OVER,
    /** Not compared (host-specific: BDF, IOMMU group; NUMA node unless pinned). Differences are only reported. */
    IGNORED
}
