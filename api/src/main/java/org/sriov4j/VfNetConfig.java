package org.sriov4j;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The network identity of a VF as its PF sets it (the settings of {@code ip link set PF vf N ...}): MAC, VLAN (id,
 * QoS priority, protocol), spoof checking, trust, link state and the minimum and maximum transmit rate. Immutable.
 *
 * <p>A value holds only the settings it was given: as a change ({@link SriovHost#configureVf(PciAddress, VfNetConfig)},
 * a lease's configuration) only those are changed and every other setting of the VF stays as it is; as what was read
 * ({@link SriovHost#vfNetConfig(PciAddress)}) it holds every setting the PF driver reports.
 *
 * <pre>{@code
 * VfNetConfig net = VfNetConfig.builder()
 *         .mac(MacAddress.parse("02:00:00:00:00:2a"))
 *         .vlan(100, 3)                 // VLAN 100, priority 3, 802.1Q
 *         .build();                     // spoof checking and trust left as they are
 * }</pre>
 *
 * <p>The builder checks every value before anything reaches the kernel: VLAN id 0 to 4095 (0: no VLAN), QoS 0 to 7,
 * a unicast MAC or {@link MacAddress#ZERO} (which clears an administratively set MAC), rates 0 or more in Mbps (0:
 * no limit), and a minimum rate not above a non-zero maximum.
 */
public final class VfNetConfig {

    /** One setting of a VF, as the kernel applies it (one attribute of {@code IFLA_VF_INFO}, rates apart). */
    public enum Setting {
        /** The MAC address ({@code IFLA_VF_MAC}). */
        MAC("mac"),
        /** VLAN id, QoS priority and protocol, set together ({@code IFLA_VF_VLAN_LIST}). */
        VLAN("vlan"),
        /** Spoof checking ({@code IFLA_VF_SPOOFCHK}). */
        SPOOF_CHECK("spoofchk"),
        /** Trust: the VF may change its own MAC and enter promiscuous mode ({@code IFLA_VF_TRUST}). */
        TRUST("trust"),
        /** The link state the VF sees ({@code IFLA_VF_LINK_STATE}). */
        LINK_STATE("state"),
        /** The minimum transmit rate ({@code IFLA_VF_RATE}, set together with the maximum). */
        MIN_TX_RATE("min_tx_rate"),
        /** The maximum transmit rate ({@code IFLA_VF_RATE}, set together with the minimum). */
        MAX_TX_RATE("max_tx_rate");

        private final String ipName;

        Setting(String ipName) {
            this.ipName = ipName;
        }

        /**
         * The setting's name in {@code ip link set DEV vf N ...}.
         *
         * @return e.g. {@code spoofchk}
         */
        public String ipName() {
            return ipName;
        }
    }

    /** The VLAN protocol (the tag's ethertype). */
    public enum VlanProtocol {
        /** 802.1Q ({@code 0x8100}): the default. */
        IEEE_802_1Q(0x8100, "802.1Q"),
        /** 802.1ad ({@code 0x88a8}, QinQ). */
        IEEE_802_1AD(0x88a8, "802.1ad");

        private final int ethertype;
        private final String label;

        VlanProtocol(int ethertype, String label) {
            this.ethertype = ethertype;
            this.label = label;
        }

        /**
         * The ethertype.
         *
         * @return {@code 0x8100} or {@code 0x88a8}
         */
        public int ethertype() {
            return ethertype;
        }

        /**
         * The name {@code ip link} uses.
         *
         * @return {@code 802.1Q} or {@code 802.1ad}
         */
        public String label() {
            return label;
        }

        /**
         * The protocol of an ethertype.
         *
         * @param ethertype {@code 0x8100} or {@code 0x88a8}
         * @return the protocol, or empty for another value
         */
        public static Optional<VlanProtocol> ofEthertype(int ethertype) {
            for (VlanProtocol p : values()) {
                if (p.ethertype == ethertype) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }

        /**
         * Parses {@code 802.1Q} or {@code 802.1ad} (either case).
         *
         * @param text the text
         * @return the protocol
         * @throws IllegalArgumentException for anything else
         */
        public static VlanProtocol parse(String text) {
            for (VlanProtocol p : values()) {
                if (p.label.equalsIgnoreCase(text)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("VLAN protocol must be 802.1Q or 802.1ad: \"" + text + "\"");
        }
    }

    /** The link state a VF sees. */
    public enum LinkState {
        /** The VF's link follows the PF's ({@code IFLA_VF_LINK_STATE_AUTO}, 0): the default. */
        AUTO,
        /** Always up, even when the PF's link is down ({@code IFLA_VF_LINK_STATE_ENABLE}, 1). */
        ENABLE,
        /** Always down ({@code IFLA_VF_LINK_STATE_DISABLE}, 2). */
        DISABLE
    }

    /**
     * A VF's VLAN: the tag the PF inserts on its transmitted frames and strips from received ones.
     *
     * @param id the VLAN id, 0 to 4095; 0 with QoS 0 means no VLAN
     * @param qos the 802.1p priority, 0 to 7
     * @param protocol the tag's protocol
     */
    public record Vlan(int id, int qos, VlanProtocol protocol) {

        /** No VLAN: id 0, QoS 0, 802.1Q. */
        public static final Vlan NONE = new Vlan(0, 0, VlanProtocol.IEEE_802_1Q);

        /**
         * Checks the values.
         *
         * @param id the VLAN id, 0 to 4095
         * @param qos the priority, 0 to 7
         * @param protocol the protocol
         * @throws IllegalArgumentException if the id or QoS is out of range
         */
        public Vlan {
            if (id < 0 || id > 4095) {
                throw new IllegalArgumentException("VLAN id must be 0 to 4095: " + id);
            }
            if (qos < 0 || qos > 7) {
                throw new IllegalArgumentException("VLAN QoS must be 0 to 7: " + qos);
            }
            Objects.requireNonNull(protocol, "protocol");
        }
    }

    private final @Nullable MacAddress mac;
    private final @Nullable Vlan vlan;
    private final @Nullable Boolean spoofCheck;
    private final @Nullable Boolean trust;
    private final @Nullable LinkState linkState;
    private final @Nullable Integer minTxRate;
    private final @Nullable Integer maxTxRate;

    private VfNetConfig(Builder b) {
        this.mac = b.mac;
        this.vlan = b.vlan;
        this.spoofCheck = b.spoofCheck;
        this.trust = b.trust;
        this.linkState = b.linkState;
        this.minTxRate = b.minTxRate;
        this.maxTxRate = b.maxTxRate;
    }

    /**
     * A builder with no setting.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from this value's settings.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mac = mac;
        b.vlan = vlan;
        b.spoofCheck = spoofCheck;
        b.trust = trust;
        b.linkState = linkState;
        b.minTxRate = minTxRate;
        b.maxTxRate = maxTxRate;
        return b;
    }

    /**
     * No setting: a change that changes nothing.
     *
     * @return the empty value
     */
    public static VfNetConfig none() {
        return EMPTY;
    }

    private static final VfNetConfig EMPTY = new Builder().build();

    /**
     * This value with the secure defaults for a guest where it says nothing: spoof checking on (the guest cannot send
     * frames with another source MAC) and trust off (it cannot change its MAC or enter promiscuous mode). A lease that
     * carries a configuration applies it with these defaults.
     *
     * @return a value with {@link #spoofCheck()} and {@link #trust()} present
     */
    public VfNetConfig withSecureDefaults() {
        Builder b = toBuilder();
        if (spoofCheck == null) {
            b.spoofCheck(true);
        }
        if (trust == null) {
            b.trust(false);
        }
        return b.build();
    }

    /**
     * The MAC address.
     *
     * @return it, if this value has it
     */
    public Optional<MacAddress> mac() {
        return Optional.ofNullable(mac);
    }

    /**
     * The VLAN.
     *
     * @return it, if this value has it
     */
    public Optional<Vlan> vlan() {
        return Optional.ofNullable(vlan);
    }

    /**
     * Spoof checking.
     *
     * @return true if on, if this value has it
     */
    public Optional<Boolean> spoofCheck() {
        return Optional.ofNullable(spoofCheck);
    }

    /**
     * Trust.
     *
     * @return true if trusted, if this value has it
     */
    public Optional<Boolean> trust() {
        return Optional.ofNullable(trust);
    }

    /**
     * The link state.
     *
     * @return it, if this value has it
     */
    public Optional<LinkState> linkState() {
        return Optional.ofNullable(linkState);
    }

    /**
     * The minimum transmit rate in Mbps (0: none).
     *
     * @return it, if this value has it
     */
    public OptionalInt minTxRateMbps() {
        return minTxRate == null ? OptionalInt.empty() : OptionalInt.of(minTxRate);
    }

    /**
     * The maximum transmit rate in Mbps (0: no limit).
     *
     * @return it, if this value has it
     */
    public OptionalInt maxTxRateMbps() {
        return maxTxRate == null ? OptionalInt.empty() : OptionalInt.of(maxTxRate);
    }

    /**
     * The settings this value has.
     *
     * @return a new set, in {@link Setting} order
     */
    public Set<Setting> settings() {
        EnumSet<Setting> s = EnumSet.noneOf(Setting.class);
        if (mac != null) {
            s.add(Setting.MAC);
        }
        if (vlan != null) {
            s.add(Setting.VLAN);
        }
        if (spoofCheck != null) {
            s.add(Setting.SPOOF_CHECK);
        }
        if (trust != null) {
            s.add(Setting.TRUST);
        }
        if (linkState != null) {
            s.add(Setting.LINK_STATE);
        }
        if (minTxRate != null) {
            s.add(Setting.MIN_TX_RATE);
        }
        if (maxTxRate != null) {
            s.add(Setting.MAX_TX_RATE);
        }
        return s;
    }

    /**
     * Whether this value has no setting.
     *
     * @return true if it changes nothing
     */
    public boolean isEmpty() {
        return settings().isEmpty();
    }

    /**
     * This value's settings, and {@code other}'s where this value has none.
     *
     * @param other the settings to fall back on
     * @return the combined value
     */
    public VfNetConfig orElse(VfNetConfig other) {
        Builder b = other.toBuilder();
        if (mac != null) {
            b.mac = mac;
        }
        if (vlan != null) {
            b.vlan = vlan;
        }
        if (spoofCheck != null) {
            b.spoofCheck = spoofCheck;
        }
        if (trust != null) {
            b.trust = trust;
        }
        if (linkState != null) {
            b.linkState = linkState;
        }
        if (minTxRate != null) {
            b.minTxRate = minTxRate;
        }
        if (maxTxRate != null) {
            b.maxTxRate = maxTxRate;
        }
        return b.build();
    }

    /**
     * Only the given settings of this value.
     *
     * @param keep the settings to keep
     * @return a value with at most those settings
     */
    public VfNetConfig only(Set<Setting> keep) {
        Builder b = new Builder();
        b.mac = keep.contains(Setting.MAC) ? mac : null;
        b.vlan = keep.contains(Setting.VLAN) ? vlan : null;
        b.spoofCheck = keep.contains(Setting.SPOOF_CHECK) ? spoofCheck : null;
        b.trust = keep.contains(Setting.TRUST) ? trust : null;
        b.linkState = keep.contains(Setting.LINK_STATE) ? linkState : null;
        b.minTxRate = keep.contains(Setting.MIN_TX_RATE) ? minTxRate : null;
        b.maxTxRate = keep.contains(Setting.MAX_TX_RATE) ? maxTxRate : null;
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VfNetConfig c && Objects.equals(mac, c.mac) && Objects.equals(vlan, c.vlan)
                && Objects.equals(spoofCheck, c.spoofCheck) && Objects.equals(trust, c.trust)
                && linkState == c.linkState && Objects.equals(minTxRate, c.minTxRate)
                && Objects.equals(maxTxRate, c.maxTxRate);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mac, vlan, spoofCheck, trust, linkState, minTxRate, maxTxRate);
    }

    /**
     * The settings in {@code ip link} words, e.g. {@code VfNetConfig[mac 02:00:00:00:00:2a, vlan 100 qos 3]}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(", ", "VfNetConfig[", "]");
        if (mac != null) {
            j.add("mac " + mac);
        }
        if (vlan != null) {
            j.add("vlan " + vlan.id() + " qos " + vlan.qos() + " proto " + vlan.protocol().label());
        }
        if (spoofCheck != null) {
            j.add("spoofchk " + (spoofCheck ? "on" : "off"));
        }
        if (trust != null) {
            j.add("trust " + (trust ? "on" : "off"));
        }
        if (linkState != null) {
            j.add("state " + linkState.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (minTxRate != null) {
            j.add("min_tx_rate " + minTxRate);
        }
        if (maxTxRate != null) {
            j.add("max_tx_rate " + maxTxRate);
        }
        return j.toString();
    }

    /** Builds a {@link VfNetConfig}; every method checks its value at once. Not thread-safe. */
    public static final class Builder {
        private @Nullable MacAddress mac;
        private @Nullable Vlan vlan;
        private @Nullable Boolean spoofCheck;
        private @Nullable Boolean trust;
        private @Nullable LinkState linkState;
        private @Nullable Integer minTxRate;
        private @Nullable Integer maxTxRate;

        private Builder() {
        }

        /**
         * Sets the MAC address.
         *
         * @param mac a unicast address, or {@link MacAddress#ZERO} to clear an administratively set MAC
         * @return this builder
         * @throws IllegalArgumentException if {@code mac} is a multicast or broadcast address
         */
        public Builder mac(MacAddress mac) {
            Objects.requireNonNull(mac, "mac");
            if (!mac.isZero() && !mac.isUnicast()) {
                throw new IllegalArgumentException("a VF's MAC must be unicast (or 00:00:00:00:00:00 to clear it): "
                        + mac);
            }
            this.mac = mac;
            return this;
        }

        /**
         * Sets the VLAN, QoS 0, 802.1Q.
         *
         * @param id 0 to 4095; 0 removes the VLAN
         * @return this builder
         * @throws IllegalArgumentException if {@code id} is out of range
         */
        public Builder vlan(int id) {
            return vlan(new Vlan(id, 0, VlanProtocol.IEEE_802_1Q));
        }

        /**
         * Sets the VLAN and its priority, 802.1Q.
         *
         * @param id 0 to 4095
         * @param qos 0 to 7
         * @return this builder
         * @throws IllegalArgumentException if a value is out of range
         */
        public Builder vlan(int id, int qos) {
            return vlan(new Vlan(id, qos, VlanProtocol.IEEE_802_1Q));
        }

        /**
         * Sets the VLAN ({@link Vlan#NONE} removes it).
         *
         * @param vlan the VLAN
         * @return this builder
         */
        public Builder vlan(Vlan vlan) {
            this.vlan = Objects.requireNonNull(vlan, "vlan");
            return this;
        }

        /**
         * Sets spoof checking.
         *
         * @param on true to drop frames whose source MAC is not the VF's
         * @return this builder
         */
        public Builder spoofCheck(boolean on) {
            this.spoofCheck = on;
            return this;
        }

        /**
         * Sets trust.
         *
         * @param on true to let the VF change its MAC and enter promiscuous mode
         * @return this builder
         */
        public Builder trust(boolean on) {
            this.trust = on;
            return this;
        }

        /**
         * Sets the link state.
         *
         * @param state the state
         * @return this builder
         */
        public Builder linkState(LinkState state) {
            this.linkState = Objects.requireNonNull(state, "state");
            return this;
        }

        /**
         * Sets the minimum transmit rate.
         *
         * @param mbps 0 (none) or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder minTxRateMbps(int mbps) {
            this.minTxRate = rate("minimum", mbps);
            return this;
        }

        /**
         * Sets the maximum transmit rate.
         *
         * @param mbps 0 (no limit) or more
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder maxTxRateMbps(int mbps) {
            this.maxTxRate = rate("maximum", mbps);
            return this;
        }

        private static int rate(String which, int mbps) {
            if (mbps < 0) {
                throw new IllegalArgumentException(which + " transmit rate must be 0 or more Mbps: " + mbps);
            }
            return mbps;
        }

        /**
         * Builds the value.
         *
         * @return the value
         * @throws IllegalArgumentException if both rates are given and the minimum is above a non-zero maximum
         */
        public VfNetConfig build() {
            if (minTxRate != null && maxTxRate != null && maxTxRate != 0 && minTxRate > maxTxRate) {
                throw new IllegalArgumentException("minimum transmit rate " + minTxRate
                        + " Mbps is above the maximum " + maxTxRate + " Mbps");
            }
            return new VfNetConfig(this);
        }
    }
}
