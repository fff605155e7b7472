package org.sriov4j.testdata;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unpacks the sysfs trees captured from a real 6.12 kernel (test resources) and reads their MANIFEST. The tests of
 * test-fixtures and cli use it too, through this module's test jar (which holds only this class and the trees).
 */
public final class CapturedTrees {

    /**
     * The trees shipped in src/test/resources/sysfs: two captured by a Python script, two by the library's own
     * {@code org.sriov4j.testing.SysfsCapture} (names ending in {@code -lib}).
     */
    public static final List<String> NAMES = List.of("igb-novf", "igb-7vf-mixed", "igb-7vf-lib", "igb-dual-lib");

    private CapturedTrees() {
    }

    /**
     * Unpacks a tree into {@code dir} and returns its root.
     *
     * @param name the tree name
     * @param dir a scratch directory
     * @return the sysfs root
     * @throws Exception on failure
     */
    public static Path unpack(String name, Path dir) throws Exception {
        Path tarball = dir.resolve(name + ".tar.gz");
        try (InputStream in = CapturedTrees.class.getResourceAsStream("/sysfs/" + name + ".tar.gz")) {
            if (in == null) {
                throw new IOException("missing test resource /sysfs/" + name + ".tar.gz");
            }
            Files.copy(in, tarball, StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder("tar", "-xpzf", tarball.toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("tar failed: " + out);
        }
        return dir.resolve(name);
    }

    /** One DEVICE line of a MANIFEST. */
    public record ManifestDevice(Map<String, String> fields) {
        /**
         * A field.
         *
         * @param key the key
         * @return the value or null
         */
        public String get(String key) {
            return fields.get(key);
        }

        /**
         * The netdevs: {@code net=eth0}, or {@code net=eth0,eth1} for a function with several (SysfsCapture's
         * format); none when the line has no {@code net} field.
         *
         * @return the netdev names in line order
         */
        public List<String> netdevs() {
            String net = fields.get("net");
            return net == null ? List.of() : List.of(net.split(","));
        }
    }

    /**
     * Parses the DEVICE lines of a tree's MANIFEST.txt.
     *
     * @param root the tree
     * @return the devices in file order
     * @throws IOException on failure
     */
    public static List<ManifestDevice> manifest(Path root) throws IOException {
        List<ManifestDevice> out = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("MANIFEST.txt"))) {
            if (!line.startsWith("DEVICE ")) {
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (String token : line.substring(7).split(" ")) {
                int eq = token.indexOf('=');
                f.put(token.substring(0, eq), token.substring(eq + 1));
            }
            out.add(new ManifestDevice(f));
        }
        return out;
    }
}
