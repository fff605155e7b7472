package org.sriov4j;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How {@link SriovHost#enableVfs(PciAddress, int, VfEnableOptions)} enables VFs. Immutable; build one with
 * {@link #builder()}.
 *
 * <pre>{@code
 * // VFs that no host driver ever touches: they stay unbound, ready for vfio-pci or pciback
 * host.enableVfs(pf, 4, VfEnableOptions.builder().driversAutoprobe(false).build());
 * }</pre>
 */
public final class VfEnableOptions {

    /** The default bound on each blocking kernel write and on the wait for the VFs to appear: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final VfEnableOptions DEFAULTS = builder().build();

    private final @Nullable Boolean driversAutoprobe;
    private final Duration timeout;

    private VfEnableOptions(Builder b) {
        this.driversAutoprobe = b.driversAutoprobe;
        this.timeout = b.timeout;
    }

    /**
     * The options with every default: autoprobe left as the PF has it, a 30 second timeout.
     *
     * @return the default options
     */
    public static VfEnableOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder with every default set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The value to write to the PF's {@code sriov_drivers_autoprobe} before the VFs are created; empty to leave it
     * as it is. {@code false} keeps every host driver away from the new VFs (a VF whose {@code driver_override} is
     * set still probes that driver).
     *
     * @return the autoprobe setting to apply, if any
     */
    public Optional<Boolean> driversAutoprobe() {
        return Optional.ofNullable(driversAutoprobe);
    }

    /**
     * The bound on each blocking write to {@code sriov_numvfs} and on the wait for the kernel's {@code virtfnN}
     * and {@code physfn} links.
     *
     * @return the timeout, positive
     */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof VfEnableOptions other && Objects.equals(driversAutoprobe, other.driversAutoprobe)
                && timeout.equals(other.timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(driversAutoprobe, timeout);
    }

    @Override
    public String toString() {
        return "VfEnableOptions[driversAutoprobe=" + (driversAutoprobe == null ? "unchanged" : driversAutoprobe)
                + ", timeout=" + timeout + "]";
    }

    /** Builds {@link VfEnableOptions}. Not thread-safe. */
    public static final class Builder {
        private @Nullable Boolean driversAutoprobe;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /**
         * Sets {@code sriov_drivers_autoprobe} before enabling.
         *
         * @param autoprobe {@code false}: new VFs stay unbound; {@code true}: host VF drivers probe them
         * @return this builder
         */
        public Builder driversAutoprobe(boolean autoprobe) {
            this.driversAutoprobe = autoprobe;
            return this;
        }

        /**
         * Sets the timeout.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         */
        public VfEnableOptions build() {
            return new VfEnableOptions(this);
        }
    }
}
