package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child processes a real-kernel test starts (the CLI, a stand-in VMM or lease holder on this test's class path, a
 * {@code sleep}): each is stopped with {@code kill -9} when the test closes this.
 */
final class ChildJvms implements AutoCloseable {

    private final List<Process> children = new ArrayList<>();

    /** Starts {@code mainClass} of the test class path in a child JVM, its stderr merged into its stdout. */
    Process start(String mainClass, List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return process(cmd.toArray(String[]::new));
    }

    /** Starts the command line ({@code sriov4j ARGS}) in a child JVM. */
    Process cli(String... args) throws IOException {
        return start("org.sriov4j.cli.Main", List.of(), args);
    }

    /** Starts any command, its stderr merged into its stdout. */
    Process process(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    /** Reads the child's output until a line contains {@code text}; fails if it exits first. */
    static String awaitLine(Process p, String text) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line; (line = r.readLine()) != null;) {
            seen.append(line).append('\n');
            if (line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("the child ended without printing '" + text + "':\n" + seen);
    }

    /** Waits up to 120 s for the child to end: its exit status. */
    static int run(Process p) throws InterruptedException {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
        return p.exitValue();
    }

    /** Kills every child still running and waits up to 30 s for each. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
