package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.internal.json.Json;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.testdata.CapturedTrees;

/** {@code profile} and {@code migrate-check} on sysfs trees captured from Linux 6.12: output and exit status. */
class CliMigrateTest {
    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    final java.util.Map<String, Path> trees = new java.util.HashMap<>();

    Path tree(String name) throws Exception {
        Path known = trees.get(name);
        if (known != null) {
            return known;
        }
        Path dir = Files.createDirectories(tmp.resolve("trees"));
        Path root = CapturedTrees.unpack(name, dir);
        trees.put(name, root);
        return root;
    }

    String[] on(Path root, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--sysfs-root";
        all[1] = root.toString();
        all[2] = "--state-dir";
        all[3] = tmp.resolve("state").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return all;
    }

    DeviceProfile mixedProfile() throws Exception {
        Result r = run(on(tree("igb-7vf-mixed"), "profile", "0000:01:10.0", "--json"));
        assertEquals(0, r.status(), r.err());
        return DeviceProfile.fromJson(r.out());
    }

    Path write(DeviceProfile p) throws Exception {
        Path f = tmp.resolve("profile-" + System.nanoTime() + ".json");
        Files.writeString(f, p.toJson());
        return f;
    }

    @Test
    void profileJsonIsTheTransferFormatWithWhatTheTreeHolds() throws Exception {
        DeviceProfile p = mixedProfile();
        assertEquals("8086:10ca", p.id().toString());
        assertEquals(OptionalInt.of(3), p.msixVectors());
        assertEquals(2, p.bars().orElseThrow().size());
        assertEquals(Optional.empty(), p.pf().firmwareVersion(), "no ethtool on a captured tree");
        Result human = run(on(tree("igb-7vf-lib"), "profile", "01:10.0"));
        assertEquals(0, human.status(), human.err());
        assertTrue(human.out().contains("device.bars") && human.out().contains("unknown"), human.out());
        Result pf = run(on(tree("igb-7vf-lib"), "profile", "0000:01:00.0"));
        assertEquals(1, pf.status());
        assertTrue(pf.err().contains("not a virtual function"), pf.err());
    }

    @Test
    void aFittingVfExitsZeroAndSaysWhatIsApplied() throws Exception {
        Path f = write(mixedProfile().withNet(VfNetConfig.builder().mac(MacAddress.parse("52:54:00:12:34:56")).vlan(100, 3).build()));
        Result r = run(on(tree("igb-7vf-mixed"), "migrate-check", f.toString(), "--guest-vf-driver",
                "igbvf:6.12.118"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("fits: 0000:01:10.0"), r.out());
        // a captured tree's VFs cannot be asked whether they take the settings: carried over, but unverified
        assertTrue(r.out().matches("(?s).*unverified +net.mac +52:54:00:12:34:56 -> unknown \\(not checked: the "
                + "sysfs tree read is not this host's.*"), r.out());
        assertTrue(r.out().matches("(?s).*unverified +net.vlan +100.*"), r.out());
        assertTrue(r.out().matches("(?s).*APPLY_NET_CONFIG 0000:01:10.0: apply mac 52:54:00:12:34:56, vlan 100 qos 3.*"),
                r.out());
        assertTrue(r.out().contains("driver compatibility: igbvf:6.12.118"), r.out());
        assertTrue(r.out().contains("migration plan"), r.out());

        Result json = run(on(tree("igb-7vf-mixed"), "migrate-check", f.toString(), "--json"));
        assertEquals(0, json.status(), json.err());
        Map<?, ?> doc = (Map<?, ?>) Json.parse(json.out());
        assertEquals(Boolean.TRUE, doc.get("fits"));
        assertEquals("0000:01:10.0", doc.get("chosen"));
        Map<?, ?> chosen = (Map<?, ?>) ((List<?>) doc.get("candidates")).get(0);
        assertEquals(Map.of(), chosen.get("apply"), "nothing verified to be applicable on a captured tree");
        assertTrue(doc.get("plan") instanceof Map, json.out());
    }

    @Test
    void differencesAreNamedWithExitOneAndAnEmptyHostSaysNoFreeVf() throws Exception {
        DeviceProfile p = mixedProfile();
        Path other = tmp.resolve("other.json");
        Files.writeString(other, p.toJson().replace("\"revision\": \"01\"", "\"revision\": \"02\""));
        Result r = run(on(tree("igb-7vf-lib"), "migrate-check", other.toString()));
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("no VF fits"), r.out());
        assertTrue(r.out().matches("(?s).*different +device.revision +02 -> 01.*"), r.out());

        Result strict = run(on(tree("igb-7vf-lib"), "migrate-check", write(p).toString(), "--strict", "--json"));
        assertEquals(1, strict.status(), strict.out());
        assertTrue(strict.out().contains("\"outcome\": \"UNVERIFIED\""), strict.out());

        Result none = run(on(tree("igb-novf"), "migrate-check", write(p).toString()));
        assertEquals(1, none.status());
        assertTrue(none.out().contains("no free VF"), none.out());

        Result pool = run(on(tree("igb-7vf-mixed"), "migrate-check", write(p).toString(), "--pool",
                "0000:01:00.0#3"));
        assertEquals(1, pool.status(), "VF3 is on vfio-pci for someone sriov4j does not know");
        assertTrue(pool.out().contains("no free VF in the pool"), pool.out());
    }

    @Test
    void aMalformedOrUnsupportedProfileExitsTwoNamingTheField() throws Exception {
        String good = mixedProfile().toJson();
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, good.replace("\"msixVectors\": 3", "\"msixVectors\": \"three\""));
        Result r = run(on(tree("igb-7vf-lib"), "migrate-check", bad.toString()));
        assertEquals(2, r.status());
        assertEquals("sriov4j: device.msixVectors: must be an integer", r.err().lines().findFirst().orElseThrow());
        Files.writeString(bad, good.replace("\"schemaVersion\": 1", "\"schemaVersion\": 9"));
        Result v = run(on(tree("igb-7vf-lib"), "migrate-check", bad.toString()));
        assertEquals(2, v.status());
        assertTrue(v.err().startsWith("sriov4j: schemaVersion: unsupported version 9"), v.err());
        Files.writeString(bad, "{\"schemaVersion\": 1,");
        assertEquals(2, run(on(tree("igb-7vf-lib"), "migrate-check", bad.toString())).status());
        assertEquals(2, run(on(tree("igb-7vf-lib"), "migrate-check", tmp.resolve("missing.json").toString()))
                .status());
        assertEquals(2, run(on(tree("igb-7vf-lib"), "migrate-check", write(DeviceProfile.fromJson(good)).toString(),
                "--guest-vf-driver", "igbvf")).status());
    }
}
