package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
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
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * How the costs grow with the host (issue 15, item 5): on a {@link SysfsTreeGenerator} tree of {@link #vfs} VFs
 * (8 and 64: one PF; from 256 on, PFs of 128 VFs: 2, 8 and 16 PFs) with every VF on vfio-pci, read from files with
 * {@code NioSysfsAccess}:
 *
 * <ul>
 *   <li>{@link #discovery()}: {@code SriovHost.topology()};</li>
 *   <li>{@link #leaseRelease()}: lease and release of one named VF (the last VF of the last PF);</li>
 *   <li>{@link #poolLease()}: lease and release through a pool of every VF ({@code VfSelector.any()}) while every
 *       VF but the last of the last PF is leased by another host object (so the pool must pass over
 *       {@code vfs - 1} busy VFs);</li>
 *   <li>{@link #poolLeaseIdle()}: the same pool when nothing else is leased;</li>
 *   <li>{@link #recover()}: {@code recover()} with a ledger of {@code vfs - 1} entries, all held by a live host
 *       (so it reads and checks every entry and changes nothing).</li>
 * </ul>
 * Run with {@code benchmarks/run-cost-curves.sh}, which writes the table and the chart.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CostCurveBenchmark {

    /** VFs of the host. */
    @Param({"8", "64", "256", "1024", "2048"})
    public int vfs;

    private Path dir;
    private SriovConfig config;
    private SriovHost holder;
    private SriovHost host;
    private final List<Lease> held = new ArrayList<>();
    private PciAddress last;
    private VfPool pool;
    private SriovHost idleHost;
    private VfPool idlePool;

    /**
     * The PFs of a host of {@code vfs} VFs: one up to 128 VFs, else PFs of 128.
     *
     * @param vfs the VF count
     * @return the PF count
     */
    static int pfsFor(int vfs) {
        return vfs <= 128 ? 1 : vfs / 128;
    }

    /**
     * Writes the tree (twice: one state directory with every other VF leased, one idle), leases every VF but one
     * with the holder.
     *
     * @throws IOException if the tree cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = SysfsTreeGenerator.scratchDirectory("sriov4j-cost-curves");
        int pfs = pfsFor(vfs);
        SysfsTreeGenerator generator = new SysfsTreeGenerator(pfs, vfs / pfs).withAllVfsOnVfio();
        Topology t = generator.writeTo(dir.resolve("sys"));
        config = SriovConfig.builder().sysfsRoot(dir.resolve("sys")).stateDir(dir.resolve("state")).build();
        holder = SriovEngine.open(config);
        host = SriovEngine.open(config);
        List<PciAddress> all = new ArrayList<>();
        t.virtualFunctions().forEach(vf -> all.add(vf.address()));
        last = all.get(all.size() - 1);
        for (PciAddress vf : all.subList(0, all.size() - 1)) {
            held.add(holder.lease(vf, "holder"));
        }
        pool = host.pool(VfSelector.any());
        idleHost = SriovEngine.open(SriovConfig.builder().sysfsRoot(dir.resolve("sys"))
                .stateDir(dir.resolve("idle-state")).build());
        idlePool = idleHost.pool(VfSelector.any());
        if (host.topology().virtualFunctions().size() != vfs) {
            throw new IllegalStateException("expected " + vfs + " VFs: " + host.topology());
        }
        RecoveryReport r = host.recover();
        if (r.stillHeld().size() != vfs - 1 || !r.restored().isEmpty()) {
            throw new IllegalStateException("recover should find " + (vfs - 1) + " held entries: " + r);
        }
        try (Lease l = pool.lease("check")) {
            if (!l.device().equals(last)) {
                throw new IllegalStateException("the pool should lease the only free VF " + last + ", not "
                        + l.device());
            }
        }
    }

    /**
     * Releases the holder's leases, closes the hosts, deletes the tree.
     *
     * @throws IOException if the tree cannot be deleted
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (Lease l : held) {
            l.close();
        }
        held.clear();
        holder.close();
        host.close();
        idleHost.close();
        SysfsTreeGenerator.delete(dir);
    }

    /**
     * Discovery of the whole host.
     *
     * @return the topology (consumed by JMH)
     */
    @Benchmark
    public Topology discovery() {
        return host.topology();
    }

    /**
     * Lease and release of a named VF.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease leaseRelease() {
        Lease l = host.lease(last, "bench");
        l.close();
        return l;
    }

    /**
     * Lease and release from a pool of every VF, all but one leased elsewhere.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease poolLease() {
        Lease l = pool.lease("bench");
        l.close();
        return l;
    }

    /**
     * Lease and release from a pool of every VF, none leased.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease poolLeaseIdle() {
        Lease l = idlePool.lease("bench");
        l.close();
        return l;
    }

    /**
     * Recovery with {@code vfs - 1} ledger entries held by a live host.
     *
     * @return the report (consumed by JMH)
     */
    @Benchmark
    public RecoveryReport recover() {
        return host.recover();
    }
}
