package org.sriov4j.spi;

import org.sriov4j.spi.engine.SriovEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.FunctionKind;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;
import org.sriov4j.testdata.CapturedTrees;

/** Discovery on sysfs trees captured from a real Linux 6.12 kernel with an emulated 82576. */
class CapturedTreeDiscoveryTest {

    @TempDir
    Path tmp;

    /** Fails every write: the captured trees are read-only roots. */
    static final class ReadOnly implements SysfsAccess {
        final SysfsAccess d;

        ReadOnly(SysfsAccess d) {
            this.d = d;
        }

        @Override
        public String read(String path) {
            return d.read(path);
        }

        @Override
        public void write(String path, String value) {
            throw new AssertionError("discovery must not write: " + path);
        }

        @Override
        public List<String> list(String dir) {
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

    private Topology scan(String tree, ScanScope scope) throws Exception {
        Path root = CapturedTrees.unpack(tree, tmp);
        SysfsAccess sysfs = new ReadOnly(new NioSysfsAccess(root));
        try (SriovHost host = SriovEngine.open(SriovConfig.builder().sysfsRoot(root).build(), sysfs,
                new NioDeviceNodeAccess(tmp.resolve("no-dev")))) {
            return host.topology(scope);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"igb-novf", "igb-7vf-mixed", "igb-7vf-lib", "igb-dual-lib"})
    void everyFunctionMatchesTheManifestLineForLine(String tree) throws Exception {
        Topology t = scan(tree, ScanScope.ALL_FUNCTIONS);
        List<CapturedTrees.ManifestDevice> manifest = CapturedTrees.manifest(tmp.resolve(tree));
        assertEquals(manifest.size(), t.functions().size());
        for (CapturedTrees.ManifestDevice m : manifest) {
            PciAddress a = PciAddress.parse(m.get("bdf"));
            PciFunction f = t.function(a).orElseThrow(() -> new AssertionError("missing " + a));
            assertEquals(m.get("id"), f.id().toString(), a + " id");
            assertEquals(m.get("class"), "0x" + f.classCodeHex(), a + " class");
            assertEquals(m.get("driver"), f.driver().orElse("-"), a + " driver");
            assertEquals(m.get("driver_override"), f.driverOverride().orElse("(null)"), a + " override");
            assertEquals(m.get("iommu_group"), String.valueOf(f.iommuGroup().orElseThrow()), a + " group");
            assertEquals(m.netdevs(), f.netdevs(), a + " net");
            if (m.get("sriov_totalvfs") != null) {
                assertEquals(FunctionKind.PF, f.kind());
                PhysicalFunction pf = t.physicalFunction(a).orElseThrow();
                assertEquals(Integer.parseInt(m.get("sriov_totalvfs")), pf.totalVfs());
                assertEquals(Integer.parseInt(m.get("sriov_numvfs")), pf.numVfs());
                assertEquals(m.get("sriov_drivers_autoprobe").equals("1"), pf.driversAutoprobe());
                assertEquals(m.get("sriov_vf_device"), String.format("%04x", pf.vfDeviceId()));
                String virtfns = "[" + String.join(",", indexed(pf.vfs())) + "]";
                assertEquals(m.get("virtfns"), virtfns, a + " virtfns");
            } else if (m.get("physfn") != null) {
                VirtualFunction vf = t.virtualFunction(a).orElseThrow();
                assertEquals(m.get("physfn"), vf.pf().toString());
                assertEquals(Integer.parseInt(m.get("vf_index")), vf.index());
            } else {
                assertEquals(FunctionKind.OTHER, f.kind());
            }
        }
    }

    private static List<String> indexed(List<PciAddress> vfs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < vfs.size(); i++) {
            out.add(i + ":" + vfs.get(i));
        }
        return out;
    }

    @Test
    void sriovScopeReportsThe82576PfAndItsSevenVfsInEveryDriverState() throws Exception {
        Topology t = scan("igb-7vf-mixed", ScanScope.SRIOV);
        assertEquals(8, t.functions().size());
        PhysicalFunction pf = t.physicalFunctions().get(0);
        assertEquals("0000:01:00.0", pf.address().toString());
        assertEquals("8086:10c9", pf.function().id().toString());
        assertEquals(Optional.of("igb"), pf.function().driver());
        assertEquals(List.of("eth0"), pf.function().netdevs());
        assertEquals(7, pf.totalVfs());
        assertEquals(7, pf.numVfs());
        assertEquals(128, pf.vfOffset());
        assertEquals(2, pf.vfStride());
        assertEquals("8086:10ca", pf.vfId().toString());
        assertFalse(pf.driversAutoprobe());
        assertEquals(OptionalInt.empty(), pf.function().numaNode(), "numa_node -1 is unknown");
        assertEquals("[0000:01:10.0, 0000:01:10.2, 0000:01:10.4, 0000:01:10.6, 0000:01:11.0, 0000:01:11.2, "
                + "0000:01:11.4]", pf.vfs().toString());
        assertEquals("igbvf,igbvf,igbvf,vfio-pci,vfio-pci,-,-", t.virtualFunctions().stream()
                .map(v -> v.function().driver().orElse("-")).collect(Collectors.joining(",")));
        assertEquals("6,7,8,9,10,11,12", t.virtualFunctions().stream()
                .map(v -> String.valueOf(v.function().iommuGroup().orElseThrow())).collect(Collectors.joining(",")));
        assertEquals(Optional.of("vfio-pci"), t.virtualFunctions().get(3).function().driverOverride());
        assertEquals(Optional.empty(), t.virtualFunctions().get(5).function().driverOverride());
    }

    @Test
    void lookupsByNetdevAndIommuGroupFindTheRightFunctions() throws Exception {
        Topology t = scan("igb-7vf-mixed", ScanScope.ALL_FUNCTIONS);
        assertEquals("0000:01:10.2", t.functionByNetdev("eth2").orElseThrow().address().toString());
        assertEquals("0000:01:00.0", t.functionByNetdev("eth0").orElseThrow().address().toString());
        assertTrue(t.functionByNetdev("eth9").isEmpty());
        assertEquals("[0000:00:1f.0, 0000:00:1f.2, 0000:00:1f.3]", t.iommuGroup(4).orElseThrow().devices().toString());
        assertEquals(9, t.iommuGroupOf(PciAddress.parse("0000:01:10.6")).orElseThrow().number());
        assertEquals(7, t.virtualFunctionsOf(PciAddress.parse("0000:01:00.0")).size());
    }

    @Test
    void twoPfsEachListOnlyTheirOwnVfsInTheirOwnGroups() throws Exception {
        Topology t = scan("igb-dual-lib", ScanScope.SRIOV);
        assertEquals("[0000:01:00.0, 0000:02:00.0]", t.physicalFunctions().stream().map(PhysicalFunction::address)
                .toList().toString());
        PhysicalFunction second = t.physicalFunction(PciAddress.parse("0000:02:00.0")).orElseThrow();
        assertEquals(2, second.numVfs());
        assertEquals(7, second.totalVfs());
        assertTrue(second.driversAutoprobe());
        assertEquals(List.of("eth1"), second.function().netdevs());
        assertEquals(OptionalInt.of(7), second.function().iommuGroup());
        List<VirtualFunction> vfs = t.virtualFunctionsOf(second.address());
        assertEquals("[0000:02:10.0, 0000:02:10.2]", vfs.stream().map(VirtualFunction::address).toList().toString());
        assertEquals("igbvf eth5 11, igbvf eth6 12", vfs.stream().map(v -> v.function().driver().orElseThrow() + " "
                + v.function().netdevs().get(0) + " " + v.function().iommuGroup().orElseThrow())
                .collect(Collectors.joining(", ")));
        assertEquals(3, t.virtualFunctionsOf(PciAddress.parse("0000:01:00.0")).size());
        for (VirtualFunction vf : t.virtualFunctions()) {
            assertEquals(List.of(vf.address()), t.iommuGroupOf(vf.address()).orElseThrow().devices(),
                    vf.address() + " is alone in its group");
        }
        assertEquals("0000:02:10.2", t.functionByNetdev("eth6").orElseThrow().address().toString());
    }

    @Test
    void theLibrarysCaptureAndTheScriptsCaptureAgreeWhereTheStateIsTheSame() throws Exception {
        // igb-7vf-lib and igb-7vf-mixed: same PF state (7 VFs, autoprobe 0 at the end); VF3 on vfio-pci in both,
        // VF6 never probed in both. Captured by different programs on different boots.
        Topology lib = scan("igb-7vf-lib", ScanScope.SRIOV);
        Topology script = scan("igb-7vf-mixed", ScanScope.SRIOV);
        assertEquals(script.physicalFunctions(), lib.physicalFunctions());
        for (String vf : List.of("0000:01:10.6", "0000:01:11.4")) {
            PciAddress a = PciAddress.parse(vf);
            assertEquals(script.virtualFunction(a), lib.virtualFunction(a), vf);
        }
        assertEquals("-,-,-,vfio-pci,-,-,-", lib.virtualFunctions().stream()
                .map(v -> v.function().driver().orElse("-")).collect(Collectors.joining(",")));
    }

    @Test
    void sriovScopeListsOnlyThePfWhenNoVfsAreEnabled() throws Exception {
        Topology t = scan("igb-novf", ScanScope.SRIOV);
        assertEquals(1, t.functions().size());
        assertEquals(0, t.physicalFunctions().get(0).numVfs());
        assertTrue(t.physicalFunctions().get(0).driversAutoprobe());
        assertEquals(List.of(), t.virtualFunctions());
    }

    @Test
    void serviceLoaderBootstrapFindsTheEngine() throws Exception {
        Path root = CapturedTrees.unpack("igb-novf", tmp);
        try (SriovHost host = SriovHost.open(SriovConfig.builder().sysfsRoot(root).build())) {
            assertEquals(1, host.topology().physicalFunctions().size());
        }
    }
}
