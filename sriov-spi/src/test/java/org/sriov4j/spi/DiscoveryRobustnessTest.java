package org.sriov4j.spi;

import org.sriov4j.spi.engine.SriovEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.SysfsIoException;
import org.sriov4j.Topology;
import org.sriov4j.testdata.CapturedTrees;

/** Discovery when sysfs changes under it or holds something unexpected. */
class DiscoveryRobustnessTest {

    @TempDir
    Path tmp;

    /** A captured tree where some paths are hidden (as if removed) and some contents replaced. */
    static final class Tampered implements SysfsAccess {
        final SysfsAccess d;
        final UnaryOperator<String> hidden;
        final Map<String, String> replaced;

        Tampered(SysfsAccess d, UnaryOperator<String> hidden, Map<String, String> replaced) {
            this.d = d;
            this.hidden = hidden;
            this.replaced = replaced;
        }

        private boolean gone(String path) {
            return hidden.apply(path) != null;
        }

        private SysfsIoException enoent(String op, String path) {
            return new SysfsIoException(op, describe(path), Errno.ENOENT, "", null);
        }

        @Override
        public String read(String path) {
            if (gone(path)) {
                throw enoent("read", path);
            }
            return replaced.getOrDefault(path, d.read(path));
        }

        @Override
        public void write(String path, String value) {
            throw new AssertionError();
        }

        @Override
        public List<String> list(String dir) {
            if (gone(dir)) {
                throw enoent("list", dir);
            }
            return d.list(dir);
        }

        @Override
        public String readLink(String path) {
            if (gone(path)) {
                throw enoent("readlink", path);
            }
            return d.readLink(path);
        }

        @Override
        public boolean exists(String path) {
            return !gone(path) && d.exists(path);
        }

        @Override
        public String describe(String path) {
            return d.describe(path);
        }
    }

    private Topology scan(UnaryOperator<String> hidden, Map<String, String> replaced) throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        SysfsAccess sysfs = new Tampered(new NioSysfsAccess(root), hidden, replaced);
        try (SriovHost host = SriovEngine.open(SriovConfig.defaults(), sysfs, new NioDeviceNodeAccess(tmp))) {
            return host.topology(ScanScope.ALL_FUNCTIONS);
        }
    }

    @Test
    void aVfRemovedDuringTheScanIsLeftOutWithoutFailingTheScan() throws Exception {
        // listed by bus/pci/devices, but gone by the time its attributes are read
        String vf = "bus/pci/devices/0000:01:11.4";
        Topology t = scan(p -> p.startsWith(vf) && !p.equals(vf) ? p : (p.equals(vf) ? p : null), Map.of());
        assertTrue(t.function(PciAddress.parse("0000:01:11.4")).isEmpty());
        assertEquals(6, t.virtualFunctions().size());
    }

    @Test
    void aVfWhoseAttributesVanishAfterTheKindCheckIsLeftOut() throws Exception {
        String vf = "bus/pci/devices/0000:01:11.2";
        int[] seen = {0};
        Topology t = scan(p -> {
            if (p.equals(vf + "/physfn")) {
                seen[0]++;
            }
            return seen[0] > 0 && p.startsWith(vf) ? p : null;
        }, Map.of());
        assertTrue(t.virtualFunction(PciAddress.parse("0000:01:11.2")).isEmpty());
        assertEquals(6, t.virtualFunctions().size());
    }

    @Test
    void aMissingAttributeOfADeviceThatStillExistsIsAnErrorNamingTheFile() throws Exception {
        String vendor = "bus/pci/devices/0000:01:10.0/vendor";
        SysfsIoException e = assertThrows(SysfsIoException.class, () -> scan(p -> p.equals(vendor) ? p : null,
                Map.of()));
        assertEquals(Errno.ENOENT, e.errno().orElseThrow());
        assertTrue(e.getMessage().contains("0000:01:10.0/vendor"), e.getMessage());
    }

    @Test
    void malformedContentIsAnErrorThatNamesTheFileAndQuotesTheContent() throws Exception {
        MalformedAttributeException e = assertThrows(MalformedAttributeException.class,
                () -> scan(p -> null, Map.of("bus/pci/devices/0000:01:00.0/sriov_numvfs", "seven\n")));
        assertTrue(e.getMessage().contains("bus/pci/devices/0000:01:00.0/sriov_numvfs"), e.getMessage());
        assertTrue(e.getMessage().contains("seven"), e.getMessage());
        assertEquals("seven\n", e.content());
    }

    @Test
    void hexIdsAreAcceptedWithAndWithoutThePrefix() throws Exception {
        Topology t = scan(p -> null, Map.of("bus/pci/devices/0000:01:00.0/vendor", "8086\n",
                "bus/pci/devices/0000:01:00.0/device", "0x10C9"));
        assertEquals("8086:10c9", t.function(PciAddress.parse("0000:01:00.0")).orElseThrow().id().toString());
    }

    @Test
    void aRealNumaNodeIsReported() throws Exception {
        Topology t = scan(p -> null, Map.of("bus/pci/devices/0000:01:00.0/numa_node", "1\n"));
        assertEquals(1, t.function(PciAddress.parse("0000:01:00.0")).orElseThrow().numaNode().orElseThrow());
    }

    @Test
    void aNumaNodeOtherThanMinusOneOrANumberIsMalformed() throws Exception {
        assertThrows(MalformedAttributeException.class,
                () -> scan(p -> null, Map.of("bus/pci/devices/0000:01:00.0/numa_node", "-2\n")));
    }

    @Test
    void withoutAnIommuFunctionsHaveNoGroup() throws Exception {
        Topology t = scan(p -> p.endsWith("/iommu_group") || p.startsWith("kernel/iommu_groups") ? p : null,
                Map.of());
        assertTrue(t.functions().stream().allMatch(f -> f.iommuGroup().isEmpty()));
        assertEquals(List.of(), t.iommuGroups());
    }
}
