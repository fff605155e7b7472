package org.sriov4j.cli;

import org.sriov4j.migration.MigrationHost;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.sriov4j.BackendFeature;
import org.sriov4j.EngineUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfSelector;
import org.sriov4j.internal.json.Json;
import org.sriov4j.migration.Candidate;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DestinationReport;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.Finding;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.migration.MigrationPlan;
import org.sriov4j.migration.MigrationPlanner;

/** The {@code profile} and {@code migrate-check} commands. */
final class MigrateCommands {
    private final PrintStream out;
    private final Function<SriovConfig, SriovHost> opener;

    MigrateCommands(PrintStream out, Function<SriovConfig, SriovHost> opener) {
        this.out = out;
        this.opener = opener;
    }

    /** {@code profile BDF [--json]}. */
    int profile(SriovConfig config, PciAddress vf, boolean json) {
        try (SriovHost host = opener.apply(config)) {
            DeviceProfile p = MigrationHost.of(host).profile(vf);
            if (json) {
                out.println(p.toJson());
            } else {
                out.printf("profile of %s (PF %s)%n", p.address(), p.pf().address());
                p.comparableFields().forEach((k, v) -> out.printf("  %-24s %s%n", k, v.orElse("unknown")));
            }
            return Cli.OK;
        }
    }

    /** {@code migrate-check PROFILE.json [--pool SELECTOR]... [--guest-vf-driver NAME:VERSION] [--strict] ...}. */
    int migrateCheck(SriovConfig config, List<String> rest) {
        DestinationOptions.Builder options = DestinationOptions.builder();
        List<VfSelector> pool = new ArrayList<>();
        boolean json = false;
        String file = null;
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            switch (a) {
                case "--json" -> json = true;
                case "--strict" -> options.strict(true);
                case "--pin-numa" -> options.pinNuma(true);
                case "--pool" -> {
                    if (++i >= rest.size()) {
                        throw new UsageException("--pool needs a selector, e.g. 0000:01:00.0#0-3");
                    }
                    pool.add(VfSelector.parse(rest.get(i)));
                }
                case "--guest-vf-driver" -> {
                    if (++i >= rest.size()) {
                        throw new UsageException("--guest-vf-driver needs NAME:VERSION, e.g. igbvf:6.12.118");
                    }
                    options.guestVfDriver(GuestVfDriver.parse(rest.get(i)));
                }
                default -> {
                    if (a.startsWith("-") || file != null) {
                        throw new UsageException(a.startsWith("-") ? "unknown option '" + a + "'"
                                : "migrate-check takes one profile file");
                    }
                    file = a;
                }
            }
        }
        if (file == null) {
            throw new UsageException("usage: migrate-check PROFILE.json [--pool SELECTOR] "
                    + "[--guest-vf-driver NAME:VERSION] [--strict] [--pin-numa] [--json]");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new UsageException("cannot read the profile " + file + ": " + e.getMessage());
        }
        DeviceProfile profile = DeviceProfile.fromJson(bytes); // ProfileFormatException: exit 2, naming the field
        options.pool(pool.toArray(VfSelector[]::new));
        try (SriovHost host = opener.apply(config)) {
            DestinationReport r = MigrationHost.of(host).checkDestination(profile, options.build());
            Optional<MigrationPlan> plan = r.chosen().map(c -> plan(profile, c, featuresOf(r, profile, host)));
            if (json) {
                out.println(Json.write(json(r, plan)));
            } else {
                human(r, plan);
            }
            return r.fits() ? Cli.OK : Cli.FAILED;
        }
    }

    /** The source's features are this host's when both run the same backend, else unknown (none). */
    private static Set<BackendFeature> featuresOf(DestinationReport r, DeviceProfile p, SriovHost host) {
        try {
            return p.backend().isPresent() && p.backend().equals(r.backend()) ? host.backendFeatures() : Set.of();
        } catch (EngineUnavailableException e) {
            return Set.of();
        }
    }

    private static MigrationPlan plan(DeviceProfile p, Candidate c, Set<BackendFeature> features) {
        return MigrationPlanner.plan("(guest)", List.of(new MigrationPlanner.Move(p, c, features, features,
                Optional.empty())));
    }

    private void human(DestinationReport r, Optional<MigrationPlan> plan) {
        DeviceProfile p = r.profile();
        out.printf("profile: %s %s rev %s, PF %s %s %s, from %s%n", p.address(), p.id(),
                p.revision().isPresent() ? String.format("%02x", p.revision().getAsInt()) : "unknown",
                p.pf().id(), p.pf().driver().orElse("(no driver)"), p.pf().driverVersion().orElse("(version unknown)"),
                p.backend().orElse("(backend unknown)"));
        out.printf("destination: backend %s, %d free VF(s) considered%s%n", r.backend().orElse("(none)"),
                r.freeVfs(), r.options().strict() ? ", strict" : "");
        if (r.chosen().isPresent()) {
            Candidate c = r.chosen().get();
            out.println("fits: " + c.vf());
            candidate(c);
            plan.ifPresent(pl -> out.print(pl.describe()));
        } else if (r.freeVfs() == 0) {
            out.println("no free VF" + (r.options().pool().isEmpty() ? "" : " in the pool " + r.options().pool()));
        } else {
            out.println("no VF fits; the nearest:");
            for (Candidate c : r.candidates()) {
                out.println("candidate " + c.vf() + ":");
                candidate(c);
            }
        }
    }

    private void candidate(Candidate c) {
        for (Finding.Outcome o : Finding.Outcome.values()) {
            for (Finding f : c.findings(o)) {
                out.printf("  %-14s %-24s %s -> %s%s%n", o.name().toLowerCase(java.util.Locale.ROOT), f.field(),
                        f.source().orElse("unknown"), f.destination().orElse("unknown"),
                        f.detail().isEmpty() ? "" : " (" + f.detail() + ")");
            }
        }
        c.compatibility().ifPresent(v -> out.println("  driver compatibility: " + v));
    }

    private static Map<String, Object> json(DestinationReport r, Optional<MigrationPlan> plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fits", r.fits());
        m.put("profile", r.profile().address().toString());
        m.put("backend", r.backend().<Object>map(s -> s).orElse(Json.NULL));
        m.put("strict", r.options().strict());
        m.put("freeVfs", (long) r.freeVfs());
        m.put("chosen", r.chosen().<Object>map(c -> c.vf().toString()).orElse(Json.NULL));
        List<Object> cs = new ArrayList<>();
        for (Candidate c : r.candidates()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("vf", c.vf().toString());
            cm.put("pf", c.profile().pf().address().toString());
            cm.put("fits", c.fits());
            List<Object> fs = new ArrayList<>();
            Map<String, Object> apply = new LinkedHashMap<>();
            for (Finding f : c.findings()) {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("field", f.field());
                fm.put("rule", f.rule().name());
                fm.put("outcome", f.outcome().name());
                fm.put("source", f.source().<Object>map(s -> s).orElse("unknown"));
                fm.put("destination", f.destination().<Object>map(s -> s).orElse("unknown"));
                fm.put("detail", f.detail());
                fs.add(fm);
                if (f.outcome() == Finding.Outcome.APPLIED) {
                    apply.put(f.field(), f.destination().orElse(""));
                }
            }
            cm.put("findings", fs);
            cm.put("apply", apply);
            cm.put("compatibility", c.compatibility().<Object>map(MigrateCommands::json).orElse(Json.NULL));
            cs.add(cm);
        }
        m.put("candidates", cs);
        m.put("plan", plan.<Object>map(p -> Json.parse(p.toJson())).orElse(Json.NULL));
        return m;
    }

    private static Map<String, Object> json(CompatibilityVerdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", v.result().name());
        m.put("pfDriver", v.pfDriver());
        m.put("vfDriver", v.vfDriver());
        m.put("matrix", v.matrix().<Object>map(s -> s).orElse(Json.NULL));
        m.put("reason", v.reason());
        m.put("source", v.source().<Object>map(s -> s).orElse(Json.NULL));
        return m;
    }
}
