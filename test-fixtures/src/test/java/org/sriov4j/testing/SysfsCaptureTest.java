package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.SysfsIoException;
import org.sriov4j.Topology;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.spi.SysfsAccess;

/** {@link SysfsCapture} on the simulated kernel: the captured directory is discovered as the simulator is. */
class SysfsCaptureTest {

    private static final String PF = "bus/pci/devices/0000:01:00.0/";

    @TempDir
    Path tmp;

    /** The state of the real tree igb-7vf-mixed: VFs on igbvf, on vfio-pci, unbound, never probed. */
    static SimulatedKernel mixed() {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        k.write(PF + "sriov_drivers_autoprobe", "0");
        k.write(PF + "sriov_numvfs", "7");
        k.write(PF + "sriov_drivers_autoprobe", "1");
        for (String vf : List.of("0000:01:10.0", "0000:01:10.2", "0000:01:10.4")) {
            k.write("bus/pci/drivers_probe", vf);
        }
        for (String vf : List.of("0000:01:10.6", "0000:01:11.0", "0000:01:11.2")) {
            k.write("bus/pci/devices/" + vf + "/driver_override", "vfio-pci");
            k.write("bus/pci/drivers_probe", vf);
        }
        k.write("bus/pci/drivers/vfio-pci/unbind", "0000:01:11.2");
        k.write("bus/pci/devices/0000:01:11.2/driver_override", "\n");
        k.write(PF + "sriov_drivers_autoprobe", "0");
        return k;
    }

    static Topology topology(SimulatedKernel k, ScanScope scope) {
        try (SriovHost host = SriovEngine.open(SriovConfig.defaults(), k, k.devices())) {
            return host.topology(scope);
        }
    }

    static Topology topology(Path root, ScanScope scope) {
        try (SriovHost host = SriovEngine.open(SriovConfig.builder().sysfsRoot(root).build())) {
            return host.topology(scope);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void aCaptureOfTheSimulatorIsDiscoveredAsTheSameTopology(int numVfs) {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        k.write(PF + "sriov_numvfs", String.valueOf(numVfs));
        Path dir = tmp.resolve("sim");
        SysfsCapture.Result r = SysfsCapture.capture(k, dir);
        assertEquals(8 + numVfs, r.devices());
        assertEquals(numVfs, r.virtualFunctions());
        for (ScanScope scope : ScanScope.values()) {
            assertEquals(topology(k, scope), topology(dir, scope), scope.toString());
        }
        assertEquals(numVfs, topology(dir, ScanScope.SRIOV).virtualFunctions().size());
    }

    @Test
    void everyDriverStateOfTheVfsSurvivesTheCapture() {
        SimulatedKernel k = mixed();
        Path dir = tmp.resolve("mixed");
        SysfsCapture.capture(k, dir);
        Topology captured = topology(dir, ScanScope.ALL_FUNCTIONS);
        assertEquals(topology(k, ScanScope.ALL_FUNCTIONS), captured);
        assertEquals("[igbvf, igbvf, igbvf, vfio-pci, vfio-pci, -, -]", captured.virtualFunctions().stream()
                .map(v -> v.function().driver().orElse("-")).toList().toString());
        assertFalse(captured.physicalFunctions().get(0).driversAutoprobe());
    }

    @Test
    void theManifestHasOneDeviceLinePerFunctionInTheFormatOfTheRealTrees() throws IOException {
        SimulatedKernel k = mixed();
        Path dir = tmp.resolve("igb-sim");
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T03:53:42Z"), ZoneOffset.UTC);
        SysfsCapture.Result r = SysfsCapture.builder().note("first\nsecond").host("h").kernel("6.12")
                .clock(clock).build().writeTo(k, dir);
        List<String> manifest = Files.readAllLines(dir.resolve("MANIFEST.txt"));
        assertEquals("# sysfs snapshot igb-sim", manifest.get(0));
        assertEquals("# captured 2026-11-22 03:53:42 UTC on h, kernel 6.12, by org.sriov4j.testing.SysfsCapture "
                + "from /sys/", manifest.get(2));
        assertEquals(List.of("# note: first", "# note: second"), manifest.subList(3, 5));
        assertTrue(manifest.contains("# counts: 15 PCI devices (7 VFs), " + r.directories() + " dirs, " + r.files()
                + " files, " + r.symlinks() + " symlinks, " + r.placeholders().size() + " placeholders"), manifest
                .toString());
        List<String> devices = manifest.stream().filter(l -> l.startsWith("DEVICE ")).toList();
        assertEquals(r.deviceLines(), devices);
        assertEquals(15, devices.size());
        assertEquals("DEVICE bdf=0000:00:01.0 id=1b36:000c class=0x060400 driver=pcieport driver_override=(null) "
                + "iommu_group=1", devices.get(1));
        assertEquals("DEVICE bdf=0000:01:00.0 id=8086:10c9 class=0x020000 driver=igb driver_override=(null) "
                + "iommu_group=5 sriov_numvfs=7 sriov_totalvfs=7 sriov_drivers_autoprobe=0 sriov_vf_device=10ca "
                + "virtfns=[0:0000:01:10.0,1:0000:01:10.2,2:0000:01:10.4,3:0000:01:10.6,4:0000:01:11.0,"
                + "5:0000:01:11.2,6:0000:01:11.4] net=eth0", devices.get(7));
        assertEquals("DEVICE bdf=0000:01:10.2 id=8086:10ca class=0x020000 driver=igbvf driver_override=(null) "
                + "iommu_group=7 physfn=0000:01:00.0 vf_index=1 net=eth2", devices.get(9));
        assertEquals("DEVICE bdf=0000:01:10.6 id=8086:10ca class=0x020000 driver=vfio-pci driver_override=vfio-pci "
                + "iommu_group=9 physfn=0000:01:00.0 vf_index=3", devices.get(11));
        assertEquals("DEVICE bdf=0000:01:11.4 id=8086:10ca class=0x020000 driver=- driver_override=(null) "
                + "iommu_group=12 physfn=0000:01:00.0 vf_index=6", devices.get(14));
        assertFalse(manifest.stream().anyMatch(l -> l.startsWith("DEVNODE")), "no dev root, no DEVNODE");
    }

    /**
     * Every entry of a directory tree: relative path to "L target", "D", "F content", or "W" for a file this process
     * cannot read (a write-only placeholder, 0200, unless the tests run as root).
     */
    static Map<String, String> entries(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || rel.equals("MANIFEST.txt")) {
                    continue;
                }
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "L " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "D");
                } else if (!Files.isReadable(p)) {
                    out.put(rel, "W"); // a write-only placeholder, when the tests do not run as root
                } else {
                    out.put(rel, "F " + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
                }
            }
        }
        return out;
    }

    @Test
    void linksKeepTheKernelsRelativeTargetsAndFilesTheKernelsBytes() throws IOException {
        SimulatedKernel k = mixed();
        Path dir = tmp.resolve("t");
        SysfsCapture.Result r = SysfsCapture.capture(k, dir);
        Map<String, String> entries = entries(dir);
        int links = 0;
        int files = 0;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String path = e.getKey();
            String v = e.getValue();
            if (v.startsWith("L ")) {
                assertEquals(k.readLink(path), v.substring(2), path);
                links++;
            } else if (v.startsWith("F ") && !r.placeholders().stream().anyMatch(p -> p.startsWith(path + " "))) {
                assertEquals(k.read(path), v.substring(2), path);
                files++;
            }
        }
        assertEquals(r.symlinks(), links);
        assertEquals(r.files(), files + r.placeholders().size());
        assertEquals("L ../../../devices/pci0000:00/0000:00:01.0/0000:01:10.6",
                entries.get("bus/pci/devices/0000:01:10.6"));
        String vf = "devices/pci0000:00/0000:00:01.0/0000:01:10.6/";
        assertEquals("L ../../../../bus/pci/drivers/vfio-pci", entries.get(vf + "driver"));
        assertEquals("L ../../../../kernel/iommu_groups/9", entries.get(vf + "iommu_group"));
        assertEquals("L ../0000:01:00.0", entries.get(vf + "physfn"));
        assertEquals("F vfio-pci\n", entries.get(vf + "driver_override"));
        assertEquals("L ../0000:01:10.6", entries.get("devices/pci0000:00/0000:00:01.0/0000:01:00.0/virtfn3"));
        assertEquals("L ../../../../devices/pci0000:00/0000:00:01.0/0000:01:10.6",
                entries.get("kernel/iommu_groups/9/devices/0000:01:10.6"));
        assertEquals("L ../../../../devices/pci0000:00/0000:00:01.0/0000:01:10.6",
                entries.get("bus/pci/drivers/vfio-pci/0000:01:10.6"));
        assertEquals("D", entries.get("devices/pci0000:00/0000:00:01.0/0000:01:10.2/net/eth2"));
        assertFalse(entries.containsKey("devices/pci0000:00/0000:00:01.0/0000:01:10.6/net"));
    }

    @Test
    void writeOnlyControlsAreEmptyPlaceholders() throws IOException {
        SimulatedKernel k = mixed();
        Path dir = tmp.resolve("t");
        SysfsCapture.Result r = SysfsCapture.capture(k, dir);
        String reset = "devices/pci0000:00/0000:00:01.0/0000:01:10.0/reset";
        assertTrue(r.placeholders().contains(reset + " write-only (read: EACCES (Permission denied))"),
                r.placeholders().toString());
        assertTrue(r.placeholders().contains("bus/pci/drivers/vfio-pci/bind write-only (read: EACCES (Permission "
                + "denied))"), r.placeholders().toString());
        assertTrue(r.placeholders().contains("bus/pci/drivers_probe write-only (read: EACCES (Permission denied))"));
        assertEquals(0, Files.size(dir.resolve(reset)));
        assertEquals("-w-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(reset))));
        assertTrue(Files.readAllLines(dir.resolve("MANIFEST.txt")).contains("PLACEHOLDER " + reset
                + " write-only (read: EACCES (Permission denied))"));
        assertEquals("1\n", Files.readString(dir.resolve("bus/pci/drivers_autoprobe")));
    }

    /** Fails reads of some paths the way a real kernel can. */
    static final class Failing implements SysfsAccess {
        final SysfsAccess d;
        final Map<String, Errno> failures;

        Failing(SysfsAccess d, Map<String, Errno> failures) {
            this.d = d;
            this.failures = failures;
        }

        @Override
        public String read(String path) {
            Errno e = failures.get(path);
            if (e != null) {
                throw new SysfsIoException("read", describe(path), e, "", null);
            }
            return d.read(path);
        }

        @Override
        public void write(String path, String value) {
            throw new AssertionError("a capture must not write: " + path);
        }

        @Override
        public List<String> list(String dir) {
            Errno e = failures.get(dir);
            if (e != null) {
                throw new SysfsIoException("list", describe(dir), e, "", null);
            }
            return d.list(dir);
        }

        @Override
        public String readLink(String path) {
            return d.readLink(path);
        }

        @Override
        public boolean exists(String path) {
            return d.exists(path);
        }

        @Override
        public String describe(String path) {
            return d.describe(path);
        }
    }

    @Test
    void unreadableAttributesAreSkippedAndListedNeverFatal() throws IOException {
        SimulatedKernel k = mixed();
        String pf = "devices/pci0000:00/0000:00:01.0/0000:01:00.0/";
        String vf = "devices/pci0000:00/0000:00:01.0/0000:01:10.0/";
        Path dir = tmp.resolve("t");
        SysfsCapture.Result r = SysfsCapture.capture(new Failing(k, Map.of(pf + "numa_node", Errno.EINVAL,
                pf + "modalias", Errno.EACCES, vf + "net", Errno.EIO, pf + "reset", Errno.EIO)), dir);
        assertEquals(List.of(pf + "modalias read error EACCES (Permission denied)",
                pf + "numa_node read error EINVAL (Invalid argument)",
                pf + "reset read error EIO (Input/output error)",
                vf + "net list error EIO (Input/output error)"), r.skipped().subList(0, 4));
        assertFalse(Files.exists(dir.resolve(pf + "numa_node")));
        assertFalse(Files.exists(dir.resolve(pf + "modalias")));
        assertFalse(Files.exists(dir.resolve(pf + "reset")));
        assertTrue(Files.exists(dir.resolve(pf + "vendor")));
        List<String> manifest = Files.readAllLines(dir.resolve("MANIFEST.txt"));
        assertTrue(manifest.contains("SKIPPED " + pf + "numa_node read error EINVAL (Invalid argument)"));
        assertEquals(15, r.devices());
        // numa_node -1 and a missing numa_node are both "unknown"; the VF's netdev is what was lost
        Topology t = topology(dir, ScanScope.ALL_FUNCTIONS);
        assertEquals(List.of(), t.function(org.sriov4j.PciAddress.parse("0000:01:10.0")).orElseThrow().netdevs());
        assertEquals(topology(k, ScanScope.ALL_FUNCTIONS).physicalFunctions(), t.physicalFunctions());
    }

    @Test
    void aCaptureOfACaptureHasTheSameEntries() throws IOException {
        SimulatedKernel k = mixed();
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        SysfsCapture.Result a = SysfsCapture.capture(k, first);
        SysfsCapture.Result b = SysfsCapture.capture(new NioSysfsAccess(first), second);
        assertEquals(entries(first), entries(second));
        assertEquals(a.deviceLines(), b.deviceLines());
        assertEquals(topology(first, ScanScope.ALL_FUNCTIONS), topology(second, ScanScope.ALL_FUNCTIONS));
    }

    @Test
    void theOutputDirectoryMustBeNewOrEmpty() throws IOException {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        Path dir = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(dir.resolve("x"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SysfsCapture.capture(k, dir));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SysfsCapture.capture(k, dir.resolve("x")));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(8, SysfsCapture.capture(k, empty).devices());
        assertEquals(List.of(), k.writes(), "a capture never writes");
    }

    record Run(int status, String out, String err) {
    }

    static Run main(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SysfsCapture.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mainCapturesAGivenSysfsRootWithNotes() throws IOException {
        Path source = tmp.resolve("source");
        SysfsCapture.capture(mixed(), source);
        Path out = tmp.resolve("out");
        Run r = main(out.toString(), "--sysfs-root", source.toString(), "--note", "7 VFs", "--note", "again");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("captured 15 PCI devices (7 VFs) from " + source + " into " + out), r.out());
        assertTrue(r.out().startsWith("DEVICE bdf=0000:00:00.0 "), r.out());
        List<String> manifest = Files.readAllLines(out.resolve("MANIFEST.txt"));
        assertTrue(manifest.containsAll(List.of("# note: 7 VFs", "# note: again")), manifest.toString());
        assertTrue(manifest.get(2).contains(", by org.sriov4j.testing.SysfsCapture from " + source + "/"),
                manifest.get(2));
        assertFalse(manifest.stream().anyMatch(l -> l.startsWith("# note: modules:")), "only for /sys itself");
        assertEquals(entries(source), entries(out));
    }

    @Test
    void mainListsTheVfioNodesOfAGivenDevRoot() throws IOException {
        Path source = tmp.resolve("source");
        SysfsCapture.capture(mixed(), source);
        Path dev = Files.createDirectories(tmp.resolve("dev/vfio"));
        Files.writeString(dev.resolve("9"), "");
        Run r = main(tmp.resolve("out").toString(), "--sysfs-root", source.toString(), "--dev-root",
                tmp.resolve("dev").toString());
        assertEquals(0, r.status(), r.err());
        List<String> manifest = Files.readAllLines(tmp.resolve("out/MANIFEST.txt"));
        assertTrue(manifest.stream().anyMatch(l -> l.matches("DEVNODE /dev/vfio/9 f mode=0\\d{3}")),
                manifest.toString());
        Run absent = main(tmp.resolve("out2").toString(), "--sysfs-root", source.toString(), "--dev-root",
                tmp.resolve("nodev").toString());
        assertEquals(0, absent.status(), absent.err());
        assertTrue(Files.readAllLines(tmp.resolve("out2/MANIFEST.txt")).contains("DEVNODE /dev/vfio absent"));
    }

    @Test
    void mainRejectsBadUsageWithStatus2AndFailuresWithStatus1() throws IOException {
        assertEquals(2, main().status());
        assertEquals(2, main("a", "b").status());
        assertEquals(2, main("a", "--note").status());
        assertEquals(2, main("a", "--bogus").status());
        assertTrue(main("--help").out().startsWith("usage: "));
        Run missing = main(tmp.resolve("o").toString(), "--sysfs-root", tmp.resolve("nothing").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("ENOENT"), missing.err());
    }
}
