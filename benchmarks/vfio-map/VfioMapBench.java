import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 *
 * <p>{@code java -Dvfio.map.loop=/path/libvfiomaploop.so -cp ... VfioMapBench BDF SIZE WARMUP_SECONDS SECONDS SLICES
 * [BLOCK]} alternates, after a warm-up of both, SLICES short time slices of SECONDS each of the C loop
 * (vfio_map_loop.c, called through JNA on the container this process opened, found in /proc/self/fd) and of sriov4j,
 * C first in odd slices and sriov4j first in even ones. Short slices (tens of milliseconds) see the same load from
 * the rest of a shared machine, so the totals compare like with like. It prints one line per BLOCK (50) slices,
 * {@code alt size=SIZE block=K slices=B c_pairs_per_s=C java_pairs_per_s=J ratio=C/J}, and the totals,
 * {@code altsum size=SIZE slices=N slice_s=S c_pairs=.. c_pairs_per_s=C java_pairs=.. java_pairs_per_s=J ratio=C/J}.
 */
public final class VfioMapBench {
    private static final long IOVA = 0x1000_0000L;

    private VfioMapBench() {
    }

    /** The C loop, bound when the alternating mode runs. */
    private static final class Loop {
        static native long vfio_map_pairs(int container, long vaddr, long size, long iova, double seconds);
    }

    /** The descriptor of /dev/vfio/vfio this process holds (the domain's container). */
    private static int containerFd() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("/dev/vfio/vfio")) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException e) {
                    // closed while listing (the listing's own descriptor)
                }
            }
        }
        throw new IllegalStateException("no descriptor of /dev/vfio/vfio in /proc/self/fd");
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

    /** Pairs made and nanoseconds spent. */
    private static final class Tally {
        long pairs;
        long nanos;

        void add(long n, long t) {
            pairs += n;
            nanos += t;
        }

        double rate() {
            return pairs / (nanos / 1e9);
        }
    }

    private static void cSlice(int container, HostMemory ram, double seconds, Tally tally) {
        long t0 = System.nanoTime();
        long n = Loop.vfio_map_pairs(container, ram.address(), ram.length(), IOVA, seconds);
        long t = System.nanoTime() - t0;
        if (n < 0) {
            throw new IllegalStateException("the C loop failed: errno " + -n);
        }
        tally.add(n, t);
    }

    private static void javaSlice(IommuDomain domain, HostMemory ram, double seconds, Tally tally) {
        long t0 = System.nanoTime();
        long n = pairs(domain, ram, seconds);
        tally.add(n, System.nanoTime() - t0);
    }

    private static void alternate(IommuDomain domain, HostMemory ram, long size, double warmup, double seconds,
            int slices, int block) throws IOException {
        Native.register(Loop.class, System.getProperty("vfio.map.loop"));
        int container = containerFd();
        Tally ignored = new Tally();
        cSlice(container, ram, warmup / 2, ignored);
        javaSlice(domain, ram, warmup, ignored);
        Tally c = new Tally();
        Tally j = new Tally();
        Tally cAll = new Tally();
        Tally jAll = new Tally();
        for (int k = 1; k <= slices; k++) {
            long c0 = c.pairs;
            long cn = c.nanos;
            long j0 = j.pairs;
            long jn = j.nanos;
            if (k % 2 == 1) {
                cSlice(container, ram, seconds, c);
                javaSlice(domain, ram, seconds, j);
            } else {
                javaSlice(domain, ram, seconds, j);
                cSlice(container, ram, seconds, c);
            }
            cAll.add(c.pairs - c0, c.nanos - cn);
            jAll.add(j.pairs - j0, j.nanos - jn);
            if (k % block == 0) {
                System.out.println(String.format(Locale.ROOT,
                        "alt size=%d block=%d slices=%d c_pairs_per_s=%.1f java_pairs_per_s=%.1f ratio=%.4f", size,
                        k / block, block, c.rate(), j.rate(), c.rate() / j.rate()));
                c = new Tally();
                j = new Tally();
            }
        }
        System.out.println(String.format(Locale.ROOT,
                "altsum size=%d slices=%d slice_s=%.3f c_pairs=%d c_pairs_per_s=%.1f java_pairs=%d "
                        + "java_pairs_per_s=%.1f ratio=%.4f", size, slices, seconds, cAll.pairs, cAll.rate(),
                jAll.pairs, jAll.rate(), cAll.rate() / jAll.rate()));
    }

    /**
     * Runs the benchmark.
     *
     * @param args BDF (on vfio-pci), size in bytes, warm-up seconds, measured seconds
     */
    public static void main(String[] args) throws IOException {
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
                if (args.length > 4) {
                    alternate(domain, ram, size, warmup, seconds, Integer.parseInt(args[4]),
                            args.length > 5 ? Integer.parseInt(args[5]) : 50);
                    return;
                }
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
