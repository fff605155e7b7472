package org.sriov4j.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The floor for discovery: the same files, links, existence checks and directory listings as the engine's
 * {@code TopologyScanner} (in the same order, the same number of each: {@link OperationCountCheck} proves it), made
 * with plain {@link Files} calls and parsed as little as possible into a checksum. What the engine spends beyond this
 * is its own overhead: path handling, parsing, validation, building the immutable {@link org.sriov4j.Topology}.
 *
 * <p>Mirrors the scanner as of this writing, for {@link org.sriov4j.ScanScope#SRIOV}:
 * <pre>
 * list bus/pci/devices
 * per entry D:  exists D/sriov_totalvfs; if not: exists D/physfn; if neither: skip
 *   read vendor, device, class; exists+readlink driver; exists+read driver_override; exists+read numa_node;
 *   exists+readlink iommu_group; exists net (+ list net)
 *   PF: read sriov_totalvfs, sriov_numvfs, sriov_offset, sriov_stride, sriov_vf_device;
 *       exists (+ read) sriov_drivers_autoprobe; if numvfs &gt; 0: list D, exists+readlink each virtfnN
 *   VF: exists+readlink physfn
 * per IOMMU group N seen: list kernel/iommu_groups/N/devices
 * </pre>
 */
public final class PlainFilesDiscovery {

    private final Path devices;
    private final Path groups;

    /**
     * A baseline on a sysfs root.
     *
     * @param sysfsRoot the directory standing for {@code /sys}
     */
    public PlainFilesDiscovery(Path sysfsRoot) {
        this.devices = sysfsRoot.resolve("bus/pci/devices");
        this.groups = sysfsRoot.resolve("kernel/iommu_groups");
    }

    /**
     * What one scan found.
     *
     * @param pfs physical functions
     * @param vfs virtual functions
     * @param groups IOMMU groups listed
     * @param checksum a digest of what was read (defeats dead-code elimination)
     * @param ops the operations made
     */
    public record Result(int pfs, int vfs, int groups, long checksum, SysfsOps ops) {
    }

    /**
     * Scans the tree once.
     *
     * @return what was found and the operations made
     * @throws UncheckedIOException if a file cannot be read
     */
    public Result scan() {
        try {
            return new Scan().run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One scan's counters. */
    private final class Scan {
        private long reads;
        private long readLinks;
        private long exists;
        private long lists;
        private long checksum;
        private int pfs;
        private int vfs;
        private final BitSet groupNumbers = new BitSet();

        Result run() throws IOException {
            for (String name : list(devices)) {
                Path d = devices.resolve(name);
                boolean pf = exists(d.resolve("sriov_totalvfs"));
                if (!pf && !exists(d.resolve("physfn"))) {
                    continue;
                }
                checksum += hex(read(d.resolve("vendor")));
                checksum += hex(read(d.resolve("device")));
                checksum += hex(read(d.resolve("class")));
                Path driver = d.resolve("driver");
                if (exists(driver)) {
                    checksum += readLink(driver).getFileName().toString().length();
                }
                Path override = d.resolve("driver_override");
                if (exists(override)) {
                    checksum += read(override).length;
                }
                Path numa = d.resolve("numa_node");
                if (exists(numa)) {
                    checksum += read(numa)[0];
                }
                Path group = d.resolve("iommu_group");
                if (exists(group)) {
                    groupNumbers.set(decimal(readLink(group).getFileName().toString()));
                }
                Path net = d.resolve("net");
                if (exists(net)) {
                    checksum += list(net).size();
                }
                if (pf) {
                    pfs++;
                    checksum += decimal(read(d.resolve("sriov_totalvfs")));
                    int num = decimal(read(d.resolve("sriov_numvfs")));
                    checksum += decimal(read(d.resolve("sriov_offset")));
                    checksum += decimal(read(d.resolve("sriov_stride")));
                    checksum += hex(read(d.resolve("sriov_vf_device")));
                    Path autoprobe = d.resolve("sriov_drivers_autoprobe");
                    if (exists(autoprobe)) {
                        checksum += read(autoprobe)[0];
                    }
                    if (num > 0) {
                        for (String entry : list(d)) {
                            if (entry.startsWith("virtfn")) {
                                Path link = d.resolve(entry);
                                if (exists(link)) {
                                    checksum += readLink(link).getFileName().toString().hashCode();
                                }
                            }
                        }
                    }
                } else {
                    vfs++;
                    Path physfn = d.resolve("physfn");
                    if (exists(physfn)) {
                        checksum += readLink(physfn).getFileName().toString().hashCode();
                    }
                }
            }
            int groupCount = 0;
            for (int n = groupNumbers.nextSetBit(0); n >= 0; n = groupNumbers.nextSetBit(n + 1)) {
                checksum += list(groups.resolve(n + "/devices")).size();
                groupCount++;
            }
            return new Result(pfs, vfs, groupCount, checksum, new SysfsOps(reads, readLinks, exists, lists));
        }

        private byte[] read(Path p) throws IOException {
            reads++;
            return Files.readAllBytes(p);
        }

        private Path readLink(Path p) throws IOException {
            readLinks++;
            return Files.readSymbolicLink(p);
        }

        private boolean exists(Path p) {
            exists++;
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        }

        private List<String> list(Path dir) throws IOException {
            lists++;
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    names.add(p.getFileName().toString());
                }
            }
            return names;
        }
    }

    /** Hex digits up to the newline, optional 0x. */
    static int hex(byte[] b) {
        int i = b.length > 1 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') ? 2 : 0;
        int v = 0;
        for (; i < b.length && b[i] != '\n'; i++) {
            v = v * 16 + Character.digit(b[i], 16);
        }
        return v;
    }

    /** Decimal digits up to the newline. */
    static int decimal(byte[] b) {
        int v = 0;
        for (int i = 0; i < b.length && b[i] != '\n'; i++) {
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    private static int decimal(String s) {
        return Integer.parseInt(s);
    }
}
