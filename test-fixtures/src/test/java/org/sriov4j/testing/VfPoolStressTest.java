package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfSelector;
import org.sriov4j.VirtualFunction;

/**
 * The "done when" of VF pools: threads of two processes lease and release from one pool for a while, never get a
 * VF that someone else holds (checked by {@link VfPoolStressWorker}'s record, which does not use the code under
 * test), and leave every VF free.
 *
 * <p>The simulated kernel lives in one JVM, so the two processes share a sysfs tree on disk instead: the
 * {@link Preset#TWO_PFS_TWO_NUMA_NODES} host with 7 VFs per PF, every VF on vfio-pci, captured by
 * {@link SysfsCapture}. Leases of VFs already on the stub driver are unmanaged and write nothing to sysfs, so what
 * the processes share and contend for is exactly the engine's state directory: lock files and ledger.
 *
 * <p>By default the run lasts {@value #DEFAULT_SECONDS} s, to keep the build fast; the full run of the issue is
 * <pre>
 * mvn -o verify -pl test-fixtures -am -Dtest=VfPoolStressTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dsriov4j.stress.seconds=30
 * </pre>
 * Properties: {@code sriov4j.stress.seconds} ({@value #DEFAULT_SECONDS}), {@code sriov4j.stress.threads} (threads in
 * this JVM, {@value #DEFAULT_THREADS}), {@code sriov4j.stress.workerThreads} (threads in the second process,
 * {@value #DEFAULT_WORKER_THREADS}).
 */
class VfPoolStressTest {

    static final double DEFAULT_SECONDS = 3;
    static final int DEFAULT_THREADS = 32;
    static final int DEFAULT_WORKER_THREADS = 16;

    /** On {@code /dev/shm} where there is one: sysfs and {@code /run/sriov4j} are in memory too (no disk fsync). */
    @TempDir(factory = InMemory.class)
    Path tmp;

    /** Makes temporary directories in {@code /dev/shm} if it is a writable directory, else in the default place. */
    static final class InMemory implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
                throws IOException {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "sriov4j-stress")
                    : Files.createTempDirectory("sriov4j-stress");
        }
    }

    /** Writes the stress tree: two PFs with 7 VFs each, all on vfio-pci. */
    static void writeTree(Path dir) {
        SimulatedKernel k = Preset.TWO_PFS_TWO_NUMA_NODES.newKernel();
        for (String pf : List.of("0000:01:00.0", "0000:81:00.0")) {
            k.write("bus/pci/devices/" + pf + "/sriov_drivers_autoprobe", "0");
            k.write("bus/pci/devices/" + pf + "/sriov_numvfs", "7");
            for (PciAddress vf : k.vfsOf(PciAddress.parse(pf))) {
                k.write("bus/pci/devices/" + vf + "/driver_override", "vfio-pci");
                k.write("bus/pci/drivers_probe", vf.toString());
            }
        }
        SysfsCapture.capture(k, dir);
    }

    /**
     * Every ledger file with its content, less what records who wrote it when (a lease rewrites the record of the
     * function it takes, naming its lessee, and its end rewrites it again: owner, time and checksum change).
     */
    static Map<String, String> ledger(Path stateDir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path dir = stateDir.resolve("ledger");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                out.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.ISO_8859_1).lines()
                        .filter(l -> !l.matches("(owner_pid|owner_start|updated|crc32)=.*"))
                        .collect(java.util.stream.Collectors.joining("\n")));
            }
        }
        return out;
    }

    static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void threadsOfTwoProcessesNeverHoldTheSameVfAndEveryVfEndsFree() throws Exception {
        double seconds = Double.parseDouble(System.getProperty("sriov4j.stress.seconds", "" + DEFAULT_SECONDS));
        int threads = Integer.getInteger("sriov4j.stress.threads", DEFAULT_THREADS);
        int workerThreads = Integer.getInteger("sriov4j.stress.workerThreads", DEFAULT_WORKER_THREADS);
        Path sysfs = tmp.resolve("sys");
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path record = Files.createDirectory(tmp.resolve("record"));
        writeTree(sysfs);

        List<PciAddress> members;
        Map<String, String> ledgerBefore;
        try (SriovHost host = VfPoolStressWorker.open(sysfs, state)) {
            Topology t = host.topology();
            assertEquals(14, t.virtualFunctions().size(), t.toString());
            for (VirtualFunction vf : t.virtualFunctions()) {
                assertEquals(Optional.of("vfio-pci"), vf.function().driver(), vf.toString());
                assertTrue(vf.function().iommuGroup().isPresent(), vf.toString());
            }
            members = host.pool(VfPoolStressWorker.SELECTORS.toArray(VfSelector[]::new)).members();
            assertEquals(8, members.size(), members.toString());
            // the first lease of a VF someone else detached records it (original driver unknown); do it now, so
            // that what the stress leaves in the ledger can be compared with what was there before
            for (PciAddress vf : members) {
                try (Lease lease = host.lease(vf, "setup")) {
                    assertFalse(lease.managed(), "VFs on vfio-pci are leased unmanaged: no sysfs writes");
                }
            }
            ledgerBefore = ledger(state);
        }

        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), VfPoolStressWorker.class.getName(), sysfs.toString(),
                state.toString(), record.toString(), Double.toString(seconds), Integer.toString(workerThreads));
        Process worker = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        VfPoolStressWorker.Result mine;
        VfPoolStressWorker.Result theirs;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(),
                    StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertTrue(ready != null && ready.equals("READY " + members), "worker: " + ready);
            CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
                List<String> all = new ArrayList<>();
                try {
                    for (String l; (l = out.readLine()) != null;) {
                        all.add(l);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return all;
            });
            try (Writer go = new OutputStreamWriter(worker.getOutputStream(), StandardCharsets.UTF_8)) {
                go.write("GO\n");
            }
            try (SriovHost host = VfPoolStressWorker.open(sysfs, state)) {
                mine = VfPoolStressWorker.run(host, record, seconds, threads);
            }
            assertTrue(worker.waitFor((long) seconds + 120, TimeUnit.SECONDS), "the worker did not finish");
            assertEquals(0, worker.exitValue(), "worker exit status");
            List<String> output = lines.get(10, TimeUnit.SECONDS);
            List<String> violations = output.stream().filter(l -> l.startsWith("VIOLATION "))
                    .map(l -> l.substring("VIOLATION ".length())).toList();
            String result = output.stream().filter(l -> l.startsWith("RESULT ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no RESULT from the worker: " + output));
            theirs = VfPoolStressWorker.Result.parse(result, violations);
        } finally {
            worker.destroyForcibly();
        }

        System.out.printf("stress %.0f s: this JVM %s%n", seconds, mine.line());
        System.out.printf("stress %.0f s: worker   %s%n", seconds, theirs.line());
        assertEquals(List.of(), mine.violations(), "violations in this JVM");
        assertEquals(List.of(), theirs.violations(), "violations in the worker");
        assertTrue(mine.leases() > 0 && theirs.leases() > 0, "both processes must have leased: " + mine.leases()
                + ", " + theirs.leases());
        assertEquals(0, mine.managed() + theirs.managed(), "managed leases");
        for (VfPoolStressWorker.Result r : List.of(mine, theirs)) {
            assertEquals(r.leases(), r.perVf().values().stream().mapToLong(Long::longValue).sum(),
                    "every lease was of a member");
        }

        // every VF ends free: no record left, the ledger as before, nothing held, every member leasable again
        assertEquals(List.of(), listing(record), "markers left in the record");
        assertEquals(ledgerBefore, ledger(state), "the stress must leave nothing in the ledger");
        try (SriovHost host = VfPoolStressWorker.open(sysfs, state)) {
            RecoveryReport r = host.recover();
            assertEquals(List.of(), r.restored(), r.toString());
            assertEquals(List.of(), r.stillHeld(), r.toString());
            assertEquals(List.of(), r.problems(), r.toString());
            List<Lease> all = new ArrayList<>();
            try {
                for (PciAddress vf : members) {
                    all.add(host.lease(vf, "after"));
                }
                assertEquals(Optional.empty(), host.pool(VfPoolStressWorker.SELECTORS.toArray(VfSelector[]::new))
                        .tryLease("one too many"));
            } finally {
                all.forEach(Lease::close);
            }
        }
        assertEquals(ledgerBefore, ledger(state));
    }

    /**
     * The record is not vacuous: with a host whose leases are not exclusive (every lease is of the same VF, and no
     * lock is taken), the same threads report violations, from the marker files as well as from the in-memory map.
     */
    @Test
    void theRecordCatchesLeasesThatAreNotExclusive() throws Exception {
        Path sysfs = tmp.resolve("sys");
        Path record = Files.createDirectory(tmp.resolve("record"));
        writeTree(sysfs);
        try (SriovHost real = VfPoolStressWorker.open(sysfs, Files.createDirectory(tmp.resolve("state")))) {
            PciAddress first = real.pool(VfPoolStressWorker.SELECTORS.toArray(VfSelector[]::new)).members().get(0);
            InvocationHandler h = (proxy, method, args) -> {
                if (method.isDefault()) {
                    return InvocationHandler.invokeDefault(proxy, method, args);
                }
                if (method.getName().equals("lease")) {
                    return new Lease() {
                        @Override
                        public PciAddress device() {
                            return first;
                        }

                        @Override
                        public String guest() {
                            return (String) args[1];
                        }

                        @Override
                        public boolean managed() {
                            return false;
                        }

                        @Override
                        public boolean isHeld() {
                            return true;
                        }

                        @Override
                        public void attachToGuest(String domain) {
                            throw new SriovException("attach to guest", first, Errno.EOPNOTSUPP, null,
                                    "this lease does not attach devices to guests", null);
                        }

                        @Override
                        public void detachFromGuest() {
                        }

                        @Override
                        public void close() {
                        }
                    };
                }
                return method.invoke(real, args);
            };
            SriovHost broken = (SriovHost) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {SriovHost.class}, h);
            VfPoolStressWorker.Result r = VfPoolStressWorker.run(broken, record, 1, 8);
            assertTrue(r.violations().stream().anyMatch(v -> v.contains("while the record shows it held by")),
                    r.violations().stream().limit(5).toList().toString());
            assertTrue(r.violations().stream().anyMatch(v -> v.contains("in this process holds it")),
                    r.violations().stream().limit(5).toList().toString());
        }
    }
}
