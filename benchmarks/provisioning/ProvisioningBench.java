import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sriov4j.FunctionOutcome;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * The provisioning benchmark's driver (issue 15, item 1), run by benchmarks/run-provisioning.sh in the real-kernel
 * guest: per round and tool, enable the VFs of one PF, move every VF to vfio-pci, give them back to igbvf, disable
 * the VFs; each phase timed. One JVM does every round so that all tools run side by side in the same boot, the
 * order of the tools rotating from round to round.
 *
 * <p>Tools: {@code library} (one {@link SriovHost}, opened before the rounds: {@code enableVfs}, {@code detach}
 * and {@code reattach} of each VF, {@code disableVfs}; its checks and its ledger included), {@code library-batch}
 * (the same host: {@code detachAll} and {@code reattachAll} of the 7 VFs, one call each), {@code floor-java} (the
 * same kernel writes with plain {@link Files} calls and no checks, in this JVM), and external tools: a script
 * {@code TOOLS/NAME.sh PHASE BDF...} for PHASE {@code detach} or {@code reattach} that prints
 * {@code seconds=S} (timed inside the script, so that starting the script is not counted: the floor in bash
 * times only its writes; a peer's script times every command it starts). External tools enable and disable VFs
 * with the floor's writes (neither driverctl nor dpdk-devbind does that) and those phases are not reported for
 * them. After each phase the driver checks the VFs' driver links (untimed); a tool that leaves them wrong fails the
 * run.
 *
 * <p>{@code java -cp sriov4j.jar:. ProvisioningBench PF COUNT ROUNDS TOOLS_DIR TOOL...} prints one line per phase:
 * {@code prov round=R tool=T phase=P seconds=S} (round 0 is the warm-up round, reported but not counted). With
 * the environment variable {@code WARM_ROUNDS=N}, N more rounds of the in-process tools and the bash floor follow
 * (rounds ROUNDS+1 …), to show the library once its code is compiled.
 */
public final class ProvisioningBench {
    private static final Path SYS = Path.of("/sys");
    private static final String STUB = "vfio-pci";
    private static final String HOST_DRIVER = "igbvf";

    private final PciAddress pf;
    private final int count;
    private final Path tools;
    private final SriovHost host;

    private ProvisioningBench(PciAddress pf, int count, Path tools, SriovHost host) {
        this.pf = pf;
        this.count = count;
        this.tools = tools;
        this.host = host;
    }

    private static Path dev(String bdf) {
        return SYS.resolve("bus/pci/devices/" + bdf);
    }

    private static void write(Path p, String value) throws IOException {
        Files.write(p, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }

    private List<String> vfs() throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(Files.readSymbolicLink(dev(pf.toString()).resolve("virtfn" + i)).getFileName().toString());
        }
        return out;
    }

    private static String driverOf(String bdf) throws IOException {
        try {
            return Files.readSymbolicLink(dev(bdf).resolve("driver")).getFileName().toString();
        } catch (NoSuchFileException e) {
            return "(none)";
        }
    }

    private static void expect(String tool, String phase, List<String> vfs, String driver) throws IOException {
        for (String vf : vfs) {
            String now = driverOf(vf);
            String override = Files.readString(dev(vf).resolve("driver_override")).trim();
            boolean overrideOk = driver.equals(STUB) || override.equals("(null)") || override.isEmpty();
            if (!now.equals(driver) || !overrideOk) {
                throw new IllegalStateException(tool + " " + phase + ": " + vf + " is on " + now + " (override '"
                        + override + "'), expected " + driver);
            }
        }
    }

    private static void report(int round, String tool, String phase, double seconds) {
        System.out.println(String.format(Locale.ROOT, "prov round=%d tool=%s phase=%s seconds=%.4f", round, tool,
                phase, seconds));
    }

    private static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The floor's enable: one write, then the VFs' links and drivers (the write returns after the probes). */
    private void floorEnable() throws IOException {
        write(dev(pf.toString()).resolve("sriov_numvfs"), Integer.toString(count));
    }

    private void floorDisable() throws IOException {
        write(dev(pf.toString()).resolve("sriov_numvfs"), "0");
    }

    private static void floorDetach(List<String> vfs) throws IOException {
        for (String vf : vfs) {
            write(dev(vf).resolve("driver_override"), STUB);
            write(dev(vf).resolve("driver/unbind"), vf);
            write(SYS.resolve("bus/pci/drivers_probe"), vf);
        }
    }

    private static void floorReattach(List<String> vfs) throws IOException {
        for (String vf : vfs) {
            write(SYS.resolve("bus/pci/drivers/" + STUB + "/unbind"), vf);
            write(dev(vf).resolve("driver_override"), "\n");
            write(SYS.resolve("bus/pci/drivers/" + HOST_DRIVER + "/bind"), vf);
        }
    }

    private double external(String tool, String phase, List<String> vfs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(tools.resolve(tool + ".sh").toString(), phase));
        cmd.addAll(vfs);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(tool + " " + phase + " exited " + rc + ": " + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("seconds=")) {
                return Double.parseDouble(line.substring("seconds=".length()));
            }
        }
        throw new IllegalStateException(tool + " " + phase + " printed no seconds=: " + out);
    }

    private static void check(String tool, List<FunctionOutcome> outcomes) {
        for (FunctionOutcome o : outcomes) {
            if (o.failure().isPresent()) {
                throw new IllegalStateException(tool + ": " + o.function() + " failed", o.failure().get());
            }
        }
    }

    private static boolean inProcess(String tool) {
        return tool.startsWith("library") || tool.equals("floor-java");
    }

    private void runTool(int round, String tool) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        if (tool.startsWith("library")) {
            host.enableVfs(pf, count);
        } else {
            floorEnable();
        }
        double enable = since(t0);
        List<String> vfs = vfs();
        expect(tool, "enable", vfs, HOST_DRIVER);
        double detach;
        double reattach;
        switch (tool) {
            case "library-batch" -> {
                List<PciAddress> all = vfs.stream().map(PciAddress::parse).toList();
                t0 = System.nanoTime();
                List<FunctionOutcome> out = host.detachAll(all);
                detach = since(t0);
                check(tool, out);
                expect(tool, "detach", vfs, STUB);
                t0 = System.nanoTime();
                out = host.reattachAll(all);
                reattach = since(t0);
                check(tool, out);
            }
            case "library" -> {
                t0 = System.nanoTime();
                for (String vf : vfs) {
                    host.detach(PciAddress.parse(vf));
                }
                detach = since(t0);
                expect(tool, "detach", vfs, STUB);
                t0 = System.nanoTime();
                for (String vf : vfs) {
                    host.reattach(PciAddress.parse(vf));
                }
                reattach = since(t0);
            }
            case "floor-java" -> {
                t0 = System.nanoTime();
                floorDetach(vfs);
                detach = since(t0);
                expect(tool, "detach", vfs, STUB);
                t0 = System.nanoTime();
                floorReattach(vfs);
                reattach = since(t0);
            }
            default -> {
                detach = external(tool, "detach", vfs);
                expect(tool, "detach", vfs, STUB);
                reattach = external(tool, "reattach", vfs);
            }
        }
        expect(tool, "reattach", vfs, HOST_DRIVER);
        t0 = System.nanoTime();
        if (tool.startsWith("library")) {
            host.disableVfs(pf);
        } else {
            floorDisable();
        }
        double disable = since(t0);
        if (inProcess(tool)) {
            report(round, tool, "enable", enable);
        }
        report(round, tool, "detach", detach);
        report(round, tool, "reattach", reattach);
        if (inProcess(tool)) {
            report(round, tool, "disable", disable);
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param args PF, VF count, measured rounds (a warm-up round 0 comes first), the tools' script folder, tools
     * @throws Exception when a tool fails or leaves the VFs on the wrong driver
     */
    public static void main(String[] args) throws Exception {
        PciAddress pf = PciAddress.parse(args[0]);
        int count = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Path tools = Path.of(args[3]);
        List<String> names = List.of(args).subList(4, args.length);
        long t0 = System.nanoTime();
        try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
            host.topology();
            System.out.println(String.format(Locale.ROOT, "prov open seconds=%.4f backend=%s", since(t0),
                    host.backendId()));
            ProvisioningBench b = new ProvisioningBench(pf, count, tools, host);
            for (int round = 0; round <= rounds; round++) {
                for (int k = 0; k < names.size(); k++) {
                    b.runTool(round, names.get((k + round) % names.size())); // rotate the order each round
                }
            }
            // WARM_ROUNDS more rounds of the in-process tools only (the library and the floors): the library's
            // code warms up over many operations (JIT), which the few rounds of every tool do not show
            int warm = Integer.parseInt(System.getenv().getOrDefault("WARM_ROUNDS", "0"));
            List<String> inProcess = names.stream().filter(n -> n.startsWith("library") || n.startsWith("floor-"))
                    .toList();
            for (int round = rounds + 1; round <= rounds + warm; round++) {
                for (int k = 0; k < inProcess.size(); k++) {
                    b.runTool(round, inProcess.get((k + round) % inProcess.size()));
                }
            }
        }
    }
}
