package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * Pool lease against direct lease, side by side (issue 15, item 4): on a {@link SysfsTreeGenerator} tree of PFS x
 * VFS_PER_PF VFs, all on vfio-pci, one host object alternates blocks of BATCH lease + release of a named VF and
 * BATCH lease + release from a pool of every VF ({@code VfSelector.any()}), ROUNDS times, after a warm-up. Short
 * alternating blocks see the same load from the rest of a shared machine; the ratio of the totals is what counts,
 * the ratios of groups of 10 blocks show the spread.
 *
 * <pre>
 * java -cp benchmarks.jar org.sriov4j.benchmarks.PoolLeaseRatio [PFS VFS_PER_PF ROUNDS BATCH]   (8 128 400 10)
 * </pre>
 * Prints {@code pool-ratio vfs=N direct_us=D pool_us=P ratio=P/D} and the spread, and, for comparison, the same
 * for a few leases from {@link SriovHost}'s default pool, which scans the host at each lease
 * ({@code scan-pool-ratio}).
 */
public final class PoolLeaseRatio {

    private PoolLeaseRatio() {
    }

    private static long direct(SriovHost host, PciAddress vf, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Lease l = host.lease(vf, "bench");
            l.close();
        }
        return System.nanoTime() - t0;
    }

    private static long pooled(VfPool pool, PciAddress expected, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Lease l = pool.lease("bench");
            if (!l.device().equals(expected)) {
                throw new IllegalStateException("the pool leased " + l.device() + ", not the first VF " + expected);
            }
            l.close();
        }
        return System.nanoTime() - t0;
    }

    /** The default {@link SriovHost#pool} (a fresh topology at each lease) on top of {@code host}. */
    private static VfPool scanningPool(SriovHost host) {
        java.lang.reflect.InvocationHandler h = (proxy, method, args) -> {
            if (method.isDefault() && method.getName().equals("pool")) {
                return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
            }
            try {
                return method.invoke(host, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        };
        SriovHost plain = (SriovHost) java.lang.reflect.Proxy.newProxyInstance(SriovHost.class.getClassLoader(),
                new Class<?>[] {SriovHost.class}, h);
        return plain.pool(VfSelector.any());
    }

    /**
     * Runs the comparison.
     *
     * @param args PFs, VFs per PF, rounds, batch
     * @throws IOException if the tree cannot be written
     */
    public static void main(String[] args) throws IOException {
        int pfs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int perPf = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = SysfsTreeGenerator.scratchDirectory("sriov4j-pool-ratio");
        try {
            Topology t = new SysfsTreeGenerator(pfs, perPf).withAllVfsOnVfio().writeTo(dir.resolve("sys"));
            SriovConfig config = SriovConfig.builder().sysfsRoot(dir.resolve("sys")).stateDir(dir.resolve("state"))
                    .build();
            try (SriovHost host = SriovEngine.open(config)) {
                PciAddress first = t.virtualFunctions().stream().map(v -> v.address()).sorted().findFirst()
                        .orElseThrow();
                VfPool pool = host.pool(VfSelector.any());
                // the direct lease names the VF the pool takes: the same lease, with and without the pool
                for (int i = 0; i < rounds / 4; i++) {
                    direct(host, first, batch);
                    pooled(pool, first, batch);
                }
                long d = 0;
                long p = 0;
                long gd = 0;
                long gp = 0;
                List<Double> groups = new ArrayList<>();
                for (int r = 1; r <= rounds; r++) {
                    long x;
                    long y;
                    if (r % 2 == 1) {
                        x = direct(host, first, batch);
                        y = pooled(pool, first, batch);
                    } else {
                        y = pooled(pool, first, batch);
                        x = direct(host, first, batch);
                    }
                    d += x;
                    p += y;
                    gd += x;
                    gp += y;
                    if (r % 10 == 0) {
                        groups.add((double) gp / gd);
                        gd = 0;
                        gp = 0;
                    }
                }
                double n = (double) rounds * batch;
                groups.sort(null);
                int g = groups.size();
                // the pool that scans the host at each lease (SriovHost's default pool, which the engine's replaced):
                // a few blocks, alternating with direct leases too
                VfPool scanning = scanningPool(host);
                long sd = 0;
                long sp = 0;
                for (int r = 0; r < 4; r++) {
                    sd += direct(host, first, 2);
                    sp += pooled(scanning, first, 2);
                }
                System.out.println(String.format(Locale.ROOT,
                        "scan-pool-ratio vfs=%d leases=8 direct_us=%.1f scanning_pool_us=%.1f ratio=%.1f",
                        t.virtualFunctions().size(), sd / 8e3, sp / 8e3, (double) sp / sd));
                System.out.println(String.format(Locale.ROOT,
                        "pool-ratio vfs=%d pfs=%d leases=%d direct_us=%.1f pool_us=%.1f ratio=%.3f "
                                + "groups=%d group_median=%.3f group_q1=%.3f group_q3=%.3f group_min=%.3f group_max=%.3f",
                        t.virtualFunctions().size(), pfs, (long) n, d / n / 1e3, p / n / 1e3, (double) p / d, g,
                        groups.get(g / 2), groups.get(g / 4), groups.get(3 * g / 4), groups.get(0),
                        groups.get(g - 1)));
            }
        } finally {
            SysfsTreeGenerator.delete(dir);
        }
    }
}
