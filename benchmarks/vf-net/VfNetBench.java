import java.util.Map;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;

/**
 * The library half of benchmarks/run-vf-net.sh, run in the real-kernel guest: one cycle is "set MAC + VLAN/QoS +
 * spoof checking + trust on one VF, then set them back" through SriovHost.configureVf (each call: the VF lock, two
 * RTM_GETLINKs and four RTM_SETLINKs with acks); then "read every VF of the PF" through SriovHost.vfNetConfigs (one
 * RTM_GETLINK and the sysfs look-ups). Prints one line per measurement for the script's awk.
 *
 *   java -cp ... VfNetBench PF VF WARMUP_CYCLES CYCLES
 */
public final class VfNetBench {

    private VfNetBench() {
    }

    public static void main(String[] args) {
        PciAddress pf = PciAddress.parse(args[0]);
        PciAddress vf = PciAddress.parse(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int cycles = Integer.parseInt(args[3]);
        VfNetConfig set = VfNetConfig.builder().mac(MacAddress.parse("02:5a:00:00:00:01")).vlan(100, 3)
                .spoofCheck(false).trust(true).build();
        VfNetConfig restore = VfNetConfig.builder().mac(MacAddress.ZERO).vlan(VfNetConfig.Vlan.NONE)
                .spoofCheck(true).trust(false).build();
        try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
            for (int i = 0; i < warmup; i++) {
                host.configureVf(vf, set);
                host.configureVf(vf, restore);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                host.configureVf(vf, set);
                host.configureVf(vf, restore);
            }
            long t1 = System.nanoTime();
            System.out.printf("java-cycle cycles=%d us_per_cycle=%.1f%n", cycles, (t1 - t0) / 1e3 / cycles);
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
            if (!after.mac().orElseThrow().isZero() || after.trust().orElse(true)) {
                throw new IllegalStateException("not restored: " + after);
            }
        }
    }
}
