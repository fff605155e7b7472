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
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Assignment;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.LedgerProblem;
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
                                      it, its PF or VFs and their IOMMU groups; a VF whose PF has a
                                      netdev: also its network settings and counters (net)
              enable-vfs PF N [--no-autoprobe] [--timeout SECONDS]
                                      enable exactly N VFs on PF (through 0 when it has others;
                                      --no-autoprobe: host VF drivers never touch the new VFs)
              disable-vfs PF          remove every VF of PF
                                      (enable-vfs and disable-vfs are refused while PF is detached
                                      or leased, or one of its VFs is leased)
              detach TARGET...        move functions onto the backend's stub driver (vfio-pci; pciback on
                                      Xen, listed by xl pci-assignable-list) and keep
                                      them there until reattach; each original driver is recorded;
                                      a PF with VFs is refused (unbinding its driver destroys them).
                                      TARGET: a BDF, or PF#RANGES for VFs (0000:01:00.0#0-6,
                                      ens1f0#0-3,6); one line per function, failures on stderr, the
                                      others still done; exit status 1 if any failed
              reattach TARGET...      give detached functions back to exactly their original drivers
              lease TARGET... --guest NAME (--hold | --holder-pid PID | --durable) [--attach DOMAIN]
                    [--mac MAC] [--vlan ID[:QOS]] [--spoofchk on|off] [--trust on|off]
                    [--guest-vf-driver NAME:VERSION [--strict-compatibility]]
                                      lease functions to a guest (a function on a host driver is
                                      detached, and given back when the lease ends); TARGET as for
                                      detach, one line per function, failures on stderr, the others
                                      still leased; exit status 1 if any failed (e.g. it, its PF or
                                      one of its VFs is leased already); --mac only with one function.
                                      What holds them:
                                      --hold: this process, until it is stopped (exit 0 once the lease
                                      was given back cleanly);
                                      --holder-pid PID: the process PID (e.g. the guest's QEMU): the
                                      lease ends when it exits (recover then gives the function back);
                                      --durable: nothing; held until 'release'.
                                      With --holder-pid or --durable the command returns at once.
                                      A PF with VFs is refused (unbinding its driver destroys them).
                                      --attach (Xen): attach it to DOMAIN (xl pci-attach) as well;
                                      --mac/--vlan/--spoofchk/--trust: the VF's network settings, made
                                      through its PF before the lease is reported held (spoof checking on
                                      and trust off unless given), the previous ones saved first and
                                      restored when the lease ends (also by recover after kill -9);
                                      --guest-vf-driver: the VF driver the guest runs, judged by the PF's
                                      vendor compatibility matrix before anything changes: INCOMPATIBLE
                                      exits 1 (nothing changed), UNKNOWN is printed as a warning and
                                      refuses only with --strict-compatibility
              vf-config BDF [--mac MAC] [--vlan ID[:QOS]] [--vlan-proto 802.1Q|802.1ad]
                    [--spoofchk on|off] [--trust on|off] [--link-state auto|enable|disable]
                    [--min-tx-rate MBPS] [--max-tx-rate MBPS] [--json]
                                      a VF's network settings through its PF (ip link set PF vf N):
                                      without settings, print them; with settings, change only those
                                      (MAC 00:00:00:00:00:00 clears it; VLAN 0 removes it; rates in Mbps,
                                      0: none); a refused setting restores the earlier ones and exits 1
                                      naming it and the errno. On a detached VF the settings before the
                                      first change are saved, and reattach/recover restore them; a VF on
                                      its host driver is the operator's (not recorded)
              attach BDF --guest DOMAIN
                                      (Xen) detach a function to pciback if it is not, and attach it to
                                      the running DOMAIN (xl pci-attach); it stays detached afterwards
              detach-guest BDF        (Xen) detach a function from its domain (xl pci-detach); it stays
                                      on pciback until reattach
              release TARGET...       end the lease on functions, whatever its kind: a --holder-pid or
                                      --durable lease is ended here; a lease held by a live process
                                      is ended by stopping (SIGTERM) that process, the one the kernel
                                      names as the owner of the function's lock, after checking its
                                      start time; then gives back what is left of that function only
                                      (its saved VF network settings restored). TARGET as for detach;
                                      each function's outcome reported, the others still released;
                                      exit status 1 if any failed
              recover                 give back what dead processes left (live, --holder-pid leases
                                      whose process runs and --durable leases are kept); records of
                                      functions that cannot be seen are kept and reported; set aside
                                      corrupt records (status keeps listing them)
              status [--json]         functions taken from the host: phase, original driver, guest, the
                                      lease (holder kind and pid), who holds the lock; then the ledger
                                      files that are not usable records, until an operator deals with
                                      them (--json: also attachedTo, the Xen domain it is attached to,
                                      and savedNetConfig, the VF network settings restored when it goes
                                      back)
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
                                      group, a lease holder (a second JVM) killed and recovered, a
                                      VFIO open and DMA map of the leased VF on a fake VFIO kernel
                                      (and the maps it refuses), the events (no hardware, no root,
                                      nothing on this machine is touched)
              help [COMMAND]          show this help, or one command's (also: sriov4j COMMAND --help)

            Global options (before the command):
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
                                      SRIOV4J_STATE_DIR. An absolute path; the directory (and its ledger/
                                      and locks/) must be owned by this user, not writable by group or
                                      others, and not a symbolic link, else every command that uses it
                                      is refused
              --backend ID            use this hypervisor backend (kvm-vfio, xen-pciback) instead of the
                                      available one of highest priority; also SRIOV4J_BACKEND
              --permissive            (Xen) attach with permissive=1: the guest may write any of the
                                      device's PCI configuration space (warns); also
                                      SRIOV4J_XEN_PERMISSIVE=true
              --allow-unsafe-no-iommu UNSAFE: hand out functions on a host without an IOMMU (a guest
                                      could then read and write all host memory)
              --holder-wait SECONDS   before unbinding a function from vfio-pci, wait up to SECONDS for the
                                      processes holding its VFIO device to close it (default 0)
              --proc-root DIR         where to look for those processes instead of /proc; also
                                      SRIOV4J_PROC_ROOT
              -h, --help              show this help
              --version               print the version

            A VF whose VFIO device a VMM still has open is never unbound (the kernel would block until
            the VMM closes it): release, reattach, disable-vfs and enable-vfs print each process that
            holds it (pid, command) and exit 1, changing nothing.

            Exit status: 0 success, 1 the operation failed, 2 bad usage.
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Function<SriovConfig, SriovHost> opener;
    private final Function<SriovConfig, VfioSystem> vfioOpener;
    /** Ends the JVM from the shutdown hook of {@code lease --hold} with the given status. */
    private final java.util.function.IntConsumer halt = status -> Runtime.getRuntime().halt(status);

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
        } catch (org.sriov4j.DeviceInUseException e) {
            err.println("sriov4j: " + Table.printable(e.getMessage()));
            printHolders(err, e);
            return FAILED;
        } catch (SriovException e) {
            err.println("sriov4j: " + Table.printable(e.getMessage()));
            return FAILED;
        } catch (IllegalArgumentException e) {
            err.println("sriov4j: " + Table.printable(e.getMessage()));
            return USAGE;
        } catch (LinkageError e) {
            // JNA's native part (netlink, ethtool, VFIO) could not load: most often it cannot unpack its library
            // into a writable temporary directory; one line instead of a stack trace
            err.println("sriov4j: " + nativeAccessFailed(e));
            return FAILED;
        }
    }

    /** One line for a native access library that could not load, with what the user can do about it. */
    static String nativeAccessFailed(LinkageError e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("");
        return Table.printable("the native access library (JNA) could not be loaded: " + message
                + "; it unpacks its library into -Djna.tmpdir, else $XDG_CACHE_HOME/JNA/temp or ~/.cache/JNA/temp:"
                + " give it a writable directory with SRIOV4J_JAVA_OPTS=-Djna.tmpdir=DIR");
    }

    /** The global options, recognised only before the command. */
    static final List<String> GLOBAL_OPTIONS = List.of("--sysfs-root", "--dev-root", "--state-dir", "--backend",
            "--permissive", "--allow-unsafe-no-iommu", "--writable-tree", "--version");

    private int dispatch(String[] argv) {
        Deque<String> args = new ArrayDeque<>(List.of(argv));
        SriovConfig.Builder config = SriovConfig.fromEnvironment().toBuilder();
        List<String> rest = new ArrayList<>();
        while (!args.isEmpty() && rest.isEmpty()) {
            String a = args.removeFirst();
            switch (a) {
                case "--sysfs-root" -> config.sysfsRoot(directory(a, args));
                case "--dev-root" -> config.devRoot(directory(a, args));
                case "--state-dir" -> config.stateDir(stateDir(value(a, args)));
                case "--writable-tree" -> config.writableTree();
                case "--proc-root" -> config.procRoot(directory(a, args));
                case "--holder-wait" -> {
                    String v = value(a, args).toString();
                    if (!v.matches("[0-9]{1,5}")) {
                        throw new UsageException("--holder-wait needs whole seconds, 0 to 99999: " + v);
                    }
                    config.holderWait(java.time.Duration.ofSeconds(Long.parseLong(v)));
                }
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
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + quote(a));
                    }
                    rest.add(a);
                }
            }
        }
        if (rest.isEmpty()) {
            throw new UsageException("no command given");
        }
        String command = rest.remove(0);
        rest.addAll(args);
        if (rest.contains("--help") || rest.contains("-h")) {
            if (command.equals("help") || commandHelp(command).isEmpty()) {
                throw new UsageException("unknown command " + quote(command));
            }
            out.print(commandHelp(command));
            return OK;
        }
        return switch (command) {
            case "list" -> list(config.build(), flags("list", rest, "--json", "--all"));
            case "show" -> show(config.build(), rest);
            case "enable-vfs" -> enableVfs(config.build(), rest);
            case "disable-vfs" -> disableVfs(config.build(), rest);
            case "detach" -> detach(config.build(), manyAddresses("detach", rest));
            case "reattach" -> reattach(config.build(), manyAddresses("reattach", rest));
            case "lease" -> lease(config.build(), rest);
            case "attach" -> attach(config.build(), rest);
            case "detach-guest" -> detachGuest(config.build(), oneAddress("detach-guest", rest));
            case "release" -> release(config.build(), manyAddresses("release", rest));
            case "recover" -> {
                flags("recover", rest);
                yield recover(config.build());
            }
            case "status" -> status(config.build(), flags("status", rest, "--json"));
            case "vfio-check" -> vfioCheck(config.build(), rest);
            case "vf-config" -> VfNetCli.run(config.build(), rest, opener, out);
            case "profile" -> {
                List<String> profileArgs = new ArrayList<>(rest);
                boolean json = profileArgs.remove("--json");
                yield new MigrateCommands(out, opener).profile(config.build(), oneAddress("profile", profileArgs),
                        json);
            }
            case "migrate-check" -> new MigrateCommands(out, opener).migrateCheck(config.build(), rest);
            case "demo" -> {
                flags("demo", rest);
                yield new Demo(out).run();
            }
            case "help" -> {
                if (rest.isEmpty()) {
                    out.print(USAGE_TEXT);
                } else if (rest.size() == 1 && !commandHelp(rest.get(0)).isEmpty()) {
                    out.print(commandHelp(rest.get(0)));
                } else {
                    throw new UsageException("help takes one command name, e.g. help lease");
                }
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

    /**
     * One command's part of {@link #USAGE_TEXT}: its lines under "Commands:", with the usage line.
     *
     * @param command the command
     * @return the help, or empty if there is no such command
     */
    static String commandHelp(String command) {
        StringBuilder b = new StringBuilder();
        boolean in = false;
        for (String line : USAGE_TEXT.lines().toList()) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                in = line.startsWith("  " + command + " ") || line.equals("  " + command);
            } else if (!line.startsWith("   ")) {
                in = false;
            }
            if (in) {
                b.append(line).append('\n');
            }
        }
        if (b.length() == 0 || command.startsWith("-")) {
            return "";
        }
        return "Usage: sriov4j [GLOBAL OPTIONS] " + command + " ...\n\n" + b
                + "\nGlobal options go before the command: see 'sriov4j --help'.\n";
    }

    /** Refuses a relative or empty state directory (it would name another directory from each working directory). */
    private static Path stateDir(Path p) {
        if (!p.isAbsolute()) {
            throw new UsageException("--state-dir needs an absolute path, not " + quote(p.toString())
                    + ": every process that manages the host must find the same directory");
        }
        return p;
    }

    /** The message for an unknown option after a command, pointing out global options given too late. */
    static UsageException unknownOption(String command, String option) {
        if (GLOBAL_OPTIONS.contains(option)) {
            return new UsageException(quote(option) + " is a global option: put it before the command (sriov4j "
                    + option + " ... " + command + ")");
        }
        return new UsageException("unknown option " + quote(option) + " for " + command + " (see sriov4j " + command
                + " --help)");
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
                        throw unknownOption("enable-vfs", a);
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
        flags("disable-vfs", rest.stream().filter(r -> r.startsWith("-")).toList());
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
        flags(command, rest.stream().filter(r -> r.startsWith("-")).toList());
        if (positional.size() != 1) {
            throw new UsageException(command + " needs exactly one PCI address (BDF)");
        }
        return address(command, positional.get(0));
    }

    private static String describe(PciFunction f) {
        return f.address() + " is on " + f.driver().orElse("no driver")
                + f.driverOverride().map(o -> " (driver_override " + o + ")").orElse("");
    }

    /** The positional arguments of a command that takes several functions (syntax checked, see {@link Targets}). */
    private static List<String> manyAddresses(String command, List<String> rest) {
        List<String> positional = rest.stream().filter(r -> !r.startsWith("-")).toList();
        flags(command, rest.stream().filter(r -> r.startsWith("-")).toList());
        Targets.check(command, positional);
        return positional;
    }

    private int detach(SriovConfig config, List<String> targets) {
        try (SriovHost host = opener.apply(config)) {
            return Targets.outcomes("detached", host.detachAll(Targets.resolve("detach", host, targets)),
                    Cli::describe, out, err);
        }
    }

    private int reattach(SriovConfig config, List<String> targets) {
        try (SriovHost host = opener.apply(config)) {
            return Targets.outcomes("reattached", host.reattachAll(Targets.resolve("reattach", host, targets)),
                    Cli::describe, out, err);
        }
    }

    private int lease(SriovConfig config, List<String> rest) {
        Deque<String> args = new ArrayDeque<>(rest);
        String guest = null;
        String domain = null;
        List<LeaseHolder> holders = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        VfNetCli.Options net = new VfNetCli.Options(VfNetCli.LEASE);
        org.sriov4j.GuestVfDriver guestDriver = null;
        boolean strictCompatibility = false;
        while (!args.isEmpty()) {
            String a = args.removeFirst();
            if (net.take(a, args)) {
                continue;
            }
            switch (a) {
                case "--guest-vf-driver" -> {
                    if (args.isEmpty()) {
                        throw new UsageException("--guest-vf-driver needs NAME:VERSION, e.g. igbvf:6.12.118");
                    }
                    guestDriver = org.sriov4j.GuestVfDriver.parse(args.removeFirst()); // malformed: exit 2
                }
                case "--strict-compatibility" -> strictCompatibility = true;
                case "--guest" -> {
                    if (args.isEmpty()) {
                        throw new UsageException("--guest needs a name");
                    }
                    guest = checkLocale("--guest", args.removeFirst());
                }
                case "--attach" -> {
                    if (args.isEmpty()) {
                        throw new UsageException("--attach needs a domain");
                    }
                    domain = checkLocale("--attach", args.removeFirst());
                }
                case "--hold" -> holders.add(LeaseHolder.taker());
                case "--durable" -> holders.add(LeaseHolder.durable());
                case "--holder-pid" -> {
                    String v = args.isEmpty() ? "" : args.removeFirst();
                    if (!v.matches("[1-9][0-9]{0,9}")) {
                        throw new UsageException("--holder-pid needs a process id, not " + quote(v));
                    }
                    holders.add(LeaseHolder.process(Long.parseLong(v))); // no such process: exit 2
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw unknownOption("lease", a);
                    }
                    positional.add(a);
                }
            }
        }
        if (positional.isEmpty() || guest == null || holders.size() != 1) {
            throw new UsageException("usage: lease TARGET... --guest NAME (--hold | --holder-pid PID | --durable)"
                    + " [--attach DOMAIN] [--mac MAC] [--vlan ID[:QOS]] [--spoofchk on|off] [--trust on|off]"
                    + " [--guest-vf-driver NAME:VERSION [--strict-compatibility]]");
        }
        Targets.check("lease", positional);
        if (strictCompatibility && guestDriver == null) {
            throw new UsageException("--strict-compatibility needs --guest-vf-driver");
        }
        LeaseHolder holder = holders.get(0);
        org.sriov4j.VfNetConfig netConfig = net.any() ? net.build() : null;
        org.sriov4j.LeaseOptions.Builder options = org.sriov4j.LeaseOptions.builder().holder(holder);
        if (netConfig != null) {
            options.net(netConfig);
        }
        if (guestDriver != null) {
            options.guestVfDriver(guestDriver).strictCompatibility(strictCompatibility);
        }
        SriovHost host = opener.apply(config);
        List<PciAddress> targets;
        try {
            targets = Targets.resolve("lease", host, positional);
            if (targets.size() > 1 && netConfig != null && netConfig.mac().isPresent()) {
                throw new UsageException("--mac gives one VF its address: lease one function with it, not "
                        + targets.size());
            }
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        String guestName = guest;
        String attachTo = domain;
        org.sriov4j.LeaseOptions leaseOptions = options.build();
        boolean hold = holder.kind() == LeaseHolder.Kind.TAKER;
        String holding = "holding until stopped (pid " + ProcessHandle.current().pid() + ")";
        int[] leased = {0};
        int leaseStatus;
        try {
            leaseStatus = Targets.each("lease", "leased", targets, f -> {
                Lease lease = host.lease(f, guestName, leaseOptions);
                leased[0]++;
                lease.compatibility().filter(v -> v.result() == org.sriov4j.DriverCompatibility.UNKNOWN)
                        .ifPresent(v -> err.println("sriov4j: warning: " + Table.printable(v.toString())));
                if (attachTo != null) {
                    try {
                        lease.attachToGuest(attachTo);
                    } catch (RuntimeException e) {
                        leased[0]--;
                        lease.close();
                        throw e;
                    }
                }
                String what = "leased " + f + " to " + guestName
                        + (lease.managed() ? " (managed: given back when released)" : "")
                        + (netConfig == null ? "" : ", " + VfNetCli.text(host.vfNetConfig(f)))
                        + lease.compatibility().map(v -> ", guest VF driver " + v.vfDriver() + " " + v.result())
                                .orElse("")
                        + (attachTo != null ? ", attached to domain " + attachTo : "");
                return what + "; " + (hold ? (targets.size() == 1 ? holding : "held by this process")
                        : holder.kind() == LeaseHolder.Kind.DURABLE ? "durable: held until 'sriov4j release " + f + "'"
                                : "held while pid " + holder.pid().getAsLong() + " runs (or until 'sriov4j release "
                                        + f + "')");
            }, out, err);
        } catch (RuntimeException e) {
            host.close(); // --hold: gives back what this command leased before the unexpected failure
            throw e;
        }
        if (!hold || leased[0] == 0) {
            host.close(); // leaves the leases: they outlive this process (or, --hold, nothing was leased)
            return leaseStatus;
        }
        int exitStatus = leaseStatus;
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            int status = OK;
            try {
                host.close(); // ends the lease: a managed function goes back to its host driver
            } catch (RuntimeException e) {
                err.println("sriov4j: " + e.getMessage());
                status = FAILED;
            } finally {
                done.countDown();
            }
            out.flush();
            err.flush();
            // stopped by a signal (release's SIGTERM, Ctrl-C): the exit status says how the lease ended, not 143/130
            halt.accept(status == OK ? exitStatus : status); // exitStatus: 1 if a function failed at the start
        }, "sriov4j-release");
        Runtime.getRuntime().addShutdownHook(hook);
        if (targets.size() > 1) {
            out.println(holding);
        }
        out.flush();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    /**
     * Refuses a name the JVM could not read from the command line: under a locale that is not UTF-8 it replaces every
     * non-ASCII character of the arguments ('?' or U+FFFD) before sriov4j sees them, and the record would name another
     * guest. {@link CommandLine#utf8(String[])} repairs that where it can; this catches what it could not.
     */
    static String checkLocale(String option, String name) {
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        if (!encoding.equalsIgnoreCase("UTF-8") && (name.indexOf('?') >= 0 || name.indexOf('\uFFFD') >= 0)) {
            throw new UsageException(option + " '" + name + "': under this locale (" + encoding + ") non-ASCII"
                    + " characters of the command line read as '?'; run with a UTF-8 locale (e.g. LC_ALL=C.UTF-8)");
        }
        return name;
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
                domain = checkLocale("--guest", args.removeFirst());
            } else if (a.startsWith("-")) {
                throw unknownOption("attach", a);
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
            Optional<String> domain = assignment(host, f).flatMap(Assignment::attachedTo);
            host.detachFromGuest(f); // a function that does not exist: DeviceNotFoundException, exit 1
            if (domain.isEmpty()) {
                out.println(f + " is attached to no domain: nothing to detach");
            } else {
                out.println(host.topologyOf(f).function(f).map(Cli::describe)
                        .orElse(f.toString()) + "; detached from domain " + domain.get());
            }
        }
        return OK;
    }

    private static Optional<Assignment> assignment(SriovHost host, PciAddress f) {
        return host.assignments().stream().filter(x -> x.device().equals(f)).findFirst();
    }

    /** One line per process that holds (or may hold) a function's VFIO device, on {@code err}. */
    static void printHolders(PrintStream err, org.sriov4j.DeviceInUseException e) {
        String device = e.device().map(Object::toString).orElse("the function");
        List<org.sriov4j.VfioHolder> holders = e.holders();
        for (org.sriov4j.VfioHolder h : holders) {
            err.println("  " + (h.certain() ? "held by" : "may be held by") + " pid " + h.pid() + " ("
                    + Table.printable(h.command()) + "): "
                    + h.evidence().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        if (!holders.isEmpty()) {
            err.println("  close " + device + "'s VFIO device in " + (holders.size() == 1 ? "that process" : "them")
                    + " (or stop the guest), then retry");
        }
    }

    private int release(SriovConfig config, List<String> targets) {
        try (SriovHost host = opener.apply(config)) {
            List<PciAddress> functions = Targets.resolve("release", host, targets);
            Map<PciAddress, Assignment> before = new LinkedHashMap<>();
            host.assignments().forEach(a -> before.put(a.device(), a));
            java.util.Set<Long> stopped = new java.util.HashSet<>();
            return Targets.eachWithStatus("released", functions, f -> release(host, f, before, stopped), out, err);
        }
    }

    /**
     * Ends the lease on one function, printing what was done; returns the exit status for it.
     *
     * @param before the records when the command started
     * @param stopped the holders this command stopped (one 'lease --hold' process may hold several functions: it
     *     gives all of them back when it stops)
     */
    private int release(SriovHost host, PciAddress f, Map<PciAddress, Assignment> before, java.util.Set<Long> stopped) {
        Optional<Assignment> now = assignment(host, f);
        Optional<Long> stoppedHolder = Optional.ofNullable(before.get(f)).flatMap(Assignment::lease)
                .filter(l -> l.kind() == LeaseHolder.Kind.TAKER && l.pid().isPresent())
                .map(l -> l.pid().getAsLong()).filter(stopped::contains);
        if (now.isEmpty() && stoppedHolder.isPresent()) {
            out.println(f + " was given back by pid " + stoppedHolder.get() + " as it stopped");
            return OK;
        }
        Assignment a = now.orElseThrow(() -> new SriovException("release", f, null, null,
                "it is not leased (sriov4j has no record of it)", null));
        // before the lease's holder is stopped: the end of a managed lease unbinds the function from
        // vfio-pci, which the kernel blocks while a VMM still has its VFIO device open
        List<org.sriov4j.VfioHolder> vfio = a.managed() ? host.vfioHolders(f) : List.of();
        if (!vfio.isEmpty()) {
            throw new org.sriov4j.DeviceInUseException("release", f, vfio, "the lease was left as it is");
        }
        Optional<LeaseHolder> lease = a.lease();
        if (lease.isPresent() && lease.get().kind() == LeaseHolder.Kind.TAKER) {
            stopHolder(host, f, a, lease.get());
            lease.get().pid().ifPresent(stopped::add);
        } else if (lease.isPresent()) {
            for (Lease l : host.adopt(a.guest().orElseThrow())) {
                if (l.device().equals(f)) {
                    l.close();
                    out.println("released the " + lease.get().kind().name().toLowerCase(java.util.Locale.ROOT)
                            + " lease of " + f + " (guest " + l.guest() + ")");
                }
            }
        } else if (a.heldBy().isPresent()) {
            throw new SriovException("release", f, Errno.EBUSY, null, "it is being changed by "
                    + a.heldBy().get() + " (not a lease); try again when that is done", null);
        }
        RecoveryReport r = host.recover(f);
        printReport(r);
        return r.problems().isEmpty() ? OK : FAILED;
    }

    /**
     * Stops the process that holds a function's lease: the process the kernel names as the owner of the function's
     * lock, whose lock file confirms its pid and start time. Checked again right before the signal; the JDK's
     * {@link ProcessHandle#destroy()} itself signals only a process with the start time the handle was made for, so
     * a pid reused in between is never signalled.
     */
    private void stopHolder(SriovHost host, PciAddress f, Assignment a, LeaseHolder lease) {
        if (lease.pid().isEmpty() || lease.processStart().isEmpty()) {
            throw new SriovException("release", f, null, null, "held by " + a.heldBy().orElse("a process")
                    + ", which cannot be identified for sure (the kernel does not name the lock's owner, or its"
                    + " lock file does not confirm it); stop that process yourself", null);
        }
        long pid = lease.pid().getAsLong();
        if (pid == ProcessHandle.current().pid()) {
            throw new SriovException("release", f, null, null, "held by this very process", null);
        }
        Optional<ProcessHandle> found = ProcessHandle.of(pid);
        if (found.isEmpty() || !found.get().info().startInstant().equals(lease.processStart())) {
            out.println("the holder of " + f + " (pid " + pid + ") has exited");
            return; // gone meanwhile: nothing to stop; recover gives back what it left
        }
        ProcessHandle holder = found.get();
        Optional<LeaseHolder> again = assignment(host, f).flatMap(Assignment::lease);
        if (!again.equals(Optional.of(lease))) {
            throw new SriovException("release", f, Errno.EBUSY, null, "its holder changed while releasing it (now "
                    + again.map(Object::toString).orElse("none") + "); nothing was signalled, try again", null);
        }
        holder.destroy(); // SIGTERM: a 'lease --hold' holder's shutdown hook ends the lease
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
        out.println("stopped pid " + pid + " holding " + f + a.guest().map(g -> " (guest " + g + ")").orElse(""));
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
        r.stillHeld().forEach(a -> out.println("left " + a + " alone: held (a live process, a --holder-pid lease whose"
                + " process runs, or a durable lease)"));
        r.gone().forEach(a -> out.println("removed the record of " + a + ": the function is gone (its PF has fewer"
                + " VFs now)"));
        r.problems().forEach(p -> err.println("sriov4j: problem: " + p));
        if (r.clean() && r.keptDetached().isEmpty() && r.stillHeld().isEmpty() && r.gone().isEmpty()) {
            out.println("nothing to recover");
        }
    }

    private int status(SriovConfig config, List<String> flags) {
        List<Assignment> list;
        List<LedgerProblem> problems;
        Path stateDir;
        Map<PciAddress, org.sriov4j.VfNetConfig> saved = new java.util.HashMap<>();
        try (SriovHost host = opener.apply(config)) {
            stateDir = host.config().stateDir();
            list = host.assignments();
            problems = host.ledgerProblems();
            for (Assignment a : list) {
                host.savedVfNetConfig(a.device()).ifPresent(c -> saved.put(a.device(), c));
            }
        }
        boolean exists = Files.exists(stateDir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
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
                m.put("lease", a.lease().map(l -> {
                    Map<String, Object> h = new LinkedHashMap<>();
                    h.put("holder", l.kind().name().toLowerCase(java.util.Locale.ROOT));
                    h.put("pid", l.pid().isPresent() ? l.pid().getAsLong() : null);
                    h.put("processStart", l.processStart().map(Object::toString).orElse(null));
                    h.put("guest", a.guest().orElse(null));
                    return (Object) h;
                }).orElse(null));
                org.sriov4j.VfNetConfig c = saved.get(a.device());
                m.put("savedNetConfig", c == null ? null : VfNetCli.json(c, java.util.Optional.empty()));
                items.add(m);
            }
            List<Object> bad = new ArrayList<>();
            for (LedgerProblem p : problems) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", p.file().toString());
                m.put("device", p.device().map(PciAddress::toString).orElse(null));
                m.put("kind", p.kind().name());
                m.put("reason", p.reason());
                bad.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("stateDir", stateDir.toString());
            doc.put("stateDirExists", exists);
            doc.put("assignments", items);
            doc.put("problems", bad);
            out.println(Json.write(doc));
            return OK;
        }
        if (!exists) {
            out.println("state directory " + Table.printable(stateDir.toString()) + " does not exist: nothing was ever detached or leased with it"
                    + " (is it the directory the other sriov4j processes use?)");
        } else if (list.isEmpty() && problems.isEmpty()) {
            out.println("no function is detached or leased (state directory " + Table.printable(stateDir.toString())
                    + ")");
        } else if (!list.isEmpty()) {
            out.printf("%-13s %-12s %-10s %-9s %-8s %-12s %-16s %s%n", "ADDRESS", "PHASE", "ORIGINAL", "STUB",
                    "MANAGED", "GUEST", "LEASE", "HELD BY");
            for (Assignment a : list) {
                out.printf("%-13s %-12s %-10s %-9s %-8s %-12s %-16s %s%n", a.device(), a.phase(),
                        Table.printable(a.originalDriver().orElse("-")), Table.printable(a.stubDriver()),
                        a.managed() ? "yes" : "no", Table.printable(a.guest().orElse("-")),
                        a.lease().map(Object::toString).orElse("-"), Table.printable(a.heldBy().orElse("-")));
            }
        }
        if (!problems.isEmpty()) {
            out.println();
            out.println("ledger files that are not usable records (" + problems.size() + "): sriov4j does not act on"
                    + " them; read each, put its function back by hand if needed ('sriov4j reattach BDF'), then"
                    + " delete the file");
            for (LedgerProblem p : problems) {
                out.println("  " + p.kind() + "  " + Table.printable(p.file().toString()) + ": "
                        + Table.printable(p.reason()));
            }
        }
        return OK;
    }

    /** Checks that only the given flags remain and returns those present. */
    private static List<String> flags(String command, List<String> rest, String... allowed) {
        List<String> ok = List.of(allowed);
        for (String r : rest) {
            if (!ok.contains(r)) {
                throw r.startsWith("-") ? unknownOption(command, r)
                        : new UsageException("unexpected argument " + quote(r));
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
        flags("show", rest.stream().filter(r -> r.startsWith("-")).toList(), "--json");
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
        java.util.Optional<Map<String, Object>> net = java.util.Optional.empty();
        try (SriovHost host = opener.apply(config)) {
            t = host.topologyOf(address); // only what the function belongs to: a broken device elsewhere is no matter
            if (t.virtualFunction(address).isPresent()) {
                net = VfNetCli.forShow(host, address); // a VF whose PF has a netdev: its network settings
            }
        }
        PciFunction f = t.function(address).orElseThrow(() -> new SriovException("show", address, null, null,
                "no such PCI function under " + config.sysfsRoot() + "/bus/pci/devices", null));
        if (rest.contains("--json")) {
            Map<String, Object> m = json(t, f);
            net.ifPresent(n -> m.put("net", n));
            out.println(Json.write(m));
        } else {
            out.print(Table.details(t, f));
            net.ifPresent(n -> out.println("net:      " + netLine(n)));
        }
        return OK;
    }

    /** {@code show}'s human line of a VF's network settings and counters. */
    private static String netLine(Map<String, Object> n) {
        StringBuilder b = new StringBuilder();
        b.append("mac ").append(n.get("mac"));
        Object vlan = n.get("vlan");
        if (vlan != null && (!vlan.equals(0) || !java.util.Objects.equals(n.get("qos"), 0))) {
            b.append(", vlan ").append(vlan).append(" qos ").append(n.get("qos")).append(' ')
                    .append(n.get("vlanProtocol"));
        }
        n.forEach((k, v) -> {
            if (v != null && List.of("spoofCheck", "trust", "linkState", "minTxRateMbps", "maxTxRateMbps")
                    .contains(k)) {
                b.append(", ").append(k).append(' ').append(v instanceof Boolean x ? (x ? "on" : "off") : v);
            }
        });
        if (n.get("stats") instanceof Map<?, ?> st) {
            b.append("; rx ").append(st.get("rxPackets")).append(" packets ").append(st.get("rxBytes"))
                    .append(" bytes, tx ").append(st.get("txPackets")).append(" packets ").append(st.get("txBytes"))
                    .append(" bytes");
        }
        return b.toString();
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
