package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * Discovery of a large host (by default 16 PFs x 128 VFs: 2,064 SR-IOV functions, 18 other functions) written by
 * {@link SysfsTreeGenerator} to a scratch directory (on {@code /dev/shm} where there is one, see
 * {@link SysfsTreeGenerator#scratchDirectory(String)}), against {@link PlainFilesDiscovery}: the same file-system
 * operations made with plain {@link Files} calls. Setup checks with {@link OperationCountCheck} that both make
 * exactly the same operations, and fails the trial if they do not.
 *
 * <p>Run with {@code benchmarks/run-discovery.sh}, which also prints the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DiscoveryBenchmark {

    /** PFs in the generated tree. */
    @Param({"16"})
    public int pfs;

    /** VFs per PF in the generated tree. */
    @Param({"128"})
    public int vfsPerPf;

    private Path dir;
    private SriovHost host;
    private PlainFilesDiscovery baseline;

    /**
     * Writes the tree, opens the engine on it, and checks that both sides make the same operations.
     *
     * @throws IOException if the tree cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = SysfsTreeGenerator.scratchDirectory("sriov4j-discovery-bench");
        Path sys = dir.resolve("sys");
        SysfsTreeGenerator generator = new SysfsTreeGenerator(pfs, vfsPerPf);
        generator.writeTo(sys);
        OperationCountCheck.Comparison c = OperationCountCheck.verify(sys);
        if (c.topology().physicalFunctions().size() != pfs || c.topology().virtualFunctions().size() != pfs * vfsPerPf) {
            throw new IllegalStateException("discovery of the generated tree is wrong: " + c.topology());
        }
        System.out.println();
        System.out.println("# " + generator.functionCount() + " PCI functions; per discovery:\n" + c);
        host = SriovEngine.open(OperationCountCheck.config(sys));
        baseline = new PlainFilesDiscovery(sys);
    }

    /**
     * Closes the engine and deletes the tree.
     *
     * @throws IOException if the tree cannot be deleted
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        host.close();
        SysfsTreeGenerator.delete(dir);
    }

    /**
     * The engine: {@code SriovHost.topology()} on the generated tree.
     *
     * @return the topology (consumed by JMH)
     */
    @Benchmark
    public Topology discovery() {
        return host.topology();
    }

    /**
     * The same operations with plain {@link Files} calls and minimal parsing.
     *
     * @return the scan result (consumed by JMH)
     */
    @Benchmark
    public PlainFilesDiscovery.Result baselinePlainFiles() {
        return baseline.scan();
    }
}
