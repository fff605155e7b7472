package org.sriov4j.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sriov4j.SriovException;
import org.sriov4j.testdata.Fuzzing;
import org.sriov4j.testing.SimulatedKernel;

/**
 * Fuzz target: the command line, on a simulated 82576 host (one per JVM: the commands change it, as they would a
 * real host, so later inputs meet VFs enabled, functions detached...). Whatever the arguments, {@link Cli#run} returns
 * 0, 1 or 2 and nothing escapes it (an exception would be a stack trace for the user); nothing printed carries a
 * raw terminal control character; every error line is bounded. Two words are left out, because they do what they
 * are meant to and would stall the fuzzer: {@code --hold} (holds a lease until the process is stopped) and
 * {@code demo} (a narrated tour). {@code vfio-check} meets a VFIO that cannot be opened. See {@link Fuzzing}.
 */
class CliArgumentsFuzzTest {

    static final String[] WORDS = {"list", "show", "enable-vfs", "disable-vfs", "detach", "reattach", "lease",
        "attach", "detach-guest", "release", "recover", "status", "vfio-check", "help", "--json", "--all",
        "--no-autoprobe", "--timeout", "--guest", "--attach", "--sysfs-root", "--dev-root", "--state-dir",
        "--backend", "--permissive", "--allow-unsafe-no-iommu", "--writable-tree", "-h", "--help", "--version",
        "0000:01:00.0", "01:00.0", "0000:01:10.0", "01:10.2", "0000:01:11.4", "0000:05:00.0", "0", "1", "3", "7",
        "8", "-1", "vm-42", "kvm-vfio", "xen-pciback", "/tmp", "/nonexistent", ""};

    private static SimulatedKernel kernel;

    static synchronized SimulatedKernel kernel() {
        if (kernel == null) {
            kernel = SimulatedKernel.intel82576Host();
        }
        return kernel;
    }

    @FuzzTest
    void run(FuzzedDataProvider data) throws Throwable {
        List<String> args = new ArrayList<>();
        int n = data.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            String a = data.consumeBoolean() ? data.pickValue(WORDS) : data.consumeString(300);
            if (!a.equals("--hold") && !a.equals("demo")) {
                args.add(a);
            }
        }
        SimulatedKernel k = kernel();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config -> k.openHost(), config -> {
                    throw new SriovException("vfio-check", "VFIO is not opened while fuzzing");
                });
        int[] status = new int[1];
        Fuzzing.only(() -> status[0] = cli.run(args.toArray(String[]::new))); // nothing is documented to escape
        if (status[0] < 0 || status[0] > 2) {
            throw new AssertionError("exit status " + status[0] + " for " + args);
        }
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        for (String text : List.of(o, e)) {
            if (text.chars().anyMatch(c -> c == 0x1b || c == 0x9b || c == 0x07 || c == 0x7f)) {
                throw new AssertionError("a raw control character reached the terminal for " + args + ": " + text);
            }
        }
        for (String line : e.split("\n")) {
            if (line.length() > 2000) {
                throw new AssertionError("an error line of " + line.length() + " characters for " + args);
            }
        }
    }
}
