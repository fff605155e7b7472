package org.sriov4j.cli;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfNetConfigException;
import org.sriov4j.VfStats;

/** The VF network settings on the command line: {@code vf-config}, the options of {@code lease}, key {@code net}. */
final class VfNetCli {

    /** Every VF setting option ({@code vf-config}). */
    static final Set<String> ALL = Set.of("--mac", "--vlan", "--vlan-proto", "--spoofchk", "--trust",
            "--link-state", "--min-tx-rate", "--max-tx-rate");
    /** The options {@code lease} takes. */
    static final Set<String> LEASE = Set.of("--mac", "--vlan", "--spoofchk", "--trust");

    private VfNetCli() {
    }

    /** Collects VF setting options; checks every value before anything is done. */
    static final class Options {
        private final Set<String> allowed;
        private final VfNetConfig.Builder builder = VfNetConfig.builder();
        private int vlan = -1;
        private int qos;
        private VfNetConfig.@Nullable VlanProtocol proto;
        private boolean any;

        Options(Set<String> allowed) {
            this.allowed = allowed;
        }

        /**
         * Takes option {@code a} and its value from {@code args} if it is one of the allowed ones.
         *
         * @return whether it was taken
         * @throws UsageException on a missing or bad value (exit 2)
         */
        boolean take(String a, Deque<String> args) {
            if (!allowed.contains(a)) {
                return false;
            }
            if (args.isEmpty()) {
                throw new UsageException(a + " needs a value");
            }
            String v = args.removeFirst();
            any = true;
            try {
                switch (a) {
                    case "--mac" -> builder.mac(MacAddress.parse(v));
                    case "--vlan" -> {
                        int colon = v.indexOf(':');
                        vlan = number(a + " ID", colon < 0 ? v : v.substring(0, colon), 4095, v);
                        qos = colon < 0 ? 0 : number(a + " QoS", v.substring(colon + 1), 7, v);
                    }
                    case "--vlan-proto" -> proto = VfNetConfig.VlanProtocol.parse(v);
                    case "--spoofchk" -> builder.spoofCheck(onOff(a, v));
                    case "--trust" -> builder.trust(onOff(a, v));
                    case "--link-state" -> builder.linkState(switch (v) {
                        case "auto" -> VfNetConfig.LinkState.AUTO;
                        case "enable" -> VfNetConfig.LinkState.ENABLE;
                        case "disable" -> VfNetConfig.LinkState.DISABLE;
                        default -> throw new UsageException(a + " must be auto, enable or disable: '" + v + "'");
                    });
                    case "--min-tx-rate" -> builder.minTxRateMbps(number(a, v, Integer.MAX_VALUE, v));
                    case "--max-tx-rate" -> builder.maxTxRateMbps(number(a, v, Integer.MAX_VALUE, v));
                    default -> throw new IllegalStateException(a);
                }
            } catch (IllegalArgumentException e) { // MacAddress.parse, VlanProtocol.parse, the builder's checks
                throw new UsageException(a + ": " + e.getMessage());
            }
            return true;
        }

        boolean any() {
            return any;
        }

        /**
         * The settings given.
         *
         * @throws UsageException if they do not go together (exit 2)
         */
        VfNetConfig build() {
            if (proto != null && vlan < 0) {
                throw new UsageException("--vlan-proto needs --vlan");
            }
            if (vlan >= 0) {
                builder.vlan(new VfNetConfig.Vlan(vlan, qos, proto == null ? VfNetConfig.VlanProtocol.IEEE_802_1Q
                        : proto));
            }
            try {
                return builder.build();
            } catch (IllegalArgumentException e) {
                throw new UsageException(String.valueOf(e.getMessage()));
            }
        }
    }

    private static int number(String option, String v, int max, String given) {
        if (v.isEmpty() || v.length() > 10 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new UsageException(option + " must be a number: '" + given + "'");
        }
        long n = Long.parseLong(v);
        if (n > max) {
            throw new UsageException(option + " must be 0 to " + max + ": '" + given + "'");
        }
        return (int) n;
    }

    private static boolean onOff(String option, String v) {
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new UsageException(option + " must be on or off: '" + v + "'");
        };
    }

    /** {@code vf-config BDF [settings] [--json]}. */
    static int run(SriovConfig config, List<String> rest, Function<SriovConfig, SriovHost> opener, PrintStream out) {
        Deque<String> args = new ArrayDeque<>(rest);
        Options options = new Options(ALL);
        boolean json = false;
        List<String> positional = new ArrayList<>();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            if (a.equals("--json")) {
                json = true;
            } else if (!options.take(a, args)) {
                if (a.startsWith("-")) {
                    throw new UsageException("unknown option '" + a + "'");
                }
                positional.add(a);
            }
        }
        if (positional.size() != 1) {
            throw new UsageException("usage: vf-config BDF [--mac MAC] [--vlan ID[:QOS]] [--vlan-proto 802.1Q|802.1ad]"
                    + " [--spoofchk on|off] [--trust on|off] [--link-state auto|enable|disable]"
                    + " [--min-tx-rate MBPS] [--max-tx-rate MBPS] [--json]");
        }
        PciAddress vf;
        try {
            vf = PciAddress.parse(positional.get(0));
        } catch (PciAddressFormatException e) {
            throw new UsageException(String.valueOf(e.getMessage()));
        }
        VfNetConfig change = options.build();
        try (SriovHost host = opener.apply(config)) {
            VfNetConfig now = options.any() ? host.configureVf(vf, change) : host.vfNetConfig(vf);
            Optional<VfNetConfig> saved = host.savedVfNetConfig(vf);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", vf.toString());
                m.put("net", json(now, Optional.empty()));
                m.put("savedNetConfig", saved.map(s -> (Object) json(s, Optional.empty())).orElse(null));
                out.println(Json.write(m));
            } else {
                out.println(vf + ": " + text(now));
                saved.ifPresent(s -> out.println("  saved (restored by reattach/recover): " + text(s)));
            }
        }
        return Cli.OK;
    }

    /** The JSON object of a VF's settings (key {@code net} of {@code show}); absent settings are null. */
    static Map<String, Object> json(VfNetConfig c, Optional<VfStats> stats) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mac", c.mac().map(MacAddress::toString).orElse(null));
        m.put("vlan", c.vlan().map(VfNetConfig.Vlan::id).orElse(null));
        m.put("qos", c.vlan().map(VfNetConfig.Vlan::qos).orElse(null));
        m.put("vlanProtocol", c.vlan().map(v -> v.protocol().label()).orElse(null));
        m.put("spoofCheck", c.spoofCheck().orElse(null));
        m.put("trust", c.trust().orElse(null));
        m.put("linkState", c.linkState().map(s -> s.name().toLowerCase(Locale.ROOT)).orElse(null));
        m.put("minTxRateMbps", c.minTxRateMbps().isPresent() ? c.minTxRateMbps().getAsInt() : null);
        m.put("maxTxRateMbps", c.maxTxRateMbps().isPresent() ? c.maxTxRateMbps().getAsInt() : null);
        stats.ifPresent(s -> {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("rxPackets", s.rxPackets());
            sm.put("txPackets", s.txPackets());
            sm.put("rxBytes", s.rxBytes());
            sm.put("txBytes", s.txBytes());
            sm.put("broadcast", s.broadcast());
            sm.put("multicast", s.multicast());
            sm.put("rxDropped", s.rxDropped());
            sm.put("txDropped", s.txDropped());
            m.put("stats", sm);
        });
        return m;
    }

    /** The settings in {@code ip link} words. */
    static String text(VfNetConfig c) {
        List<String> parts = new ArrayList<>();
        c.mac().ifPresent(m -> parts.add("mac " + m));
        c.vlan().ifPresent(v -> parts.add(v.id() == 0 && v.qos() == 0 ? "no vlan" : "vlan " + v.id() + " qos "
                + v.qos() + (v.protocol() == VfNetConfig.VlanProtocol.IEEE_802_1Q ? "" : " proto "
                + v.protocol().label())));
        c.spoofCheck().ifPresent(v -> parts.add("spoof checking " + (v ? "on" : "off")));
        c.trust().ifPresent(v -> parts.add("trust " + (v ? "on" : "off")));
        c.linkState().ifPresent(v -> parts.add("link-state " + v.name().toLowerCase(Locale.ROOT)));
        c.minTxRateMbps().ifPresent(v -> parts.add("min_tx_rate " + v));
        c.maxTxRateMbps().ifPresent(v -> parts.add("max_tx_rate " + v));
        return String.join(", ", parts);
    }

    /**
     * A VF's settings and counters for {@code show}, when its PF has a netdev that describes it.
     *
     * @return the JSON object, or empty for a function that has none
     */
    static Optional<Map<String, Object>> forShow(SriovHost host, PciAddress f) {
        try {
            return Optional.of(json(host.vfNetConfig(f), Optional.of(host.vfStats(f))));
        } catch (VfNetConfigException e) {
            return Optional.empty(); // not a VF, or its PF has no netdev or no VF operations
        } catch (org.sriov4j.SriovException | LinkageError e) {
            return Optional.empty(); // no routing netlink here (or JNA cannot load): show the rest
        }
    }
}
