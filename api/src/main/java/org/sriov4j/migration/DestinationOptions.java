package org.sriov4j.migration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.VfSelector;
import org.sriov4j.GuestVfDriver;

/**
 * How {@link MigrationHost#checkDestination(DeviceProfile, DestinationOptions)} looks for a VF. Immutable;
 * {@link #defaults()}: every free VF, not strict, no guest driver stated, NUMA ignored, the default rules, the 3
 * nearest refused candidates reported.
 *
 * <pre>{@code
 * DestinationOptions o = DestinationOptions.builder()
 *         .pool(VfSelector.parse("0000:01:00.0#0-3"))
 *         .guestVfDriver(GuestVfDriver.parse("igbvf:6.12.118"))
 *         .strict(true)
 *         .build();
 * }</pre>
 *
 * @param pool the selectors a candidate must match (any of them); empty: every VF
 * @param strict whether unverified fields and an UNKNOWN driver compatibility refuse a candidate
 * @param guestVfDriver the guest's VF driver, checked against each candidate's PF through the vendor's matrix; empty:
 *     not checked
 * @param pinNuma whether the NUMA node must match ({@code source.numaNode} becomes MUST_MATCH)
 * @param rules the rules (a vendor plugin's own rules for a candidate's PF are applied on top)
 * @param nearest how many refused candidates to report when none fits
 */
public record DestinationOptions(List<VfSelector> pool, boolean strict, Optional<GuestVfDriver> guestVfDriver,
        boolean pinNuma, ProfileRules rules, int nearest) {

    /**
     * Checks the fields.
     *
     * @param pool selectors
     * @param strict strict
     * @param guestVfDriver guest driver
     * @param pinNuma NUMA pinned
     * @param rules rules
     * @param nearest reported refused candidates, 0 or more
     * @throws IllegalArgumentException if {@code nearest} is negative
     */
    public DestinationOptions {
        pool = List.copyOf(pool);
        Objects.requireNonNull(guestVfDriver, "guestVfDriver");
        Objects.requireNonNull(rules, "rules");
        if (nearest < 0) {
            throw new IllegalArgumentException("nearest must be 0 or more: " + nearest);
        }
    }

    /**
     * The defaults.
     *
     * @return every free VF, not strict, no guest driver, NUMA ignored, default rules, 3 nearest
     */
    public static DestinationOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link DestinationOptions}. */
    public static final class Builder {
        private List<VfSelector> pool = List.of();
        private boolean strict;
        private @Nullable GuestVfDriver guestVfDriver;
        private boolean pinNuma;
        private ProfileRules rules = ProfileRules.defaults();
        private int nearest = 3;

        private Builder() {
        }

        /**
         * Only VFs matching one of these selectors are candidates. Default: every VF.
         *
         * @param selectors the selectors
         * @return this builder
         */
        public Builder pool(VfSelector... selectors) {
            this.pool = List.of(selectors);
            return this;
        }

        /**
         * Unverified fields and UNKNOWN compatibility refuse. Default false.
         *
         * @param on strict
         * @return this builder
         */
        public Builder strict(boolean on) {
            this.strict = on;
            return this;
        }

        /**
         * The guest's VF driver, judged by the compatibility matrix. Default: none (not checked).
         *
         * @param driver the driver
         * @return this builder
         */
        public Builder guestVfDriver(GuestVfDriver driver) {
            this.guestVfDriver = Objects.requireNonNull(driver, "driver");
            return this;
        }

        /**
         * The NUMA node must match. Default false.
         *
         * @param on pinned
         * @return this builder
         */
        public Builder pinNuma(boolean on) {
            this.pinNuma = on;
            return this;
        }

        /**
         * The rules. Default {@link ProfileRules#defaults()}.
         *
         * @param r the rules
         * @return this builder
         */
        public Builder rules(ProfileRules r) {
            this.rules = Objects.requireNonNull(r, "rules");
            return this;
        }

        /**
         * How many refused candidates to report. Default 3.
         *
         * @param n 0 or more
         * @return this builder
         */
        public Builder nearest(int n) {
            this.nearest = n;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if {@code nearest} is negative
         */
        public DestinationOptions build() {
            return new DestinationOptions(pool, strict, Optional.ofNullable(guestVfDriver), pinNuma, rules, nearest);
        }
    }
}
