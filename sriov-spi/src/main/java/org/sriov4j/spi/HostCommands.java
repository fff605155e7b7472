package org.sriov4j.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;

/**
 * What a backend may use of the host besides sysfs and {@code /dev}: files outside sysfs (e.g.
 * {@code /proc/xen/capabilities}) and the hypervisor's command-line tools (e.g. {@code xl}), run from an argument
 * vector, never through a shell. {@link #system()} is the real host; the simulated kernel of
 * {@code sriov4j-test-fixtures} supplies fakes.
 */
public interface HostCommands {

    /**
     * What a command did.
     *
     * @param exitCode its exit status
     * @param stdout what it wrote to standard output
     * @param stderr what it wrote to standard error
     */
    record Result(int exitCode, String stdout, String stderr) {

        /**
         * Checks the values.
         *
         * @param exitCode its exit status
         * @param stdout what it wrote to standard output
         * @param stderr what it wrote to standard error
         */
        public Result {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }

        /**
         * Whether it exited with 0.
         *
         * @return true on success
         */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs a command and waits for it.
     *
     * @param argv the program and its arguments; never interpreted by a shell
     * @param timeout how long to wait before the command is killed
     * @return what it did
     * @throws SriovException {@link Errno#ETIMEDOUT} if it ran longer than {@code timeout}; {@link Errno#ENOENT} if
     *     the program cannot be started
     */
    Result run(List<String> argv, Duration timeout);

    /**
     * Reads a whole file outside sysfs, e.g. {@code /proc/xen/capabilities}. Only reads, and only regular files of
     * at most 16 MiB: a FIFO, a device node or a larger file is treated as one
     * that cannot be read (never blocks, never fills the heap).
     *
     * @param absolutePath the file
     * @return its content, or empty if it does not exist or cannot be read
     */
    Optional<String> readFile(String absolutePath);

    /**
     * The real host: {@link ProcessBuilder} and {@link Files}.
     *
     * @return the real host's commands
     */
    static HostCommands system() {
        return SystemCommands.INSTANCE;
    }

    /**
     * A host without files outside sysfs and without commands: every command fails with {@link Errno#ENOENT}.
     *
     * @return the empty host
     */
    static HostCommands none() {
        return new HostCommands() {
            @Override
            public Result run(List<String> argv, Duration timeout) {
                throw new SriovException("run " + (argv.isEmpty() ? "" : argv.get(0)), null, Errno.ENOENT, null,
                        "no commands on this host", null);
            }

            @Override
            public Optional<String> readFile(String absolutePath) {
                return Optional.empty();
            }
        };
    }
}

/** {@link HostCommands#system()}. */
final class SystemCommands implements HostCommands {

    static final SystemCommands INSTANCE = new SystemCommands();
    /** The largest file {@link #readFile} reads (a kernel's modules.dep is well under 2 MiB). */
    static final int MAX_FILE_BYTES = 16 << 20;

    private SystemCommands() {
    }

    @Override
    public Result run(List<String> argv, Duration timeout) {
        List<String> args = List.copyOf(argv);
        if (args.isEmpty()) {
            throw new IllegalArgumentException("empty argument vector");
        }
        String op = "run " + args.get(0);
        Process p;
        try {
            p = new ProcessBuilder(args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new SriovException(op, null, Errno.ENOENT, null, "cannot start " + args.get(0) + ": "
                    + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SriovException(op, null, Errno.ETIMEDOUT, null, String.join(" ", args)
                        + " did not finish within " + timeout.toMillis() + " ms (killed)", null);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SriovException(op, null, null, null, "interrupted while waiting for " + args.get(0), e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<String> readFile(String absolutePath) {
        Path p = Path.of(absolutePath);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + absolutePath);
        }
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            return Optional.empty(); // missing, or a FIFO (whose open would block), a device, a directory
        }
        try (java.io.InputStream in = Files.newInputStream(p)) {
            // /proc files report size 0: read up to the limit and one byte more to tell a larger file
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            return bytes.length > MAX_FILE_BYTES ? Optional.empty()
                    : Optional.of(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
