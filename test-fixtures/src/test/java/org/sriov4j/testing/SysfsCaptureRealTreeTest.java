package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sriov4j.ScanScope;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.testdata.CapturedTrees;

/**
 * {@link SysfsCapture} on the trees captured from a real Linux 6.12 kernel (sriov-spi's test resources): capturing
 * one again gives the same topology, the same {@code DEVICE} lines and the same links.
 */
class SysfsCaptureRealTreeTest {

    @TempDir
    Path tmp;

    static Path resources() {
        return Path.of(System.getProperty("user.dir")).resolve("../sriov-spi/src/test/resources/sysfs").normalize();
    }

    /** Every tree shipped in sriov-spi/src/test/resources/sysfs. */
    static List<String> trees() throws IOException {
        try (Stream<Path> s = Files.list(resources())) {
            List<String> names = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tar.gz"))
                    .map(n -> n.substring(0, n.length() - ".tar.gz".length())).sorted().toList();
            assertFalse(names.isEmpty(), "no trees in " + resources());
            return names;
        }
    }

    private Path unpack(String name) throws Exception {
        return CapturedTrees.unpack(name, Files.createDirectories(tmp.resolve("real")));
    }

    private static List<String> deviceLines(Path root) throws IOException {
        return Files.readAllLines(root.resolve("MANIFEST.txt"), StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.startsWith("DEVICE ")).toList();
    }

    @ParameterizedTest
    @MethodSource("trees")
    void capturingARealTreeAgainGivesTheSameTopologyAndDeviceLines(String name) throws Exception {
        Path real = unpack(name);
        Path again = tmp.resolve("again").resolve(name);
        SysfsCapture.Result r = SysfsCapture.capture(new NioSysfsAccess(real), again);
        for (ScanScope scope : ScanScope.values()) {
            assertEquals(SysfsCaptureTest.topology(real, scope), SysfsCaptureTest.topology(again, scope),
                    name + " " + scope);
        }
        List<String> expected = deviceLines(real);
        assertEquals(expected, r.deviceLines());
        assertEquals(expected, deviceLines(again));
        assertEquals(expected.size(), r.devices());
    }

    @ParameterizedTest
    @MethodSource("trees")
    void everyCapturedEntryIsThereInTheRealTreeWithTheSameTargetOrContent(String name) throws Exception {
        Path real = unpack(name);
        Path again = tmp.resolve("again").resolve(name);
        SysfsCapture.capture(new NioSysfsAccess(real), again);
        Map<String, String> captured = SysfsCaptureTest.entries(again);
        Map<String, String> original = SysfsCaptureTest.entries(real);
        int links = 0;
        for (Map.Entry<String, String> e : captured.entrySet()) {
            assertEquals(original.get(e.getKey()), e.getValue(), e.getKey());
            if (e.getValue().startsWith("L ")) {
                links++;
            }
        }
        // every bus/pci/devices, iommu group, driver, virtfn and physfn link of the real tree is captured
        for (Map.Entry<String, String> e : original.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("bus/pci/devices/") || k.matches("kernel/iommu_groups/\\d+/devices/.*")
                    || k.matches("bus/pci/drivers/[^/]+/[0-9a-f]{4}:.*")
                    || k.matches("devices/pci[^/]*(/[0-9a-f:.]+)*/[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]/"
                            + "(driver|iommu_group|physfn|virtfn\\d+)")) {
                assertEquals(e.getValue(), captured.get(k), k);
            }
        }
        assertTrue(links > 50, "only " + links + " links");
    }
}
