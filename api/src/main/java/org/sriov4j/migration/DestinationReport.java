package org.sriov4j.migration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of {@link MigrationHost#checkDestination(DeviceProfile, DestinationOptions)}.
 *
 * @param profile the profile checked
 * @param options the options used
 * @param backend the destination's backend id; empty if none is available
 * @param freeVfs how many VFs were candidates (free and matching the pool)
 * @param chosen the VF chosen (the first candidate that fits, preferring the profile's NUMA node, then address order);
 *     empty if none fits
 * @param candidates the candidates reported: the chosen one first when there is one, else the nearest refused ones
 *     (fewest refusing findings, then fewest unverified), at most {@link DestinationOptions#nearest()}
 */
public record DestinationReport(DeviceProfile profile, DestinationOptions options, Optional<String> backend,
        int freeVfs, Optional<Candidate> chosen, List<Candidate> candidates) {

    /**
     * Checks the fields and copies the list.
     *
     * @param profile the profile
     * @param options the options
     * @param backend the backend
     * @param freeVfs candidates considered
     * @param chosen the chosen VF
     * @param candidates reported candidates
     * @throws NullPointerException if a field is null
     */
    public DestinationReport {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(chosen, "chosen");
        candidates = List.copyOf(candidates);
    }

    /**
     * Whether a VF fits.
     *
     * @return true if one was chosen
     */
    public boolean fits() {
        return chosen.isPresent();
    }
}
