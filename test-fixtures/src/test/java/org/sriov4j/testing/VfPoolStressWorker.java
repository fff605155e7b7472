package org.sriov4j.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;

/**
 * One process of {@link VfPoolStressTest}: {@code threads} threads lease from one {@link VfPool} and release, as
 * fast as they can, until the time is up, and check exclusivity with a record that does not use the code under
 * test.
 *
 * <p>The record: right after getting a lease of VF {@code v}, the holder creates {@code <recordDir>/<v>.held} with
 * {@code O_CREAT|O_EXCL} ({@link StandardOpenOption#CREATE_NEW}), writing its process, thread and lease number into
 * it; right before closing the lease it deletes the file. Since the marker's life lies inside the lease's, two
 * overlapping markers (the second creation fails with {@link FileAlreadyExistsException}) prove two overlapping
 * leases, in this process or across processes. Within the process, a map from VF to holder checked with
 * {@code putIfAbsent} is a second, in-memory record. A lease of a VF that is not a member of the pool, a managed
 * lease (the VFs are all on vfio-pci: a lease must write nothing to sysfs) or a marker that is gone when its holder
 * deletes it are violations too.
 *
 * <p>As a separate process: {@code VfPoolStressWorker SYSFS_ROOT STATE_DIR RECORD_DIR SECONDS THREADS}; it opens
 * the host, prints {@code READY}, waits for a line on standard input, runs, and prints {@code VIOLATION ...} lines
 * and one {@link Result#line() RESULT} line.
 */
public final class VfPoolStressWorker {

    /** The pool's selectors (8 of the 14 VFs of the stress tree). */
    static final List<VfSelector> SELECTORS = List.of(VfSelector.parse("eth0#0-3"),
            VfSelector.parse("0000:81:00.0#2-5"));

    private VfPoolStressWorker() {
    }

    /**
     * What one process saw.
     *
     * @param pid the process
     * @param threads how many threads leased
     * @param leases leases taken and closed
     * @param exhausted times the pool had no free VF
     * @param managed managed leases (must be 0)
     * @param perVf leases by VF
     * @param violations what went wrong (must be empty)
     */
    record Result(long pid, int threads, long leases, long exhausted, long managed, Map<String, Long> perVf,
            List<String> violations) {

        /** The line the worker process prints: {@code RESULT pid=.. threads=.. leases=.. ... perVf=a:1,b:2}. */
        String line() {
            StringBuilder b = new StringBuilder("RESULT pid=" + pid + " threads=" + threads + " leases=" + leases
                    + " exhausted=" + exhausted + " managed=" + managed + " violations=" + violations.size()
                    + " perVf=");
            perVf.forEach((vf, n) -> b.append(vf).append('=').append(n).append(','));
            return b.toString();
        }

        /** Reads {@link #line()} back, with the violations printed before it. */
        static Result parse(String line, List<String> violations) {
            Map<String, String> f = new TreeMap<>();
            for (String kv : line.substring("RESULT ".length()).split(" ")) {
                int eq = kv.indexOf('=');
                f.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            Map<String, Long> perVf = new TreeMap<>();
            for (String kv : f.get("perVf").split(",")) {
                if (!kv.isEmpty()) {
                    int eq = kv.lastIndexOf('=');
                    perVf.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
                }
            }
            return new Result(Long.parseLong(f.get("pid")), Integer.parseInt(f.get("threads")),
                    Long.parseLong(f.get("leases")), Long.parseLong(f.get("exhausted")),
                    Long.parseLong(f.get("managed")), perVf, violations);
        }
    }

    /**
     * Opens the host the stress works on: the captured tree and the shared state directory.
     *
     * @param sysfsRoot the tree
     * @param stateDir the state directory shared by both processes
     * @return the host
     */
    static SriovHost open(Path sysfsRoot, Path stateDir) {
        return SriovHost.open(SriovConfig.builder().sysfsRoot(sysfsRoot).stateDir(stateDir).build());
    }

    /**
     * Runs {@code threads} threads against {@code host}'s pool for {@code seconds}.
     *
     * @param host the host
     * @param recordDir the independent record's directory (shared by both processes)
     * @param seconds how long
     * @param threads how many threads
     * @return what was seen
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    static Result run(SriovHost host, Path recordDir, double seconds, int threads) throws InterruptedException {
        VfPool pool = host.pool(SELECTORS.toArray(VfSelector[]::new));
        List<PciAddress> members = pool.members();
        Set<PciAddress> memberSet = Set.copyOf(members);
        long pid = ProcessHandle.current().pid();
        AtomicLong leases = new AtomicLong();
        AtomicLong exhausted = new AtomicLong();
        AtomicLong managed = new AtomicLong();
        AtomicLongArray perVf = new AtomicLongArray(members.size());
        List<String> violations = Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<PciAddress, String> holders = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int tid = t;
            Thread thread = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(pid * 1000 + tid);
                String guest = "stress-" + pid + "-" + tid;
                try {
                    for (long n = 0; System.nanoTime() < deadline; n++) {
                        // a third of the threads prefer node 0, a third node 1, a third nothing
                        Optional<Lease> taken = tid % 3 == 2 ? pool.tryLease(guest) : pool.tryLease(guest, tid % 3);
                        if (taken.isEmpty()) {
                            exhausted.incrementAndGet();
                            Thread.yield();
                            continue;
                        }
                        try (Lease lease = taken.get()) {
                            hold(lease, guest + " #" + n, random, recordDir, memberSet, holders, violations);
                            if (lease.managed()) {
                                managed.incrementAndGet();
                            }
                            int i = members.indexOf(lease.device());
                            if (i >= 0) {
                                perVf.incrementAndGet(i);
                            }
                        }
                        leases.incrementAndGet();
                    }
                } catch (RuntimeException | Error e) {
                    violations.add("thread " + guest + " failed: " + e);
                    e.printStackTrace();
                } finally {
                    done.countDown();
                }
            }, "stress-" + tid);
            started.add(thread);
            thread.start();
        }
        if (!done.await((long) seconds + 120, TimeUnit.SECONDS)) {
            violations.add("threads did not finish within " + ((long) seconds + 120) + " s");
        }
        Map<String, Long> counts = new TreeMap<>();
        for (int i = 0; i < members.size(); i++) {
            counts.put(members.get(i).toString(), perVf.get(i));
        }
        return new Result(pid, threads, leases.get(), exhausted.get(), managed.get(), counts,
                List.copyOf(violations));
    }

    /** Checks and keeps the record for the life of one lease. */
    private static void hold(Lease lease, String who, SplittableRandom random, Path recordDir,
            Set<PciAddress> members, ConcurrentHashMap<PciAddress, String> holders, List<String> violations) {
        PciAddress vf = lease.device();
        if (!members.contains(vf)) {
            violations.add(who + " got " + vf + ", which is not a member of the pool");
        }
        Path marker = recordDir.resolve(vf + ".held");
        boolean created = false;
        try {
            Files.write(marker, who.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            created = true;
        } catch (FileAlreadyExistsException e) {
            violations.add(who + " got " + vf + " while the record shows it held by " + read(marker));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String other = holders.putIfAbsent(vf, who);
        if (other != null) {
            violations.add(who + " got " + vf + " while " + other + " in this process holds it");
        }
        // hold it a little, so that holders overlap if exclusion is broken
        LockSupport.parkNanos(random.nextLong(200_000));
        if (other == null) {
            holders.remove(vf, who);
        }
        if (created) {
            try {
                Files.delete(marker);
            } catch (NoSuchFileException e) {
                violations.add(who + ": its record of " + vf + " was deleted by someone else");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String read(Path marker) {
        try {
            return new String(Files.readAllBytes(marker), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * The second process.
     *
     * @param args SYSFS_ROOT STATE_DIR RECORD_DIR SECONDS THREADS
     * @throws Exception on any failure (the exit status is then not 0)
     */
    public static void main(String[] args) throws Exception {
        Path sysfs = Path.of(args[0]);
        Path state = Path.of(args[1]);
        Path record = Path.of(args[2]);
        double seconds = Double.parseDouble(args[3]);
        int threads = Integer.parseInt(args[4]);
        try (SriovHost host = open(sysfs, state)) {
            System.out.println("READY " + host.pool(SELECTORS.toArray(VfSelector[]::new)).members());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (in.readLine() == null) {
                System.out.println("VIOLATION no go signal");
                return;
            }
            Result r = run(host, record, seconds, threads);
            for (String v : r.violations()) {
                System.out.println("VIOLATION " + v.replace('\n', ' '));
            }
            System.out.println(r.line());
            System.out.flush();
        }
    }
}
