package org.sriov4j;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a lease is taken ({@link SriovHost#lease(PciAddress, String, LeaseOptions)},
 * {@link VfPool#lease(String, LeaseOptions)}): what keeps it alive, the VF network identity it applies, and the
 * guest's VF driver to check against the PF's driver before anything changes. Immutable.
 *
 * <pre>{@code
 * LeaseOptions options = LeaseOptions.builder()
 *         .holder(LeaseHolder.process(qemu.pid()))                        // ends when QEMU exits
 *         .net(VfNetConfig.builder().mac(MacAddress.parse("02:00:00:00:00:2a")).vlan(100).build())
 *         .guestVfDriver(GuestVfDriver.parse("igbvf:6.12.118"))          // judged by the vendor's matrix
 *         .build();
 * try (Lease lease = host.lease(vf, "vm-42", options)) {
 *     lease.compatibility().ifPresent(v -> log.info(v.toString()));     // COMPATIBLE, or UNKNOWN (reported)
 * }
 * }</pre>
 *
 * <p>Defaults ({@link #defaults()}): held by the process that takes it ({@link LeaseHolder#taker()}), the VF's network
 * settings left as they are, no driver compatibility check, not strict.
 *
 * @param holder what keeps the lease alive (see {@link SriovHost#lease(PciAddress, String, LeaseHolder)})
 * @param net the VF network identity applied before the lease is returned, with spoof checking on and trust off
 *     unless it says otherwise (see {@link SriovHost#lease(PciAddress, String, VfNetConfig)}); empty: the VF's
 *     settings are not touched
 * @param guestVfDriver the VF driver and version the guest runs; when given, the PF's vendor compatibility matrix
 *     judges it before anything changes: {@link DriverCompatibility#INCOMPATIBLE} refuses the lease
 *     ({@link IncompatibleVfDriverException}), {@link DriverCompatibility#UNKNOWN} is reported
 *     ({@link Lease#compatibility()}, a {@link SriovEvent.DriverChecked} event and a warning in the log) and
 *     refuses only when {@code strictCompatibility}; empty: no check
 * @param strictCompatibility whether an UNKNOWN verdict refuses the lease too
 */
public record LeaseOptions(LeaseHolder holder, Optional<VfNetConfig> net, Optional<GuestVfDriver> guestVfDriver,
        boolean strictCompatibility) {

    private static final LeaseOptions DEFAULTS = new LeaseOptions(LeaseHolder.taker(), Optional.empty(),
            Optional.empty(), false);

    /**
     * Checks the values.
     *
     * @param holder what keeps the lease alive
     * @param net the network identity to apply
     * @param guestVfDriver the guest's VF driver
     * @param strictCompatibility whether UNKNOWN refuses
     * @throws NullPointerException if a value is null
     * @throws IllegalArgumentException if {@code strictCompatibility} is set without a guest VF driver (there would
     *     be nothing to be strict about)
     */
    public LeaseOptions {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(guestVfDriver, "guestVfDriver");
        if (strictCompatibility && guestVfDriver.isEmpty()) {
            throw new IllegalArgumentException("strict driver compatibility needs the guest's VF driver");
        }
    }

    /**
     * The defaults: held by the taker, network settings untouched, no driver check.
     *
     * @return the default options
     */
    public static LeaseOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder with the {@linkplain #defaults() defaults}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from these options.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.holder = holder;
        b.net = net.orElse(null);
        b.guestVfDriver = guestVfDriver.orElse(null);
        b.strictCompatibility = strictCompatibility;
        return b;
    }

    /** Builds {@link LeaseOptions}. Not thread-safe. */
    public static final class Builder {
        private LeaseHolder holder = LeaseHolder.taker();
        private @Nullable VfNetConfig net;
        private @Nullable GuestVfDriver guestVfDriver;
        private boolean strictCompatibility;

        private Builder() {
        }

        /**
         * What keeps the lease alive. Default {@link LeaseHolder#taker()}.
         *
         * @param h the holder
         * @return this builder
         */
        public Builder holder(LeaseHolder h) {
            this.holder = Objects.requireNonNull(h, "holder");
            return this;
        }

        /**
         * The VF network identity to apply before the lease is returned (the settings before it are saved in the
         * ledger and restored when the lease ends). Default: none, the VF's settings are not touched.
         *
         * @param config the settings; {@link VfNetConfig#none()} applies only the secure defaults (spoof checking
         *     on, trust off)
         * @return this builder
         */
        public Builder net(VfNetConfig config) {
            this.net = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The VF driver and version the guest runs, judged by the PF's vendor compatibility matrix before anything
         * changes. Default: none, no check.
         *
         * @param driver the guest's driver
         * @return this builder
         */
        public Builder guestVfDriver(GuestVfDriver driver) {
            this.guestVfDriver = Objects.requireNonNull(driver, "driver");
            return this;
        }

        /**
         * Whether an {@link DriverCompatibility#UNKNOWN} verdict refuses the lease as INCOMPATIBLE does. Default
         * false: UNKNOWN is reported, not refused.
         *
         * @param on strict
         * @return this builder
         */
        public Builder strictCompatibility(boolean on) {
            this.strictCompatibility = on;
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the options
         * @throws IllegalArgumentException if strict compatibility is set without a guest VF driver
         */
        public LeaseOptions build() {
            return new LeaseOptions(holder, Optional.ofNullable(net), Optional.ofNullable(guestVfDriver),
                    strictCompatibility);
        }
    }
}
