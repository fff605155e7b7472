package org.sriov4j.spi.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sriov4j.PciAddress;

/**
 * How long "does another process hold this lock file?" takes ({@code FunctionLocks.isHeld} of a function whose lock
 * file exists and is free: the lease's check of the VF's PF) while this process holds N other lock files, through
 * {@code F_OFD_GETLK} on the one file (now) and through {@code /proc/locks}, which lists every lock of the host (the
 * fallback, and what every query did before). Both in one JVM, in alternating slices, so both see the same load.
 * Not a unit test and not JMH: it needs package access to the engine's internals, so it is compiled into that package
 * on the class path:
 *
 * <pre>
 * mvn -B -o -q package -pl sriov-spi -am -DskipTests
 * cp=sriov-spi/target/classes:$(ls ~/.m2/repository/net/java/dev/jna/jna-jpms/5.*&#47;jna-jpms-5.*.jar | tail -1):api/target/classes
 * javac -d /tmp/lsb -cp $cp benchmarks/lock-state/LockStateBench.java
 * java -cp /tmp/lsb:$cp org.sriov4j.spi.internal.LockStateBench 1 64 512 4096
 * </pre>
 */
public final class LockStateBench {

    private LockStateBench() {
    }

    public static void main(String[] args) throws Exception {
        Path state = Files.createTempDirectory("sriov4j-lock-state");
        PciAddress pf = PciAddress.parse("0000:00:01.0");
        FunctionLocks ofd = new FunctionLocks(state);
        FunctionLocks procLocks = new FunctionLocks(state, f -> { }, Path.of("/proc/locks"), LockQuery.UNAVAILABLE);
        ofd.tryLock(pf, "create the file").orElseThrow().close(); // the PF's lock file exists, free
        List<FunctionLock> held = new ArrayList<>();
        int n = 0;
        for (String a : args) {
            int target = Integer.parseInt(a);
            for (; n < target; n++) {
                PciAddress vf = PciAddress.parse(String.format("0000:%02x:%02x.%d", 2 + n / 256, (n / 8) % 32, n % 8));
                held.add(ofd.tryLock(vf, "held " + n).orElseThrow());
            }
            long[] total = new long[2];
            int per = 2000;
            for (int slice = 0; slice < 12; slice++) {
                for (int k = 0; k < 2; k++) {
                    FunctionLocks l = k == 0 ? ofd : procLocks;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < per; i++) {
                        if (l.isHeld(pf)) {
                            throw new IllegalStateException("the PF is free");
                        }
                    }
                    long t = System.nanoTime() - t0;
                    if (slice >= 2) { // the first two slices warm up
                        total[k] += t;
                    }
                }
            }
            int lines = Files.readAllLines(Path.of("/proc/locks")).size();
            System.out.printf("held=%d proc_locks_lines=%d ofd_us=%.2f proc_locks_us=%.2f ratio=%.1f%n", n, lines,
                    total[0] / 1e3 / (10.0 * per), total[1] / 1e3 / (10.0 * per), (double) total[1] / total[0]);
        }
        held.forEach(FunctionLock::close);
    }
}
