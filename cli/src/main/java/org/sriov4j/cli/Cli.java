package org.sriov4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VirtualFunction;

/** Parses the command line and runs one command. */
final class Cli {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            Usage: sriov4j [GLOBAL OPTIONS] COMMAND [ARGS]

            Discover and manage SR-IOV physical and virtual functions.

            Commands:
              list [--json] [--all]   list SR-IOV physical and virtual functions
                                      (--all: every PCI function, bridges included)
              show BDF [--json]       show one PCI function (e.g. 0000:01:00.0 or 01:10.2)
              enable-vfs PF N [--no-autoprobe] [--timeout SECONDS]
                                      enable exactly N VFs on PF (through 0 when it has others;
                                      --no-autoprobe: host VF drivers never touch the new VFs)
              disable-vfs PF          remove every VF of PF
              demo                    run a narrated demo on a simulated Intel 82576 host
                                      (no hardware, no root, nothing on this machine is touched)
              help                    show this help

            Global options:
              --sysfs-root DIR        read sysfs from DIR instead of /sys (a container's view of the
                                      host's /sys, or a captured tree); also SRIOV4J_SYSFS_ROOT
              --dev-root DIR          look for device nodes in DIR instead of /dev
              --state-dir DIR         ledger and lock files (default /run/sriov4j); also
                                      SRIOV4J_STATE_DIR
              -h, --help              show this help
              --version               print the version

            Exit status: 0 success, 1 the operation failed, 2 bad usage.
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Function<SriovConfig, SriovHost> opener;

    Cli(PrintStream out, PrintStream err) {
        this(out, err, SriovHost::open);
    }

    /** For tests: {@code opener} opens the host (e.g. on a simulated kernel) instead of {@link SriovHost#open}. */
    Cli(PrintStream out, PrintStream err, Function<SriovConfig, SriovHost> opener) {
        this.out = out;
        this.err = err;
        this.opener = opener;
    }

    int run(String[] argv) {
        try {
            return dispatch(argv);
        } catch (UsageException e) {
            err.println("sriov4j: " + e.getMessage());
            err.println("Try 'sriov4j --help'.");
            return USAGE;
        } catch (SriovException e) {
            err.println("sriov4j: " + e.getMessage());
            return FAILED;
        }
    }

    private int dispatch(String[] argv) {
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        SriovConfig.Builder config = SriovConfig.builder();
        List<String> rest = new ArrayList<>();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            switch (a) {
                case "--sysfs-root" -> config.sysfsRoot(directory(a, args));
                case "--dev-root" -> config.devRoot(directory(a, args));
                case "--state-dir" -> config.stateDir(value(a, args));
                case "-h", "--help" -> {
                    out.print(USAGE_TEXT);
                    return OK;
                }
                case "--version" -> {
                    out.println("sriov4j " + version());
                    return OK;
                }
                default -> rest.add(a);
            }
        }
        if (rest.isEmpty()) {
            throw new UsageException("no command given");
        }
        String command = rest.remove(0);
        return switch (command) {
            case "list" -> list(config.build(), flags(rest, "--json", "--all"));
            case "show" -> show(config.build(), rest);
            case "enable-vfs" -> enableVfs(config.build(), rest);
            case "disable-vfs" -> disableVfs(config.build(), rest);
            case "demo" -> {
                flags(rest);
                yield new Demo(out).run();
            }
            case "help" -> {
                out.print(USAGE_TEXT);
                yield OK;
            }
            default -> throw new UsageException("unknown command '" + command + "'");
        };
    }

    private static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static Path directory(String option, Deque<String> args) {
        if (args.isEmpty()) {
            throw new UsageException(option + " needs a directory");
        }
        Path p = Path.of(args.removeFirst());
        if (!Files.isDirectory(p)) {
            throw new UsageException(option + ": not a directory: " + p);
        }
        return p;
    }

    private static Path value(String option, Deque<String> args) {
        if (args.isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return Path.of(args.removeFirst());
    }

    private static PciAddress address(String what, String text) {
        try {
            return PciAddress.parse(text);
        } catch (PciAddressFormatException e) {
            throw new UsageException(what + ": " + e.getMessage());
        }
    }

    private int enableVfs(SriovConfig config, List<String> rest) {
        Deque<String> args = new ArrayDeque<>(rest);
        List<String> positional = new ArrayList<>();
        VfEnableOptions.Builder options = VfEnableOptions.builder();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            switch (a) {
                case "--no-autoprobe" -> options.driversAutoprobe(false);
                case "--timeout" -> {
                    String v = args.isEmpty() ? "" : args.removeFirst();
                    try {
                        long seconds = Long.parseLong(v);
                        if (seconds < 1 || seconds > 3600) {
                            throw new NumberFormatException();
                        }
                        options.timeout(Duration.ofSeconds(seconds));
                    } catch (NumberFormatException e) {
                        throw new UsageException("--timeout needs a number of seconds from 1 to 3600, not '" + v
                                + "'");
                    }
                }
                default -> {
                    if (a.startsWith("-") && !a.matches("-\\d+")) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    positional.add(a);
                }
            }
        }
        if (positional.size() != 2) {
            throw new UsageException("enable-vfs needs a PF address and a VF count, e.g. enable-vfs 0000:01:00.0 4");
        }
        PciAddress pf = address("PF", positional.get(0));
        int count;
        try {
            count = Integer.parseInt(positional.get(1));
        } catch (NumberFormatException e) {
            throw new UsageException("the VF count must be a number, not '" + positional.get(1) + "'");
        }
        if (count < 0) {
            throw new UsageException("the VF count must not be negative: " + count);
        }
        try (SriovHost host = opener.apply(config)) {
            PhysicalFunction after = host.enableVfs(pf, count, options.build());
            out.println(pf + ": " + after.numVfs() + " of " + after.totalVfs() + " VFs enabled"
                    + (after.driversAutoprobe() ? "" : ", autoprobe off"));
            for (int i = 0; i < after.vfs().size(); i++) {
                out.println("  VF " + i + "  " + after.vfs().get(i));
            }
        }
        return OK;
    }

    private int disableVfs(SriovConfig config, List<String> rest) {
        List<String> positional = rest.stream().filter(r -> !r.startsWith("-")).toList();
        flags(rest.stream().filter(r -> r.startsWith("-")).toList());
        if (positional.size() != 1) {
            throw new UsageException("disable-vfs needs exactly one PF address");
        }
        PciAddress pf = address("PF", positional.get(0));
        try (SriovHost host = opener.apply(config)) {
            host.disableVfs(pf);
            out.println(pf + ": VFs disabled");
        }
        return OK;
    }

    /** Checks that only the given flags remain and returns those present. */
    private static List<String> flags(List<String> rest, String... allowed) {
        List<String> ok = List.of(allowed);
        for (String r : rest) {
            if (!ok.contains(r)) {
                throw new UsageException(r.startsWith("-") ? "unknown option '" + r + "'" : "unexpected argument '" + r + "'");
            }
        }
        return rest;
    }

    private int list(SriovConfig config, List<String> flags) {
        ScanScope scope = flags.contains("--all") ? ScanScope.ALL_FUNCTIONS : ScanScope.SRIOV;
        Topology t;
        try (SriovHost host = opener.apply(config)) {
            t = host.topology(scope);
        }
        if (flags.contains("--json")) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("sysfsRoot", config.sysfsRoot().toString());
            doc.put("scope", scope.name());
            List<Object> functions = new ArrayList<>();
            for (PciFunction f : t.functions()) {
                functions.add(json(t, f));
            }
            doc.put("functions", functions);
            List<Object> groups = new ArrayList<>();
            t.iommuGroups().forEach(g -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("number", g.number());
                m.put("devices", g.devices().stream().map(PciAddress::toString).toList());
                groups.add(m);
            });
            doc.put("iommuGroups", groups);
            out.println(Json.write(doc));
        } else {
            out.print(Table.render(t));
        }
        return OK;
    }

    private int show(SriovConfig config, List<String> rest) {
        List<String> positional = rest.stream().filter(r -> !r.startsWith("-")).toList();
        flags(rest.stream().filter(r -> r.startsWith("-")).toList(), "--json");
        if (positional.size() != 1) {
            throw new UsageException("show needs exactly one PCI address (BDF)");
        }
        PciAddress address;
        try {
            address = PciAddress.parse(positional.get(0));
        } catch (PciAddressFormatException e) {
            throw new UsageException(e.getMessage());
        }
        Topology t;
        try (SriovHost host = opener.apply(config)) {
            t = host.topology(ScanScope.ALL_FUNCTIONS);
        }
        PciFunction f = t.function(address).orElseThrow(() -> new SriovException("show", address, null, null,
                "no such PCI function under " + config.sysfsRoot() + "/bus/pci/devices", null));
        if (rest.contains("--json")) {
            out.println(Json.write(json(t, f)));
        } else {
            out.print(Table.details(t, f));
        }
        return OK;
    }

    /** The JSON object of one function (the format documented in the README). */
    static Map<String, Object> json(Topology t, PciFunction f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", f.address().toString());
        m.put("kind", f.kind().name());
        m.put("vendorId", f.id().vendorHex());
        m.put("deviceId", f.id().deviceHex());
        m.put("classCode", f.classCodeHex());
        m.put("driver", f.driver().orElse(null));
        m.put("driverOverride", f.driverOverride().orElse(null));
        m.put("iommuGroup", f.iommuGroup());
        m.put("numaNode", f.numaNode());
        m.put("netdevs", f.netdevs());
        @Nullable PhysicalFunction pf = t.physicalFunction(f.address()).orElse(null);
        if (pf != null) {
            m.put("totalVfs", pf.totalVfs());
            m.put("numVfs", pf.numVfs());
            m.put("vfOffset", pf.vfOffset());
            m.put("vfStride", pf.vfStride());
            m.put("vfDeviceId", String.format("%04x", pf.vfDeviceId()));
            m.put("driversAutoprobe", pf.driversAutoprobe());
            m.put("vfs", pf.vfs().stream().map(PciAddress::toString).toList());
        }
        @Nullable VirtualFunction vf = t.virtualFunction(f.address()).orElse(null);
        if (vf != null) {
            m.put("pf", vf.pf().toString());
            m.put("vfIndex", vf.index());
        }
        return m;
    }
}
