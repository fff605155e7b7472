package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.testing.SysfsCapture;

/**
 * Lease and release of one VF on the simulated kernel ({@link SimulatedKernel#intel82576Host()} with 2 VFs), through
 * the whole engine: per-function lock file, ledger, sysfs.
 *
 * <ul>
 *   <li>{@link #managed()}: VF 0 is on its host driver igbvf, so the lease detaches it to vfio-pci (ledger intent,
 *       {@code driver_override}, unbind, {@code drivers_probe}, ledger outcome) and the release gives it back
 *       (reattach and record removal);</li>
 *   <li>{@link #unmanaged()}: VF 1 is on vfio-pci already, so the lease only locks and checks;</li>
 *   <li>{@link #poolManaged()} and {@link #poolUnmanaged()}: the same through a {@link VfPool} naming that one VF,
 *       which adds a fresh topology scan per lease;</li>
 *   <li>{@link #treeUnmanaged(Tree)} and {@link #treePoolUnmanaged(Tree)}: the unmanaged lease on a copy of the
 *       simulated host written to disk by {@link SysfsCapture} and read with {@code NioSysfsAccess}, as in the
 *       stress test: what is measured is the engine (lock file, ledger, sysfs reads) without the simulator, whose
 *       rendering of sysfs paths is most of the time of the simulator variants.</li>
 * </ul>
 * The state directory is a scratch directory on {@code /dev/shm} where there is one (see
 * {@link SysfsTreeGenerator#scratchDirectory(String)}), like {@code /run/sriov4j} on tmpfs. A new host object is
 * opened for every iteration.
 *
 * <p>Run with {@code benchmarks/run-lease.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LeaseBenchmark {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    private Path stateDir;
    private SimulatedKernel kernel;
    private SriovConfig config;
    private PciAddress onHostDriver;
    private PciAddress onVfio;
    private SriovHost host;
    private VfPool managedPool;
    private VfPool unmanagedPool;

    /**
     * Enables 2 VFs, moves VF 1 to vfio-pci and leases it once (which records it, once, in the ledger).
     *
     * @throws IOException if the state directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        stateDir = SysfsTreeGenerator.scratchDirectory("sriov4j-lease-bench");
        kernel = SimulatedKernel.intel82576Host();
        config = SriovConfig.builder().stateDir(stateDir).build();
        try (SriovHost h = SriovEngine.open(config, kernel, kernel.devices())) {
            h.enableVfs(PF, 2);
            onHostDriver = kernel.vfsOf(PF).get(0);
            onVfio = kernel.vfsOf(PF).get(1);
            kernel.write("bus/pci/devices/" + onVfio + "/driver_override", "vfio-pci");
            kernel.write("bus/pci/drivers/igbvf/unbind", onVfio.toString());
            kernel.write("bus/pci/drivers_probe", onVfio.toString());
            check(onHostDriver, "igbvf");
            check(onVfio, "vfio-pci");
            try (Lease lease = h.lease(onVfio, "setup")) {
                if (lease.managed()) {
                    throw new IllegalStateException("a VF on vfio-pci must be leased unmanaged");
                }
            }
            try (Lease lease = h.lease(onHostDriver, "setup")) {
                if (!lease.managed()) {
                    throw new IllegalStateException("a VF on igbvf must be leased managed");
                }
                check(onHostDriver, "vfio-pci");
            }
            check(onHostDriver, "igbvf");
        }
    }

    private void check(PciAddress vf, String driver) {
        if (!kernel.driverOf(vf).equals(Optional.of(driver))) {
            throw new IllegalStateException(vf + " should be on " + driver + ": " + kernel);
        }
    }

    /** Opens a host for the iteration (a host object keeps its leases until it is closed). */
    @Setup(Level.Iteration)
    public void openHost() {
        host = SriovEngine.open(config, kernel, kernel.devices());
        managedPool = host.pool(VfSelector.builder().pf(PF).vfIndex(0).build());
        unmanagedPool = host.pool(VfSelector.builder().pf(PF).vfIndex(1).build());
    }

    /** Closes the iteration's host, checks the VFs are back where they were, and empties the kernel's write log. */
    @TearDown(Level.Iteration)
    public void closeHost() {
        host.close();
        check(onHostDriver, "igbvf");
        check(onVfio, "vfio-pci");
        kernel.clearWrites();
    }

    /**
     * Deletes the state directory.
     *
     * @throws IOException if it cannot be deleted
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        SysfsTreeGenerator.delete(stateDir);
    }

    /**
     * Lease and release of a VF on igbvf: detach to vfio-pci and back.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease managed() {
        Lease lease = host.lease(onHostDriver, "bench");
        lease.close();
        return lease;
    }

    /**
     * Lease and release of a VF already on vfio-pci.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease unmanaged() {
        Lease lease = host.lease(onVfio, "bench");
        lease.close();
        return lease;
    }

    /**
     * {@link #managed()} through a pool.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease poolManaged() {
        Lease lease = managedPool.lease("bench");
        lease.close();
        return lease;
    }

    /**
     * {@link #unmanaged()} through a pool.
     *
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease poolUnmanaged() {
        Lease lease = unmanagedPool.lease("bench");
        lease.close();
        return lease;
    }

    /** The captured tree: VF 1 on vfio-pci, read from files; its own state directory. */
    @State(Scope.Benchmark)
    public static class Tree {
        private Path dir;
        private SriovConfig config;
        private PciAddress onVfio;
        private SriovHost host;
        private VfPool pool;

        /**
         * Writes the tree and leases VF 1 once.
         *
         * @throws IOException if the directory cannot be made
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = SysfsTreeGenerator.scratchDirectory("sriov4j-lease-tree-bench");
            SimulatedKernel k = SimulatedKernel.intel82576Host();
            k.write("bus/pci/devices/" + PF + "/sriov_numvfs", "2");
            onVfio = k.vfsOf(PF).get(1);
            k.write("bus/pci/devices/" + onVfio + "/driver_override", "vfio-pci");
            k.write("bus/pci/drivers/igbvf/unbind", onVfio.toString());
            k.write("bus/pci/drivers_probe", onVfio.toString());
            SysfsCapture.capture(k, dir.resolve("sys"));
            config = SriovConfig.builder().sysfsRoot(dir.resolve("sys")).stateDir(dir.resolve("state")).build();
            try (SriovHost h = SriovEngine.open(config); Lease lease = h.lease(onVfio, "setup")) {
                if (lease.managed()) {
                    throw new IllegalStateException("a VF on vfio-pci must be leased unmanaged");
                }
            }
        }

        /** Opens a host for the iteration. */
        @Setup(Level.Iteration)
        public void openHost() {
            host = SriovEngine.open(config);
            pool = host.pool(VfSelector.builder().pf(PF).vfIndex(1).build());
        }

        /** Closes the iteration's host. */
        @TearDown(Level.Iteration)
        public void closeHost() {
            host.close();
        }

        /**
         * Deletes the tree and the state directory.
         *
         * @throws IOException if they cannot be deleted
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            SysfsTreeGenerator.delete(dir);
        }
    }

    /**
     * Lease and release of a VF on vfio-pci in a sysfs tree on disk.
     *
     * @param tree the tree
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease treeUnmanaged(Tree tree) {
        Lease lease = tree.host.lease(tree.onVfio, "bench");
        lease.close();
        return lease;
    }

    /**
     * {@link #treeUnmanaged(Tree)} through a pool.
     *
     * @param tree the tree
     * @return the lease (consumed by JMH)
     */
    @Benchmark
    public Lease treePoolUnmanaged(Tree tree) {
        Lease lease = tree.pool.lease("bench");
        lease.close();
        return lease;
    }
}
