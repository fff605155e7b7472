import java.util.Locale;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.DmaAccess;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.VfioSystem;

/**
 * The sriov4j side of the VFIO DMA map benchmark: {@code IommuDomain.map} + {@code unmap} pairs per second (the
 * validation, the mapping table and the JNA calls included) on a type1v2 container with one device of a VF attached.
 * Built and run by benchmarks/run-vfio-map.sh in the real-kernel guest, next to vfio_map_bench.c.
 *
 * <p>{@code java -cp ... VfioMapBench BDF SIZE WARMUP_SECONDS SECONDS} prints one line:
 * {@code java size=SIZE pairs=N seconds=S pairs_per_s=R us_per_pair=U}.
 */
public final class VfioMapBench {
    private static final long IOVA = 0x1000_0000L;

    private VfioMapBench() {
    }

    private static long pairs(IommuDomain domain, HostMemory ram, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long n = 0;
        do {
            for (int i = 0; i < 16; i++, n++) {
                domain.map(IOVA, ram.address(), ram.length(), DmaAccess.READ_WRITE);
                if (domain.unmap(IOVA, ram.length()) != ram.length()) {
                    throw new IllegalStateException("unmapped size differs");
                }
            }
        } while (System.nanoTime() < end);
        return n;
    }

    /**
     * Runs the benchmark.
     *
     * @param args BDF (on vfio-pci), size in bytes, warm-up seconds, measured seconds
     */
    public static void main(String[] args) {
        PciAddress bdf = PciAddress.parse(args[0]);
        long size = Long.decode(args[1]);
        double warmup = Double.parseDouble(args[2]);
        double seconds = Double.parseDouble(args[3]);
        VfioSystem vfio = VfioSystem.open();
        try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(size)) {
            ram.buffer().put(0, (byte) 1);
            for (long off = 0; off < size; off += 4096) {
                ram.buffer().put((int) off, (byte) 1);
            }
            try (AssignedDevice dev = domain.openDevice(bdf)) {
                pairs(domain, ram, warmup);
                long t0 = System.nanoTime();
                long n = pairs(domain, ram, seconds);
                double t = (System.nanoTime() - t0) / 1e9;
                System.out.println(String.format(Locale.ROOT,
                        "java size=%d pairs=%d seconds=%.3f pairs_per_s=%.1f us_per_pair=%.2f", size, n, t, n / t,
                        t * 1e6 / n));
            }
        }
    }
}
