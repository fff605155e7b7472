package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * Lease and release of one named VF while {@link #held} other leases are held by the same host object (so the
 * same process holds that many function locks and lock file descriptors): whether the cost of a lease grows with
 * the leases a VMM process already holds (issue 15). A {@link SysfsTreeGenerator} tree of 8 PFs of 128 VFs, every
 * VF on vfio-pci, read from files. With {@link #pfLockFile} the leased VF's PF has a lock file (as on a host where
 * sriov4j once changed that PF's VFs), so the PF check must ask the kernel whether it is locked; without, the
 * absent lock file answers.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HeldLeasesBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HeldLeasesBenchmark {

    /** Leases held by the host while the benchmark leases one more VF. */
    @Param({"1", "64", "512"})
    public int held;

    /** Whether the leased VF's PF has a lock file. */
    @Param({"false", "true"})
    public boolean pfLockFile;

    private Path dir;
    private SriovHost host;
    private final List<Lease> leases = new ArrayList<>();
    private PciAddress last;

    /**
     * Writes the tree, leases {@link #held} VFs (of other PFs than the measured VF's first, so the measured lease's
     * PF check is not answered by a lock this JVM holds).
     *
     * @throws IOException if the tree cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = SysfsTreeGenerator.scratchDirectory("sriov4j-held-leases");
        Topology t = new SysfsTreeGenerator(8, 128).withAllVfsOnVfio().writeTo(dir.resolve("sys"));
        SriovConfig config = SriovConfig.builder().sysfsRoot(dir.resolve("sys")).stateDir(dir.resolve("state"))
                .build();
        host = SriovEngine.open(config);
        List<PciAddress> all = new ArrayList<>();
        t.virtualFunctions().forEach(vf -> all.add(vf.address()));
        last = all.get(all.size() - 1);
        for (PciAddress vf : all.subList(0, held)) {
            leases.add(host.lease(vf, "holder"));
        }
        if (pfLockFile) {
            PciAddress pf = t.virtualFunctions().get(all.size() - 1).pf();
            Path f = dir.resolve("state").resolve("locks").resolve(pf + ".lock");
            if (!Files.exists(f)) {
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        }
        host.lease(last, "check").close();
    }

    /**
     * Releases the leases, closes the host, deletes the tree.
     *
     * @throws IOException if the tree cannot be deleted
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        leases.forEach(Lease::close);
        leases.clear();
        host.close();
        SysfsTreeGenerator.delete(dir);
    }

    /**
     * Lease and release of the named VF.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease leaseRelease() {
        Lease l = host.lease(last, "bench");
        l.close();
        return l;
    }
}
