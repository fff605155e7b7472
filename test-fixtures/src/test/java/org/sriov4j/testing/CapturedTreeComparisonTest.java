package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.testdata.CapturedTrees;

/**
 * Drives {@link SimulatedKernel#intel82576Host()} through the steps that produced the captured tree
 * {@code igb-7vf-mixed} (see its MANIFEST.txt) and compares everything the simulator renders with the real
 * Linux 6.12 tree: every entry must exist there with the same kind, every link must have the same target, every
 * readable file the same content (except VF MAC addresses, which are random), and the key entries of the real tree
 * (devices, links, groups, netdevs, vfio nodes) must all be rendered.
 */
class CapturedTreeComparisonTest {

    private static final String TREE = "igb-7vf-mixed";
    /** Entries of the real tree the simulator must render whenever their directory is rendered. */
    private static final Pattern KEY_ENTRY = Pattern.compile(
            "[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]|virtfn\\d+|physfn|driver|iommu_group|driver_override"
                    + "|sriov_.*|vendor|device|class|numa_node|net|vfio-dev|eth\\d+|vfio\\d+|\\d+|devices|lo");
    private static final Pattern RANDOM_MAC = Pattern.compile(".*/net/eth[1-9]\\d*/address");

    @TempDir
    Path tmp;

    /** The MANIFEST's notes, replayed. */
    private static SimulatedKernel reproduce() {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        String pf = "bus/pci/devices/0000:01:00.0/";
        k.write(pf + "sriov_drivers_autoprobe", "0");
        k.write(pf + "sriov_numvfs", "7");
        k.write(pf + "sriov_drivers_autoprobe", "1");
        for (String vf : List.of("0000:01:10.0", "0000:01:10.2", "0000:01:10.4")) {
            k.write("bus/pci/drivers_probe", vf);
        }
        for (String vf : List.of("0000:01:10.6", "0000:01:11.0")) {
            k.write("bus/pci/devices/" + vf + "/driver_override", "vfio-pci");
            k.write("bus/pci/drivers_probe", vf);
        }
        String vf5 = "0000:01:11.2";
        k.write("bus/pci/devices/" + vf5 + "/driver_override", "vfio-pci");
        k.write("bus/pci/drivers_probe", vf5);
        k.write("bus/pci/drivers/vfio-pci/unbind", vf5);
        k.write("bus/pci/devices/" + vf5 + "/driver_override", "\n");
        k.write(pf + "sriov_drivers_autoprobe", "0");
        return k;
    }

    private enum Kind { LINK, DIR, FILE }

    private static Kind kind(SysfsAccess fs, String path) {
        try {
            fs.readLink(path);
            return Kind.LINK;
        } catch (SysfsIoException e) {
            if (e.errno().orElse(null) != Errno.EINVAL) {
                throw e;
            }
        }
        try {
            fs.list(path);
            return Kind.DIR;
        } catch (SysfsIoException e) {
            if (e.errno().orElse(null) != Errno.ENOTDIR) {
                throw e;
            }
            return Kind.FILE;
        }
    }

    @Test
    void simulatedIgb7VfMixedHostRendersWhatTheRealKernelShows() throws Exception {
        Path root = CapturedTrees.unpack(TREE, tmp);
        Set<String> placeholders = new HashSet<>();
        Set<String> devNodes = new TreeSet<>();
        for (String line : Files.readAllLines(root.resolve("MANIFEST.txt"))) {
            if (line.startsWith("PLACEHOLDER ")) {
                placeholders.add(line.split(" ")[1]);
            } else if (line.startsWith("DEVNODE /dev/")) {
                devNodes.add(line.split(" ")[1].substring("/dev/".length()));
            }
        }
        NioSysfsAccess real = new NioSysfsAccess(root);
        SimulatedKernel sim = reproduce();
        List<String> problems = new ArrayList<>();
        int[] compared = new int[1];
        for (String start : List.of("bus/pci/devices", "bus/pci/drivers/igb", "bus/pci/drivers/igbvf",
                "bus/pci/drivers/vfio-pci", "bus/pci/drivers/pcieport", "bus/pci/drivers/virtio-pci",
                "bus/pci/drivers_autoprobe", "devices/pci0000:00", "devices/virtual/net", "kernel/iommu_groups",
                "class/net", "class/vfio", "class/vfio-dev")) {
            walk(sim, real, start, placeholders, problems, compared);
        }
        List<String> simNodes = new ArrayList<>();
        for (String n : sim.devices().list("vfio")) {
            simNodes.add("vfio/" + n);
        }
        if (!new TreeSet<>(simNodes).equals(devNodes)) {
            problems.add("/dev: simulator " + simNodes + ", real " + devNodes);
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " differences from the real tree:\n  " + String.join("\n  ", problems)
                    + "\n" + sim);
        }
        assertTrue(compared[0] > 400, "compared only " + compared[0] + " entries");
    }

    private static void walk(SimulatedKernel sim, SysfsAccess real, String path, Set<String> placeholders,
            List<String> problems, int[] compared) {
        compared[0]++;
        if (!real.exists(path)) {
            problems.add(path + ": rendered by the simulator, absent from the real tree");
            return;
        }
        Kind kind = kind(sim, path);
        Kind realKind = kind(real, path);
        if (kind != realKind) {
            problems.add(path + ": simulator " + kind + ", real " + realKind);
            return;
        }
        switch (kind) {
            case LINK:
                String simTarget = sim.readLink(path);
                String realTarget = real.readLink(path);
                if (!simTarget.equals(realTarget)) {
                    problems.add(path + ": link to " + simTarget + ", real " + realTarget);
                }
                break;
            case DIR:
                List<String> simEntries = sim.list(path);
                for (String realEntry : real.list(path)) {
                    if (KEY_ENTRY.matcher(realEntry).matches() && !simEntries.contains(realEntry)) {
                        problems.add(path + "/" + realEntry + ": in the real tree, not rendered");
                    }
                }
                for (String e : simEntries) {
                    walk(sim, real, path + "/" + e, placeholders, problems, compared);
                }
                break;
            default:
                String content;
                try {
                    content = sim.read(path);
                } catch (SysfsIoException e) {
                    if (e.errno().orElse(null) == Errno.EACCES && placeholders.contains(path)) {
                        return; // write-only on both sides
                    }
                    problems.add(path + ": " + e.getMessage());
                    return;
                }
                if (placeholders.contains(path)) {
                    problems.add(path + ": readable in the simulator, write-only or unreadable for real");
                } else if (!RANDOM_MAC.matcher(path).matches() || path.contains("0000:01:00.0/")) {
                    String realContent = real.read(path);
                    if (!content.equals(realContent)) {
                        problems.add(path + ": \"" + KernelText.escape(content) + "\", real \""
                                + KernelText.escape(realContent) + "\"");
                    }
                }
                break;
        }
    }
}
