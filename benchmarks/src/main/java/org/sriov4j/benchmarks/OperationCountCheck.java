package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.spi.NioDeviceNodeAccess;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * Proves the discovery benchmark compares like with like: runs the engine's discovery on a
 * {@link CountingSysfsAccess} and the {@link PlainFilesDiscovery} baseline on the same tree, and compares their
 * operation counts and what they found. Run by the benchmark's setup (a mismatch fails the trial), by the unit
 * tests, and by {@code run-discovery.sh}:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.sriov4j.benchmarks.OperationCountCheck [SYSFS_ROOT]
 * </pre>
 *
 * <p>Without an argument it generates the full 16 x 128 tree in a temporary directory.
 */
public final class OperationCountCheck {

    private OperationCountCheck() {
    }

    /**
     * Both sides of the comparison.
     *
     * @param engine the engine's operations
     * @param baseline the baseline's operations
     * @param topology what the engine found
     * @param plain what the baseline found
     */
    public record Comparison(SysfsOps engine, SysfsOps baseline, Topology topology, PlainFilesDiscovery.Result plain) {

        /**
         * Whether both made the same operations and found the same numbers of PFs, VFs and IOMMU groups.
         *
         * @return true if the benchmark pair is apples to apples
         */
        public boolean matches() {
            return engine.equals(baseline) && topology.physicalFunctions().size() == plain.pfs()
                    && topology.virtualFunctions().size() == plain.vfs()
                    && topology.iommuGroups().size() == plain.groups();
        }

        @Override
        public String toString() {
            return "engine   " + engine + "  -> " + topology + "\nbaseline " + baseline + "  -> " + plain.pfs()
                    + " PFs, " + plain.vfs() + " VFs, " + plain.groups() + " IOMMU groups";
        }
    }

    /**
     * The configuration the benchmark opens the engine with on a generated tree.
     *
     * @param sysfsRoot the tree
     * @return the configuration
     */
    public static SriovConfig config(Path sysfsRoot) {
        // discovery never looks at /dev; keep it away from the real one anyway
        return SriovConfig.builder().sysfsRoot(sysfsRoot).devRoot(sysfsRoot.resolveSibling("dev")).build();
    }

    /**
     * Runs both discoveries once on {@code sysfsRoot} and counts.
     *
     * @param sysfsRoot the tree
     * @return both counts and results
     */
    public static Comparison compare(Path sysfsRoot) {
        SriovConfig config = config(sysfsRoot);
        CountingSysfsAccess counting = new CountingSysfsAccess(new NioSysfsAccess(sysfsRoot));
        Topology topology;
        try (SriovHost host = SriovEngine.open(config, counting, new NioDeviceNodeAccess(config.devRoot()))) {
            topology = host.topology(ScanScope.SRIOV);
        }
        PlainFilesDiscovery.Result plain = new PlainFilesDiscovery(sysfsRoot).scan();
        return new Comparison(counting.ops(), plain.ops(), topology, plain);
    }

    /**
     * Like {@link #compare(Path)}, failing if the two do not match.
     *
     * @param sysfsRoot the tree
     * @return the comparison
     * @throws IllegalStateException if the engine and the baseline made different operations or found different
     *     numbers of functions (update {@link PlainFilesDiscovery} to mirror the scanner)
     */
    public static Comparison verify(Path sysfsRoot) {
        Comparison c = compare(sysfsRoot);
        if (!c.matches()) {
            throw new IllegalStateException("the baseline no longer mirrors the engine's discovery; update "
                    + "PlainFilesDiscovery:\n" + c);
        }
        return c;
    }

    /**
     * Prints both counts; exits 1 if they differ.
     *
     * @param args optionally a sysfs root to use instead of a generated 16 x 128 tree
     * @throws IOException if the tree cannot be generated or deleted
     */
    public static void main(String[] args) throws IOException {
        @Nullable Path tmp = null;
        Path root;
        if (args.length > 0) {
            root = Path.of(args[0]);
        } else {
            tmp = SysfsTreeGenerator.scratchDirectory("sriov4j-opcount");
            root = tmp.resolve("sys");
            SysfsTreeGenerator.full().writeTo(root);
        }
        try {
            Comparison c = compare(root);
            System.out.println(c);
            System.out.println(c.matches() ? "operation counts: MATCH" : "operation counts: MISMATCH");
            if (!c.matches()) {
                System.exit(1);
            }
        } finally {
            if (tmp != null) {
                SysfsTreeGenerator.delete(tmp);
            }
        }
    }
}
