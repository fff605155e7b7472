package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.testdata.CapturedTrees;

class CliTest {

    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Unpacks a captured tree shipped with sriov-spi's tests. */
    Path tree(String name) throws Exception {
        return CapturedTrees.unpack(name, tmp);
    }

    /** The JSON object of one function in list --json output (flat fields only; the writer puts one per line). */
    static Map<String, String> object(String json, String bdf) {
        int at = json.indexOf("\"address\": \"" + bdf + "\"");
        assertTrue(at >= 0, bdf + " missing from\n" + json);
        int end = json.indexOf("\n    }", at);
        Map<String, String> m = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile("\"(\\w+)\": (\"[^\"]*\"|null|-?\\d+|true|false|\\[[^\\]]*\\])")
                .matcher(json.substring(at, end));
        while (matcher.find()) {
            m.put(matcher.group(1), matcher.group(2).replace("\"", ""));
        }
        return m;
    }

    /** What list --json reports for a numa_node file: null for -1 (and for a missing file), else the number. */
    static String numaNode(Path root, String bdf) throws IOException {
        Path file = root.resolve("bus/pci/devices/" + bdf + "/numa_node");
        if (!Files.exists(file)) {
            return "null";
        }
        String node = Files.readString(file).strip();
        return node.equals("-1") ? "null" : node;
    }

    @ParameterizedTest
    @ValueSource(strings = {"igb-novf", "igb-7vf-mixed", "igb-7vf-lib", "igb-dual-lib"})
    void listJsonReportsExactlyWhatTheManifestLists(String name) throws Exception {
        Path root = tree(name);
        Result r = run("--sysfs-root", root.toString(), "list", "--json", "--all");
        assertEquals(0, r.status(), r.err());
        List<Map<String, String>> devices = CapturedTrees.manifest(root).stream()
                .map(CapturedTrees.ManifestDevice::fields).toList();
        assertEquals(devices.size(), Pattern.compile("\"address\"").matcher(r.out()).results().count());
        for (Map<String, String> d : devices) {
            Map<String, String> o = object(r.out(), d.get("bdf"));
            assertEquals(d.get("id"), o.get("vendorId") + ":" + o.get("deviceId"));
            assertEquals(d.get("class"), "0x" + o.get("classCode"));
            assertEquals(d.get("driver").equals("-") ? "null" : d.get("driver"), o.get("driver"));
            assertEquals(d.get("iommu_group"), o.get("iommuGroup"));
            // every function of the captured 6.12 guests reads numa_node -1 (q35 without NUMA): null
            assertEquals("null", numaNode(root, d.get("bdf")), d.get("bdf"));
            assertEquals(numaNode(root, d.get("bdf")), o.get("numaNode"));
            assertEquals(d.containsKey("net") ? "[" + d.get("net").replace(",", ", ") + "]" : "[]",
                    o.get("netdevs"));
            if (d.containsKey("sriov_totalvfs")) {
                assertEquals("PF", o.get("kind"));
                assertEquals(d.get("sriov_totalvfs"), o.get("totalVfs"));
                assertEquals(d.get("sriov_numvfs"), o.get("numVfs"));
                String vfs = d.get("virtfns").replaceAll("(?<=[\\[,])\\d+:", "").replace(",", ", ");
                assertEquals(vfs, o.get("vfs"));
            } else if (d.containsKey("physfn")) {
                assertEquals("VF", o.get("kind"));
                assertEquals(d.get("physfn"), o.get("pf"));
                assertEquals(d.get("vf_index"), o.get("vfIndex"));
            } else {
                assertEquals("OTHER", o.get("kind"));
            }
        }
    }

    @Test
    void listJsonWithoutAllHasOnlyPfsAndVfs() throws Exception {
        Result r = run("--sysfs-root", tree("igb-7vf-mixed").toString(), "list", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("{") && r.out().contains("\"functions\": ["), r.out());
        assertEquals(8, Pattern.compile("\"address\"").matcher(r.out()).results().count());
        assertEquals(1, Pattern.compile("\"kind\": \"PF\"").matcher(r.out()).results().count());
    }

    @Test
    void listPrintsAReadableTable() throws Exception {
        Result r = run("--sysfs-root", tree("igb-7vf-mixed").toString(), "list");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("ADDRESS"), r.out());
        assertTrue(lines[1].matches("0000:01:00\\.0 +PF +8086:10c9 +igb +5 +- +eth0 +7/7 VFs.*autoprobe off"),
                lines[1]);
        assertTrue(lines[5].matches("0000:01:10\\.6 +VF +8086:10ca +vfio-pci +9 +- +- +VF 3 of 0000:01:00\\.0"),
                lines[5]);
    }

    @Test
    void showDescribesOneFunctionWithItsGroup() throws Exception {
        Result r = run("--sysfs-root", tree("igb-7vf-mixed").toString(), "show", "01:10.6");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Driver:            vfio-pci"), r.out());
        assertTrue(r.out().contains("IOMMU group:       9 [0000:01:10.6]"), r.out());
        assertTrue(r.out().contains("Physical function: 0000:01:00.0 (VF 3)"), r.out());
    }

    @Test
    void showJsonOfAVf() throws Exception {
        Result r = run("--sysfs-root", tree("igb-7vf-mixed").toString(), "show", "0000:01:11.2", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"vfIndex\": 5") && r.out().contains("\"driver\": null"), r.out());
    }

    @Test
    void showOfAnAbsentDeviceFailsWithStatusOneAndOneLine() throws Exception {
        Result r = run("--sysfs-root", tree("igb-novf").toString(), "show", "0000:05:00.0");
        assertEquals(1, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("0000:05:00.0"), r.err());
    }

    @Test
    void aMalformedAddressIsBadUsage() {
        Result r = run("show", "0000:01:00.0/../../x");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("not a PCI address"), r.err());
    }

    @Test
    void unknownCommandsAndOptionsAreBadUsage() {
        assertEquals(2, run("frobnicate").status());
        assertEquals(2, run("list", "--yaml").status());
        assertEquals(2, run().status());
        assertEquals(2, run("--sysfs-root").status());
        assertEquals(2, run("--sysfs-root", tmp.resolve("missing").toString(), "list").status());
    }

    @Test
    void helpListsEveryCommandAndExitsZero() {
        Result r = run("--help");
        assertEquals(0, r.status());
        for (String c : new String[] {"list", "show", "demo", "--sysfs-root"}) {
            assertTrue(r.out().contains(c), c);
        }
    }

    @Test
    void aSysfsRootWithoutPciDevicesFailsWithStatusOne() {
        Result r = run("--sysfs-root", tmp.toString(), "list");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("ENOENT") && r.err().contains("bus/pci/devices"), r.err());
    }
}
