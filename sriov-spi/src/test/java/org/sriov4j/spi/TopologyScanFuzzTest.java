package org.sriov4j.spi;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.sriov4j.PciAddress;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.testdata.CapturedTrees;
import org.sriov4j.testdata.Fuzzing;

/**
 * Fuzz target: the topology scan ({@code topology} of both scopes, {@code topologyOf} one function) of a sysfs tree
 * captured from Linux 6.12, mutated by the input: file contents replaced (any bytes, empty), entries removed, files
 * turned into FIFOs, 3 GiB files or directories, links to places outside the tree ({@code /dev/zero}, a file
 * standing for {@code /etc/passwd}, {@code /}), links to other places inside it (loops included) and link targets
 * renamed to arbitrary names. Only {@link org.sriov4j.SriovException}s may come out, within 20 s (a FIFO must never
 * block), and no message may quote the file outside the tree. Each input's mutations are undone after it, so the
 * tree is unpacked once per JVM. See {@link Fuzzing}.
 */
class TopologyScanFuzzTest {

    static final String SECRET = "root:x:0:0:fuzzing-secret:/root:/bin/bash";

    /** The unpacked tree and what the mutations need, made once. */
    static final class Tree {
        final Path root;
        final Path stash;
        final Path fifo;
        final Path huge;
        final Path outsideFile;
        final Path state;
        final List<String> entries = new ArrayList<>();
        final List<PciAddress> devices = new ArrayList<>();
        int stashed;

        Tree() throws Exception {
            // under target/fuzz when the profile fuzz runs (its working directory), else the temporary directory
            Path dir = Files.createTempDirectory(Path.of("").toAbsolutePath(), "scan-fuzz-tree");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            root = CapturedTrees.unpack("igb-dual-lib", dir);
            state = Files.createDirectories(dir.resolve("state"));
            stash = Files.createDirectories(dir.resolve("stash"));
            outsideFile = dir.resolve("passwd");
            Files.writeString(outsideFile, SECRET + "\n");
            fifo = stash.resolve("fifo");
            Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
            if (mk.waitFor() != 0) {
                throw new IOException("mkfifo failed");
            }
            huge = stash.resolve("huge");
            try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
                f.setLength(3L << 30);
            }
            for (String top : List.of("devices", "bus/pci/devices", "bus/pci/drivers", "kernel/iommu_groups")) {
                try (Stream<Path> s = Files.walk(root.resolve(top))) {
                    s.forEach(p -> entries.add(root.relativize(p).toString()));
                }
            }
            for (String name : new NioSysfsAccess(root).list("bus/pci/devices")) {
                devices.add(PciAddress.parse(name));
            }
        }
    }

    static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort, at exit
        }
    }

    private static Tree tree;
    private static final ExecutorService SCANNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "scan-fuzz");
        t.setDaemon(true);
        return t;
    });

    static synchronized Tree tree() throws Exception {
        if (tree == null) {
            tree = new Tree();
        }
        return tree;
    }

    /** An undo step. */
    @FunctionalInterface
    interface Undo {
        void run() throws IOException;
    }

    @FuzzTest
    void scan(FuzzedDataProvider data) throws Throwable {
        Tree t = tree();
        Deque<Undo> undo = new ArrayDeque<>();
        try {
            int n = data.consumeInt(1, 4);
            for (int i = 0; i < n; i++) {
                try {
                    mutate(t, data, undo);
                } catch (IOException | java.nio.file.InvalidPathException e) {
                    // this mutation cannot be made (its file was moved by an earlier one): the others stand
                }
            }
            PciAddress focus = t.devices.get(data.consumeInt(0, t.devices.size() - 1));
            SriovConfig config = SriovConfig.builder().sysfsRoot(t.root).stateDir(t.state).build();
            Future<?> run = SCANNER.submit(() -> {
                try (SriovHost host = SriovEngine.open(config)) {
                    for (Fuzzing.Target target : List.<Fuzzing.Target>of(() -> host.topology(ScanScope.SRIOV),
                            () -> host.topology(ScanScope.ALL_FUNCTIONS), () -> host.topologyOf(focus))) {
                        try {
                            target.run();
                        } catch (org.sriov4j.SriovException e) {
                            if (e.getMessage().contains("fuzzing-secret")) {
                                throw new AssertionError("a message quotes a file outside the tree: "
                                        + e.getMessage(), e);
                            }
                        }
                    }
                } catch (Throwable e) {
                    throw new FindingCarrier(e);
                }
                return null;
            });
            try {
                run.get(20, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                AssertionError hung = new AssertionError("the scan did not finish within 20 s (blocked on a FIFO?)");
                Thread.getAllStackTraces().forEach((thread, stack) -> {
                    if (thread.getName().equals("scan-fuzz")) {
                        Throwable where = new Throwable("where the scan is");
                        where.setStackTrace(stack);
                        hung.addSuppressed(where);
                    }
                });
                throw hung;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof FindingCarrier f ? f.getCause() : e.getCause();
            }
        } finally {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
        }
    }

    /** Carries a finding out of the scanning thread. */
    static final class FindingCarrier extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FindingCarrier(Throwable cause) {
            super(cause);
        }
    }

    /** Moves an entry into the stash and arranges for it to come back. */
    static Path moveAway(Tree t, Path p, Deque<Undo> undo) throws IOException {
        Path aside = t.stash.resolve("e" + (t.stashed++));
        Files.move(p, aside);
        undo.push(() -> Files.move(aside, p));
        return aside;
    }

    static void mutate(Tree t, FuzzedDataProvider data, Deque<Undo> undo) throws IOException {
        Path p = t.root.resolve(t.entries.get(data.consumeInt(0, t.entries.size() - 1)));
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || p.equals(t.root)) {
            return; // moved away by an earlier mutation of this input
        }
        switch (data.consumeInt(0, 8)) {
            case 0 -> { // any content
                moveAway(t, p, undo);
                Files.write(p, data.consumeBytes(data.consumeInt(0, 200)));
                undo.push(() -> Files.deleteIfExists(p));
            }
            case 1 -> { // a FIFO: reading it would block forever
                moveAway(t, p, undo);
                Files.move(t.fifo, p);
                undo.push(() -> Files.move(p, t.fifo));
            }
            case 2 -> { // 3 GiB
                moveAway(t, p, undo);
                Files.move(t.huge, p);
                undo.push(() -> Files.move(p, t.huge));
            }
            case 3 -> { // a link out of the tree
                moveAway(t, p, undo);
                String[] outside = {"/dev/zero", t.outsideFile.toString(), "/",
                    "../../../../../../../../../../../../etc/passwd", t.outsideFile.getParent().toString()};
                Files.createSymbolicLink(p, Path.of(outside[data.consumeInt(0, outside.length - 1)]));
                undo.push(() -> Files.deleteIfExists(p));
            }
            case 4 -> { // a link to another place in the tree (itself, a loop, a directory, a file)
                moveAway(t, p, undo);
                Path other = t.root.resolve(t.entries.get(data.consumeInt(0, t.entries.size() - 1)));
                Path parent = p.getParent();
                Path target = data.consumeBoolean() || parent == null ? other : parent.relativize(other);
                Files.createSymbolicLink(p, target);
                undo.push(() -> Files.deleteIfExists(p));
            }
            case 5 -> { // a link whose target has an arbitrary name (a driver, a BDF, a group number)
                String name = data.consumeString(40).replace('/', '_').replace('\0', '_');
                if (name.isEmpty()) {
                    name = "_";
                }
                moveAway(t, p, undo);
                Files.createSymbolicLink(p, Path.of("../../../../bus/pci/drivers").resolve(name));
                undo.push(() -> Files.deleteIfExists(p));
            }
            case 6 -> { // a directory where a file or link was
                moveAway(t, p, undo);
                Files.createDirectory(p);
                undo.push(() -> Files.deleteIfExists(p));
            }
            case 7 -> { // an extra entry next to it (a virtfnN, a group member, a device)
                Path parent = p.getParent();
                String name = data.consumeString(24).replace('/', '_').replace('\0', '_');
                if (parent == null || name.isEmpty() || name.equals(".") || name.equals("..")
                        || Files.exists(parent.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                    return;
                }
                Path extra = parent.resolve(name);
                Files.createSymbolicLink(extra, Path.of(data.consumeString(40).replace('\0', '_') + "x"));
                undo.push(() -> Files.deleteIfExists(extra));
            }
            default -> moveAway(t, p, undo); // gone
        }
    }
}
