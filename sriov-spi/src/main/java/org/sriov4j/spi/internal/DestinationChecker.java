package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sriov4j.Assignment;
import org.sriov4j.BackendFeature;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovException;
import org.sriov4j.Topology;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VirtualFunction;
import org.sriov4j.migration.Candidate;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DestinationReport;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.migration.FieldRule;
import org.sriov4j.migration.Finding;
import org.sriov4j.migration.Finding.Outcome;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.migration.ProfileRules;
import org.sriov4j.spi.CompatibilityMatrix;
import org.sriov4j.spi.VendorPlugin;

/**
 * The destination's check ({@code MigrationHost.checkDestination}) and the compatibility verdict of a guest's VF driver
 * ({@code MigrationHost.vfDriverCompatibility}). Reads only; changes nothing.
 */
final class DestinationChecker {
    private static final String OP = "check destination";

    private final TopologyScanner scanner;
    private final VendorPlugins plugins;
    private final Supplier<ProfileReader> readers;
    private final Supplier<List<Assignment>> assignments;
    private final Supplier<Optional<String>> backend;
    private final Supplier<Set<BackendFeature>> features;

    private final NetCheck netCheck;

    /**
     * Whether a carried-over network setting can be made on a destination VF.
     */
    @FunctionalInterface
    interface NetCheck {
        /**
         * Judges a change of one setting.
         *
         * @param vf the destination VF
         * @param change the change (one setting)
         * @return APPLIED when it can be tried, NOT_APPLICABLE with the refusal, or UNVERIFIED when this host cannot
         *     tell
         */
        NetVerdict judge(PciAddress vf, VfNetConfig change);

        /**
         * Whether this host's VF network settings are those of the tree checked; when not (a captured tree), every
         * setting is UNVERIFIED, whatever this host's backend could do.
         *
         * @return true by default
         */
        default boolean describesTree() {
            return true;
        }
    }

    /**
     * A {@link NetCheck}'s answer.
     *
     * @param outcome APPLIED, NOT_APPLICABLE or UNVERIFIED
     * @param detail why
     */
    record NetVerdict(Outcome outcome, String detail) {
    }

    /** Checks nothing: every setting is applied (tests of the rules alone). */
    static final NetCheck NO_NET_CHECK = (vf, change) -> new NetVerdict(Outcome.APPLIED, "applied on the destination");

    /**
     * The engine's check: the vendor plugin's known refusals and the VF's PF netdev, as a lease or
     * {@code configureVf} would check them before changing anything ({@link VfNetIdentity#check}).
     *
     * @param identity the engine's VF network settings
     * @param ownTree whether the routing netlink describes the sysfs tree read (not a captured tree)
     * @return the check
     */
    static NetCheck netCheck(VfNetIdentity identity, boolean ownTree) {
        return new NetCheck() {
            @Override
            public NetVerdict judge(PciAddress vf, VfNetConfig change) {
                if (!ownTree) {
                    return new NetVerdict(Outcome.UNVERIFIED, "not checked: the sysfs tree read is not this host's, "
                            + "its VFs' network settings cannot be asked for");
                }
                try {
                    identity.check(OP, vf, change);
                    return new NetVerdict(Outcome.APPLIED, "applied on the destination");
                } catch (org.sriov4j.VfNetConfigException e) {
                    return new NetVerdict(Outcome.NOT_APPLICABLE, "refused on the destination: " + e.getMessage());
                }
            }

            @Override
            public boolean describesTree() {
                return ownTree;
            }
        };
    }

    DestinationChecker(TopologyScanner scanner, VendorPlugins plugins, Supplier<ProfileReader> readers,
            Supplier<List<Assignment>> assignments, Supplier<Optional<String>> backend,
            Supplier<Set<BackendFeature>> features) {
        this(scanner, plugins, readers, assignments, backend, features, NO_NET_CHECK);
    }

    DestinationChecker(TopologyScanner scanner, VendorPlugins plugins, Supplier<ProfileReader> readers,
            Supplier<List<Assignment>> assignments, Supplier<Optional<String>> backend,
            Supplier<Set<BackendFeature>> features, NetCheck netCheck) {
        this.netCheck = netCheck;
        this.scanner = scanner;
        this.plugins = plugins;
        this.readers = readers;
        this.assignments = assignments;
        this.backend = backend;
        this.features = features;
    }

    DestinationReport check(DeviceProfile profile, DestinationOptions options) {
        Topology topology = scanner.scan(ScanScope.SRIOV);
        List<Assignment> recorded = assignments.get();
        Set<PciAddress> held = new HashSet<>();
        Set<PciAddress> ours = new HashSet<>();
        for (Assignment a : recorded) {
            ours.add(a.device());
            if (a.heldBy().isPresent() || a.phase() != Assignment.Phase.DETACHED || a.attachedTo().isPresent()) {
                held.add(a.device());
            }
        }
        ProfileReader reader = readers.get();
        // a captured tree: what this host could set says nothing about the tree's host (its settings: UNVERIFIED)
        boolean canApplyNet = !netCheck.describesTree() || features.get().contains(BackendFeature.VF_NET_CONFIG);
        List<Candidate> candidates = new ArrayList<>();
        for (VirtualFunction vf : topology.virtualFunctions()) {
            if (!options.pool().isEmpty() && options.pool().stream().noneMatch(s -> s.matches(topology, vf))) {
                continue;
            }
            if (held.contains(vf.address())) {
                continue;
            }
            Optional<String> driver = vf.function().driver();
            if (driver.isPresent() && ProfileReader.isStub(driver.get()) && !ours.contains(vf.address())) {
                continue; // on a stub driver for someone sriov4j does not know: not free
            }
            PhysicalFunction pf = topology.physicalFunction(vf.pf()).orElse(null);
            if (pf == null) {
                continue;
            }
            VendorPlugin plugin = plugins.forPf(OP, pf.function());
            ProfileRules rules = options.rules().with(plugin.profileRules(pf.function()));
            if (options.pinNuma()) {
                rules = rules.with("source.numaNode", FieldRule.MUST_MATCH);
            }
            DeviceProfile mine = reader.read(vf.address());
            Map<VfNetConfig.Setting, NetVerdict> judged = new EnumMap<>(VfNetConfig.Setting.class);
            List<Finding> findings = compare(profile, mine, rules, canApplyNet, backend.get(),
                    setting -> judged.computeIfAbsent(setting, k -> netCheck.judge(vf.address(),
                            profile.net().orElseThrow().only(EnumSet.of(k)))));
            Optional<CompatibilityVerdict> verdict = options.guestVfDriver().map(g -> judge(plugin, mine.pf(), g));
            boolean fits = findings.stream().noneMatch(f -> f.refuses(options.strict()))
                    && verdict.map(v -> !v.refuses(options.strict())).orElse(true);
            candidates.add(new Candidate(vf.address(), mine, findings, verdict, fits));
        }
        int free = candidates.size();
        candidates.sort(Comparator.comparing((Candidate c) -> !c.fits())
                .thenComparingLong(DestinationChecker::refusing)
                .thenComparingLong(c -> c.findings(Outcome.UNVERIFIED).size())
                .thenComparing(c -> !c.profile().numaNode().equals(profile.numaNode()))
                .thenComparing(Candidate::vf));
        Optional<Candidate> chosen = candidates.isEmpty() || !candidates.get(0).fits() ? Optional.empty()
                : Optional.of(candidates.get(0));
        List<Candidate> reported = chosen.isPresent() ? List.of(chosen.get())
                : candidates.subList(0, Math.min(options.nearest(), candidates.size()));
        return new DestinationReport(profile, options, backend.get(), free, chosen, reported);
    }

    private static long refusing(Candidate c) {
        return c.findings().stream().filter(f -> f.refuses(false)).count()
                + (c.compatibility().map(v -> v.refuses(false)).orElse(false) ? 1 : 0);
    }

    /**
     * Compares a profile with a candidate's own profile under the rules.
     *
     * @return the findings, in the source profile's field order (then fields only the candidate has)
     */
    static List<Finding> compare(DeviceProfile source, DeviceProfile destination, ProfileRules rules,
            boolean canApplyNet, Optional<String> destinationBackend) {
        return compare(source, destination, rules, canApplyNet, destinationBackend,
                setting -> NO_NET_CHECK.judge(destination.address(), VfNetConfig.none()));
    }

    /**
     * Compares, judging each carried-over setting the destination VF does not have already with {@code netVerdict}.
     *
     * @return the findings, in the source profile's field order (then fields only the candidate has)
     */
    static List<Finding> compare(DeviceProfile source, DeviceProfile destination, ProfileRules rules,
            boolean canApplyNet, Optional<String> destinationBackend,
            Function<VfNetConfig.Setting, NetVerdict> netVerdict) {
        Map<String, Optional<String>> a = source.comparableFields();
        Map<String, Optional<String>> b = destination.comparableFields();
        Set<String> fields = new LinkedHashSet<>(a.keySet());
        b.keySet().stream().filter(k -> k.startsWith("vendor.")).forEach(fields::add);
        List<Finding> out = new ArrayList<>();
        for (String field : fields) {
            FieldRule rule = rules.ruleFor(field);
            Optional<String> sa = a.getOrDefault(field, Optional.empty());
            Optional<String> sb = b.getOrDefault(field, Optional.empty());
            switch (rule) {
                case MUST_MATCH -> {
                    if (sa.isPresent() && sb.isPresent()) {
                        if (!sa.equals(sb)) {
                            out.add(new Finding(field, rule, Outcome.DIFFERENT, sa, sb, "must match"));
                        }
                    } else {
                        String side = sa.isEmpty() && sb.isEmpty() ? "both sides"
                                : sa.isEmpty() ? "the source" : "the destination";
                        out.add(new Finding(field, rule, Outcome.UNVERIFIED, sa, sb, "unknown on " + side));
                    }
                }
                case CARRIED_OVER -> {
                    if (!a.containsKey(field)) {
                        continue;
                    }
                    if (sa.isEmpty()) {
                        out.add(new Finding(field, rule, Outcome.UNVERIFIED, sa, Optional.empty(),
                                field.equals("net") ? "the source's network settings are unknown: nothing to carry "
                                        + "over" : "unknown on the source: nothing to carry over"));
                    } else if (canApplyNet) {
                        Optional<VfNetConfig.Setting> setting = DeviceProfile.netSetting(field.substring(
                                field.indexOf('.') + 1));
                        if (sa.equals(sb) || setting.isPresent() && destination.net().isPresent()
                                && sameSetting(source, destination, setting.get())) {
                            // nothing to change (igb refuses even a link-state "auto" it already has)
                            out.add(new Finding(field, rule, Outcome.APPLIED, sa, sa,
                                    "the destination VF has it already"));
                        } else if (setting.isEmpty()) {
                            out.add(new Finding(field, rule, Outcome.APPLIED, sa, sa, "applied on the destination"));
                        } else {
                            NetVerdict v = netVerdict.apply(setting.get());
                            out.add(new Finding(field, rule, v.outcome(), sa,
                                    v.outcome() == Outcome.APPLIED ? sa : Optional.empty(), v.detail()));
                        }
                    } else {
                        out.add(new Finding(field, rule, Outcome.NOT_APPLICABLE, sa, Optional.empty(),
                                "the destination's backend " + destinationBackend.orElse("(none)")
                                        + " cannot set VF network settings"));
                    }
                }
                case IGNORED -> {
                    if (sa.isPresent() && sb.isPresent() && !sa.equals(sb)) {
                        out.add(new Finding(field, rule, Outcome.IGNORED, sa, sb, "ignored"));
                    }
                }
            }
        }
        return out;
    }

    /** Whether both profiles have the same value of a network setting. */
    private static boolean sameSetting(DeviceProfile a, DeviceProfile b, VfNetConfig.Setting setting) {
        VfNetConfig x = a.net().orElseThrow().only(EnumSet.of(setting));
        return !x.isEmpty() && x.equals(b.net().orElseThrow().only(EnumSet.of(setting)));
    }

    /** The matrix verdict of the plugin of a PF. */
    static CompatibilityVerdict judge(VendorPlugin plugin, DeviceProfile.Pf pf, GuestVfDriver guest) {
        Optional<CompatibilityMatrix> matrix;
        try {
            matrix = plugin.compatibilityMatrix();
        } catch (RuntimeException e) {
            throw new SriovException(OP, pf.address(), null, null, "vendor plugin " + VendorPlugins.name(plugin)
                    + " failed to give its compatibility matrix: " + e.getMessage(), e);
        }
        if (matrix.isEmpty()) {
            return new CompatibilityVerdict(DriverCompatibility.UNKNOWN,
                    pf.driver().orElse("(no driver)") + " " + pf.driverVersion().orElse("(version unknown)"),
                    guest.toString(), Optional.empty(), "vendor plugin " + plugin.id()
                            + " ships no compatibility matrix", Optional.empty());
        }
        return matrix.get().judge(pf.driver(), pf.driverVersion(), pf.driverOrigin(), pf.firmwareVersion(), guest);
    }

    CompatibilityVerdict compatibility(PciAddress vf, GuestVfDriver guest) {
        DeviceProfile p = readers.get().read(vf);
        PhysicalFunction pf = scanner.physicalFunction(p.pf().address());
        if (pf == null) {
            throw new SriovException("check VF driver compatibility", vf, Errno.ENODEV, null, "no PF", null);
        }
        return judge(plugins.forPf("check VF driver compatibility", pf.function()), p.pf(), guest);
    }
}
