import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.sriov4j.Lease;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.spi.RtNetlink;
import org.sriov4j.spi.netlink.SocketRtNetlink;

/**
 * The library half of benchmarks/run-vf-net.sh, run in the real-kernel guest. One JVM, in this order:
 * <ol>
 * <li>cold: the first "set MAC + VLAN/QoS + spoof checking + trust on one VF, then set them back" through
 *     SriovHost.configureVf (JNA loading, the socket, class loading and interpretation included) and the first read of
 *     every VF of the PF;</li>
 * <li>warm: WARMUP such cycles, then CYCLES measured ones (each configureVf: the VF lock, its ledger look-up, one
 *     RTM_GETLINK, the vendor plugin's checks, four RTM_SETLINKs each waiting for its ack); with BLOCKS &gt; 0, in
 *     BLOCKS blocks of CYCLES / BLOCKS cycles, each started by a line on standard input (the script runs a block of
 *     ip processes between two blocks) and reported on its own line;</li>
 * <li>the kernel's share: the same requests through the bare netlink seam (SocketRtNetlink, no lock, no sysfs, no
 *     checks): one RTM_GETLINK and four RTM_SETLINKs per configureVf;</li>
 * <li>reading every VF of the PF through SriovHost.vfNetConfigs (one RTM_GETLINK) and the bare RTM_GETLINK;</li>
 * <li>with the save and restore: the VF detached (vfio-pci), LEASES leases with the four settings (the settings
 *     before saved durably in the ledger, then the four changes) each closed again (the saved settings restored),
 *     after a warm-up of the same count; then the VF is given back.</li>
 * </ol>
 * Prints one line per measurement for the script's awk.
 *
 *   java -cp ... VfNetBench PF PF_NETDEV VF WARMUP_CYCLES CYCLES LEASES [BLOCKS]
 */
public final class VfNetBench {

    private VfNetBench() {
    }

    public static void main(String[] args) throws IOException {
        PciAddress pf = PciAddress.parse(args[0]);
        String pfNetdev = args[1];
        PciAddress vf = PciAddress.parse(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int cycles = Integer.parseInt(args[4]);
        int leases = Integer.parseInt(args[5]);
        int blocks = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        VfNetConfig set = VfNetConfig.builder().mac(MacAddress.parse("02:5a:00:00:00:01")).vlan(100, 3)
                .spoofCheck(false).trust(true).build();
        VfNetConfig restore = VfNetConfig.builder().mac(MacAddress.ZERO).vlan(VfNetConfig.Vlan.NONE)
                .spoofCheck(true).trust(false).build();
        try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
            long c0 = System.nanoTime();
            host.configureVf(vf, set);
            host.configureVf(vf, restore);
            long c1 = System.nanoTime();
            host.vfNetConfigs(pf);
            long c2 = System.nanoTime();
            System.out.printf("java-cold first_cycle_us=%.1f first_read_us=%.1f%n", (c1 - c0) / 1e3,
                    (c2 - c1) / 1e3);

            for (int i = 0; i < warmup; i++) {
                host.configureVf(vf, set);
                host.configureVf(vf, restore);
            }
            if (blocks > 0) {
                // interleaved with the script's ip blocks: one block of cycles per line on standard input, so that
                // both see the same load of the (shared, emulated) machine
                System.out.println("java-ready");
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
                long total = 0;
                int per = cycles / blocks;
                for (int b = 0; b < blocks; b++) {
                    if (in.readLine() == null) {
                        throw new IllegalStateException("the script stopped before block " + b);
                    }
                    long b0 = System.nanoTime();
                    for (int i = 0; i < per; i++) {
                        host.configureVf(vf, set);
                        host.configureVf(vf, restore);
                    }
                    long b1 = System.nanoTime();
                    total += b1 - b0;
                    System.out.printf("java-block cycles=%d us_per_cycle=%.1f%n", per, (b1 - b0) / 1e3 / per);
                    System.out.flush();
                }
                System.out.printf("java-cycle cycles=%d us_per_cycle=%.1f%n", per * blocks,
                        total / 1e3 / (per * blocks));
            } else {
                long t0 = System.nanoTime();
                for (int i = 0; i < cycles; i++) {
                    host.configureVf(vf, set);
                    host.configureVf(vf, restore);
                }
                long t1 = System.nanoTime();
                System.out.printf("java-cycle cycles=%d us_per_cycle=%.1f%n", cycles, (t1 - t0) / 1e3 / cycles);
            }

            bare(pfNetdev, set, restore, warmup, cycles);

            int vfs = 0;
            for (int i = 0; i < warmup; i++) {
                vfs = host.vfNetConfigs(pf).size();
            }
            long best = Long.MAX_VALUE;
            long r0 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                long s = System.nanoTime();
                Map<PciAddress, VfNetConfig> all = host.vfNetConfigs(pf);
                best = Math.min(best, System.nanoTime() - s);
                vfs = all.size();
            }
            long r1 = System.nanoTime();
            System.out.printf("java-read vfs=%d reads=%d us_per_read=%.1f best_us=%.1f%n", vfs, cycles,
                    (r1 - r0) / 1e3 / cycles, best / 1e3);

            VfNetConfig after = host.vfNetConfig(vf);
            if (!after.mac().orElseThrow().isZero() || after.trust().orElse(true)
                    || after.vlan().orElseThrow().id() != 0 || !after.spoofCheck().orElse(false)) {
                throw new IllegalStateException("not restored: " + after);
            }

            if (leases > 0) {
                host.detach(vf);
                try {
                    for (int i = 0; i < leases; i++) {
                        leaseCycle(host, vf, set);
                    }
                    long l0 = System.nanoTime();
                    for (int i = 0; i < leases; i++) {
                        leaseCycle(host, vf, set);
                    }
                    long l1 = System.nanoTime();
                    System.out.printf("java-lease leases=%d us_per_lease=%.1f%n", leases, (l1 - l0) / 1e3 / leases);
                } finally {
                    host.reattach(vf);
                }
                VfNetConfig back = host.vfNetConfig(vf);
                if (!back.mac().orElseThrow().isZero() || back.trust().orElse(true)
                        || back.vlan().orElseThrow().id() != 0) {
                    throw new IllegalStateException("not restored after the leases: " + back);
                }
            }
        }
    }

    /** One lease with the settings (saved, then set) closed again (restored), checked. */
    private static void leaseCycle(SriovHost host, PciAddress vf, VfNetConfig set) {
        try (Lease lease = host.lease(vf, "bench", set)) {
            if (host.savedVfNetConfig(vf).isEmpty()) {
                throw new IllegalStateException("nothing saved during the lease");
            }
        }
    }

    /** The same kernel requests through the bare netlink seam: the kernel's (and JNA's) share of a configureVf. */
    private static void bare(String pfNetdev, VfNetConfig set, VfNetConfig restore, int warmup, int cycles) {
        VfNetConfig[] setSteps = steps(set);
        VfNetConfig[] restoreSteps = steps(restore);
        try (SocketRtNetlink nl = SocketRtNetlink.system()) {
            int ifindex = nl.link(pfNetdev).index();
            for (int i = 0; i < warmup + cycles; i++) {
                if (i == warmup) {
                    long g0 = System.nanoTime();
                    for (int j = 0; j < cycles; j++) {
                        nl.link(pfNetdev);
                    }
                    long g1 = System.nanoTime();
                    System.out.printf("bare-getlink reads=%d us_per_read=%.1f%n", cycles, (g1 - g0) / 1e3 / cycles);
                }
                nl.link(pfNetdev);
            }
            for (int i = 0; i < warmup; i++) {
                bareCycle(nl, ifindex, setSteps, restoreSteps, pfNetdev);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                bareCycle(nl, ifindex, setSteps, restoreSteps, pfNetdev);
            }
            long t1 = System.nanoTime();
            System.out.printf("bare-cycle cycles=%d us_per_cycle=%.1f%n", cycles, (t1 - t0) / 1e3 / cycles);
        }
    }

    private static void bareCycle(RtNetlink nl, int ifindex, VfNetConfig[] set, VfNetConfig[] restore,
            String pfNetdev) {
        nl.link(pfNetdev);
        for (VfNetConfig s : set) {
            nl.setVf(ifindex, 0, s);
        }
        nl.link(pfNetdev);
        for (VfNetConfig s : restore) {
            nl.setVf(ifindex, 0, s);
        }
    }

    private static VfNetConfig[] steps(VfNetConfig c) {
        return c.settings().stream().map(s -> c.only(java.util.EnumSet.of(s))).toArray(VfNetConfig[]::new);
    }
}
