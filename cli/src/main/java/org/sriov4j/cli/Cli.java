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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Assignment;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.RecoveryReport;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VirtualFunction;
import org.sriov4j.spi.SysfsNames;
import org.sriov4j.vfio.VfioSystem;

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
              show BDF [--json]       show one PCI function (e.g. 0000:01:00.0 or 01:10.2); reads only
                                      it, its PF or VFs and their IOMMU groups
              enable-vfs PF N [--no-autoprobe] [--timeout SECONDS]
                                      enable exactly N VFs on PF (through 0 when it has others;
                                      --no-autoprobe: host VF drivers never touch the new VFs)
              disable-vfs PF          remove every VF of PF
              detach BDF              move a function onto the backend's stub driver (vfio-pci; pciback on
                                      Xen, listed by xl pci-assignable-list) and keep
                                      it there until reattach; its original driver is recorded
              reattach BDF            give a detached function back to exactly its original driver
              lease BDF --guest NAME --hold [--attach DOMAIN]
                                      lease a function to a guest and hold the lease until this process
                                      is stopped (a function on a host driver is detached and given back
                                      when the lease ends); exit status 1 if it is already leased;
                                      --attach (Xen): attach it to DOMAIN (xl pci-attach) while held
              attach BDF --guest DOMAIN
                                      (Xen) detach a function to pciback if it is not, and attach it to
                                      the running DOMAIN (xl pci-attach); it stays detached afterwards
              detach-guest BDF        (Xen) detach a function from its domain (xl pci-detach); it stays
                                      on pciback until reattach
              release BDF             end the lease on a function: stops the process holding it (which
                                      gives it back), or gives back what a dead holder left
              recover                 give back what dead processes left; report corrupt records
              status [--json]         functions taken from the host: phase, original driver, guest, holder
                                      (--json: also attachedTo, the Xen domain it is attached to)
              vfio-check BDF [--json] open a function on vfio-pci (detached or leased) through VFIO and
                                      report each step: the IOMMU interface (iommufd or the legacy
                                      container), group viability, device, regions, IRQ counts, ERR/REQ
                                      notifications, hot-reset scope, IOMMU page sizes and IOVA ranges,
                                      a 2 MiB DMA map/unmap round trip; exit status 1 at the first step
                                      that fails
              profile BDF [--json]    the VF's device profile: ids, revision, class, BARs, MSI-X vectors,
                                      PF ids, PF driver, its version and firmware (ethtool), NUMA node,
                                      backend; "unknown" where this host cannot tell (--json: the
                                      transfer format, docs/device-profile.md)
              migrate-check PROFILE.json [--pool SELECTOR]... [--guest-vf-driver NAME:VERSION]
                            [--strict] [--pin-numa] [--json]
                                      on a destination: the free VF that can take the device the profile
                                      describes (identical ids, revision, BARs, MSI-X, firmware, driver
                                      family; network settings carried over), what is applied there and
                                      the migration plan; exit status 0 when one fits, 1 with the
                                      differences of the nearest candidates (or "no free VF"), 2 for a
                                      malformed or unsupported profile (naming the field); --strict:
                                      unknown fields and an UNKNOWN driver compatibility refuse
              demo                    a tour of the library on a simulated host: discovery, enabling
                                      VFs, the kernel's refusals, a pool lease, a non-viable IOMMU
                                      group, a lease holder (a second JVM) killed and recovered, the
                                      events (no hardware, no root, nothing on this machine is touched)
              help                    show this help

            Global options:
              --sysfs-root DIR        read sysfs from DIR instead of /sys (a container's view of the
                                      host's /sys, or a captured tree); also SRIOV4J_SYSFS_ROOT.
                                      Paths and links that lead out of DIR, files that are not regular
                                      (FIFOs, devices) and attributes over 64 KiB are refused; a DIR that
                                      is not a sysfs mount (a captured tree) is read-only
              --writable-tree         let commands change a --sysfs-root that is not a sysfs mount (a
                                      captured tree: files are rewritten whole); a real sysfs, a
                                      container's bind of /sys included, is always writable
              --dev-root DIR          look for device nodes in DIR instead of /dev; also
                                      SRIOV4J_DEV_ROOT
              --state-dir DIR         ledger and lock files (default /run/sriov4j); also
                                      SRIOV4J_STATE_DIR
              --backend ID            use this hypervisor backend (kvm-vfio, xen-pciback) instead of the
                                      available one of highest priority; also SRIOV4J_BACKEND
              --permissive            (Xen) attach with permissive=1: the guest may write any of the
                                      device's PCI configuration space (warns); also
                                      SRIOV4J_XEN_PERMISSIVE=true
              --allow-unsafe-no-iommu UNSAFE: hand out functions on a host without an IOMMU (a guest
                                      could then read and write all host memory)
              -h, --help              show this help
              --version               print the version

            Exit status: 0 success, 1 the operation failed, 2 bad usage.
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Function<SriovConfig, SriovHost> opener;
    private final Function<SriovConfig, VfioSystem> vfioOpener;

    Cli(PrintStream out, PrintStream err) {
        this(out, err, SriovHost::open);
    }

    /** For tests: {@code opener} opens the host (e.g. on a simulated kernel) instead of {@link SriovHost#open}. */
    Cli(PrintStream out, PrintStream err, Function<SriovConfig, SriovHost> opener) {
        this(out, err, opener, VfioSystem::open);
    }

    /** For tests: {@code vfioOpener} opens VFIO ({@code vfio-check}) instead of {@link VfioSystem#open(SriovConfig)}. */
    Cli(PrintStream out, PrintStream err, Function<SriovConfig, SriovHost> opener,
            Function<SriovConfig, VfioSystem> vfioOpener) {
        this.out = out;
        this.err = err;
        this.opener = opener;
        this.vfioOpener = vfioOpener;
    }

    int run(String[] argv) {
        try {
            return dispatch(argv);
        } catch (UsageException e) {
            err.println("sriov4j: " + Table.printable(e.getMessage()));
            err.println("Try 'sriov4j --help'.");
            return USAGE;
        } catch (SriovException e) {
            err.println("sriov4j: " + Table.printable(e.getMessage()));
            return FAILED;
        } catch (IllegalArgumentException e) {
            err.println("sriov4j: " + Table.printable(e.getMessage()));
            return USAGE;
        }
    }

    private int dispatch(String[] argv) {
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        SriovConfig.Builder config = SriovConfig.fromEnvironment().toBuilder();
        List<String> rest = new ArrayList<>();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            switch (a) {
                case "--sysfs-root" -> config.sysfsRoot(directory(a, args));
                case "--dev-root" -> config.devRoot(directory(a, args));
                case "--state-dir" -> config.stateDir(value(a, args));
                case "--writable-tree" -> config.writableTree();
                case "--backend" -> {
                    if (args.isEmpty() || !args.peekFirst().matches("[a-z0-9-]{1,64}")) {
                        throw new UsageException("--backend needs a backend id, e.g. kvm-vfio or xen-pciback");
                    }
                    config.backend(args.removeFirst());
                }
                case "--permissive" -> {
                    err.println("sriov4j: WARNING: --permissive: the guest may write any of its device's PCI"
                            + " configuration space");
                    config.xenPermissive();
                }
                case "--allow-unsafe-no-iommu" -> {
                    err.println("sriov4j: WARNING: --allow-unsafe-no-iommu: without an IOMMU a guest can read and"
                            + " write all host memory through its device");
                    config.allowUnsafeAssignmentWithoutIommu();
                }
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
            case "detach" -> detach(config.build(), oneAddress("detach", rest));
            case "reattach" -> reattach(config.build(), oneAddress("reattach", rest));
            case "lease" -> lease(config.build(), rest);
            case "attach" -> attach(config.build(), rest);
            case "detach-guest" -> detachGuest(config.build(), oneAddress("detach-guest", rest));
            case "release" -> release(config.build(), oneAddress("release", rest));
            case "recover" -> {
                flags(rest);
                yield recover(config.build());
            }
            case "status" -> status(config.build(), flags(rest, "--json"));
            case "vfio-check" -> vfioCheck(config.build(), rest);
            case "profile" -> {
                List<String> profileArgs = new ArrayList<>(rest);
                boolean json = profileArgs.remove("--json");
                yield new MigrateCommands(out, opener).profile(config.build(), oneAddress("profile", profileArgs),
                        json);
            }
            case "migrate-check" -> new MigrateCommands(out, opener).migrateCheck(config.build(), rest);
            case "demo" -> {
                flags(rest);
                yield new Demo(out).run();
            }
            case "help" -> {
                out.print(USAGE_TEXT);
                yield OK;
            }
            default -> throw new UsageException("unknown command " + quote(command));
        };
    }

    private int vfioCheck(SriovConfig config, List<String> rest) {
        List<String> args = new ArrayList<>(rest);
        boolean json = args.remove("--json");
        PciAddress f = oneAddress("vfio-check", args);
        return new VfioCheck(out, err, vfioOpener).run(config, f, json);
    }

    /** Quotes user input or host content for a message: escaped, at most 200 characters and an ellipsis. */
    static String quote(String text) {
        return SysfsNames.quote(text);
    }

    private static String version() {
        String v = Cli.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static Path directory(String option, Deque<String> args) {
        if (args.isEmpty()) {
            throw new UsageException(option + " needs a directory");
        }
        String text = args.removeFirst();
        Path p;
        try {
            p = Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException(option + ": not a directory: " + quote(text));
        }
        if (!Files.isDirectory(p)) {
            throw new UsageException(option + ": not a directory: " + quote(text));
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
                        throw new UsageException("--timeout needs a number of seconds from 1 to 3600, not "
                                + quote(v));
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
            throw new UsageException("the VF count must be a number, not " + quote(positional.get(1)));
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

    private static PciAddress oneAddress(String command, List<String> rest) {
        List<String> positional = rest.stream().filter(r -> !r.startsWith("-")).toList();
        flags(rest.stream().filter(r -> r.startsWith("-")).toList());
        if (positional.size() != 1) {
            throw new UsageException(command + " needs exactly one PCI address (BDF)");
        }
        return address(command, positional.get(0));
    }

    private static String describe(PciFunction f) {
        return f.address() + " is on " + f.driver().orElse("no driver")
                + f.driverOverride().map(o -> " (driver_override " + o + ")").orElse("");
    }

    private int detach(SriovConfig config, PciAddress f) {
        try (SriovHost host = opener.apply(config)) {
            out.println(describe(host.detach(f)));
        }
        return OK;
    }

    private int reattach(SriovConfig config, PciAddress f) {
        try (SriovHost host = opener.apply(config)) {
            out.println(describe(host.reattach(f)));
        }
        return OK;
    }

    private int lease(SriovConfig config, List<String> rest) {
        Deque<String> args = new ArrayDeque<>(rest);
        String guest = null;
        String domain = null;
        boolean hold = false;
        List<String> positional = new ArrayList<>();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            switch (a) {
                case "--guest" -> {
                    if (args.isEmpty()) {
                        throw new UsageException("--guest needs a name");
                    }
                    guest = args.removeFirst();
                }
                case "--attach" -> {
                    if (args.isEmpty()) {
                        throw new UsageException("--attach needs a domain");
                    }
                    domain = args.removeFirst();
                }
                case "--hold" -> hold = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    positional.add(a);
                }
            }
        }
        if (positional.size() != 1 || guest == null || !hold) {
            throw new UsageException("usage: lease BDF --guest NAME --hold [--attach DOMAIN]");
        }
        PciAddress f = address("lease", positional.get(0));
        SriovHost host = opener.apply(config);
        Lease lease;
        try {
            lease = host.lease(f, guest);
            if (domain != null) {
                try {
                    lease.attachToGuest(domain);
                } catch (RuntimeException e) {
                    lease.close();
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                host.close(); // ends the lease: a managed function goes back to its host driver
            } finally {
                done.countDown();
            }
        }, "sriov4j-release");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("leased " + f + " to " + guest + (lease.managed() ? " (managed: given back when released)" : "")
                + (domain != null ? ", attached to domain " + domain : "") + "; holding until stopped (pid " + ProcessHandle.current().pid() + ")");
        out.flush();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    private int attach(SriovConfig config, List<String> rest) {
        Deque<String> args = new ArrayDeque<>(rest);
        String domain = null;
        List<String> positional = new ArrayList<>();
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            if (a.equals("--guest")) {
                if (args.isEmpty()) {
                    throw new UsageException("--guest needs a domain");
                }
                domain = args.removeFirst();
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option '" + a + "'");
            } else {
                positional.add(a);
            }
        }
        if (positional.size() != 1 || domain == null) {
            throw new UsageException("usage: attach BDF --guest DOMAIN");
        }
        PciAddress f = address("attach", positional.get(0));
        try (SriovHost host = opener.apply(config)) {
            boolean wasDetached = host.assignments().stream().anyMatch(a -> a.device().equals(f));
            PciFunction detached = host.detach(f);
            try {
                host.attachToGuest(f, domain);
            } catch (RuntimeException e) {
                if (!wasDetached) { // give back what this command took
                    try {
                        host.reattach(f);
                    } catch (RuntimeException r) {
                        e.addSuppressed(r);
                    }
                }
                throw e;
            }
            out.println(f + " (on " + detached.driver().orElse("no driver") + ") attached to domain " + domain);
        }
        return OK;
    }

    private int detachGuest(SriovConfig config, PciAddress f) {
        try (SriovHost host = opener.apply(config)) {
            if (host.topologyOf(f).function(f).isEmpty()) {
                throw new org.sriov4j.DeviceNotFoundException("detach-guest", f, "no such PCI function under "
                        + config.sysfsRoot() + "/bus/pci/devices");
            }
            java.util.Optional<String> domain = host.assignments().stream().filter(a -> a.device().equals(f))
                    .findFirst().flatMap(Assignment::attachedTo);
            host.detachFromGuest(f);
            PciFunction now = host.topologyOf(f).function(f).orElseThrow(() -> new org.sriov4j.DeviceNotFoundException(
                    "detach-guest", f, "the function disappeared"));
            out.println(describe(now) + domain.map(d -> "; detached from domain " + d)
                    .orElse("; it was attached to no domain (nothing to do)"));
        }
        return OK;
    }

    private int release(SriovConfig config, PciAddress f) {
        try (SriovHost host = opener.apply(config)) {
            Assignment a = host.assignments().stream().filter(x -> x.device().equals(f)).findFirst()
                    .orElseThrow(() -> new SriovException("release", f, null, null, "it is not leased", null));
            if (a.heldBy().isPresent()) {
                long pid = a.ownerPid().orElse(-1);
                ProcessHandle holder = ProcessHandle.of(pid).orElse(null);
                if (holder == null || pid == ProcessHandle.current().pid()) {
                    throw new SriovException("release", f, null, null, "held by " + a.heldBy().get()
                            + ", which cannot be stopped from here", null);
                }
                holder.destroy(); // SIGTERM: the holder's shutdown hook ends the lease
                try {
                    holder.onExit().get(60, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new SriovException("release", f, Errno.ETIMEDOUT, null, "pid " + pid
                            + " did not stop within 60 s", null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SriovException("release", f, Errno.EINTR, null, "interrupted", e);
                } catch (ExecutionException e) {
                    throw new SriovException("release", f, null, null, "waiting for pid " + pid + " failed", e);
                }
                out.println("stopped pid " + pid + " holding " + f);
            }
            RecoveryReport r = host.recover();
            printReport(r);
            return r.problems().isEmpty() ? OK : FAILED;
        }
    }

    private int recover(SriovConfig config) {
        try (SriovHost host = opener.apply(config)) {
            RecoveryReport r = host.recover();
            printReport(r);
            return r.problems().isEmpty() ? OK : FAILED;
        }
    }

    private void printReport(RecoveryReport r) {
        r.restored().forEach(a -> out.println("restored " + a + " to its original driver"));
        r.keptDetached().forEach(a -> out.println("kept " + a + " detached (detached on purpose; reattach gives it back)"));
        r.stillHeld().forEach(a -> out.println("left " + a + " alone: held by a live process"));
        r.problems().forEach(p -> err.println("sriov4j: problem: " + p));
        if (r.clean() && r.keptDetached().isEmpty() && r.stillHeld().isEmpty()) {
            out.println("nothing to recover");
        }
    }

    private int status(SriovConfig config, List<String> flags) {
        List<Assignment> list;
        try (SriovHost host = opener.apply(config)) {
            list = host.assignments();
        }
        if (flags.contains("--json")) {
            List<Object> items = new ArrayList<>();
            for (Assignment a : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", a.device().toString());
                m.put("phase", a.phase().name());
                m.put("originalDriver", a.originalDriver().orElse(null));
                m.put("stubDriver", a.stubDriver());
                m.put("managed", a.managed());
                m.put("guest", a.guest().orElse(null));
                m.put("ownerPid", a.ownerPid().isPresent() ? a.ownerPid().getAsLong() : null);
                m.put("heldBy", a.heldBy().orElse(null));
                m.put("attachedTo", a.attachedTo().orElse(null));
                items.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("stateDir", config.stateDir().toString());
            doc.put("assignments", items);
            out.println(Json.write(doc));
        } else if (list.isEmpty()) {
            out.println("no function is detached or leased (state directory " + config.stateDir() + ")");
        } else {
            out.printf("%-13s %-12s %-10s %-9s %-8s %-12s %s%n", "ADDRESS", "PHASE", "ORIGINAL", "STUB", "MANAGED",
                    "GUEST", "HELD BY");
            for (Assignment a : list) {
                out.printf("%-13s %-12s %-10s %-9s %-8s %-12s %s%n", a.device(), a.phase(),
                        a.originalDriver().orElse("-"), a.stubDriver(), a.managed() ? "yes" : "no",
                        a.guest().orElse("-"), a.heldBy().orElse("-"));
            }
        }
        return OK;
    }

    /** Checks that only the given flags remain and returns those present. */
    private static List<String> flags(List<String> rest, String... allowed) {
        List<String> ok = List.of(allowed);
        for (String r : rest) {
            if (!ok.contains(r)) {
                throw new UsageException((r.startsWith("-") ? "unknown option " : "unexpected argument ") + quote(r));
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
            throw new UsageException(String.valueOf(e.getMessage()));
        }
        Topology t;
        try (SriovHost host = opener.apply(config)) {
            t = host.topologyOf(address); // only what the function belongs to: a broken device elsewhere is no matter
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
