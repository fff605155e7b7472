package org.sriov4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sriov4j.FunctionKind;
import org.sriov4j.IommuGroup;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;
import org.sriov4j.spi.engine.SriovEngine;

class GeneratedTreeDiscoveryTest {

    /** On /dev/shm where there is one: @TempDir's disk directory can take half a minute for the 16 x 128 tree. */
    private static Path tmp;

    private static final SysfsTreeGenerator small = new SysfsTreeGenerator(2, 8);
    private static Path smallRoot;

    @BeforeAll
    static void writeSmallTree() throws IOException {
        tmp = SysfsTreeGenerator.scratchDirectory("sriov4j-generator-test");
        smallRoot = tmp.resolve("small/sys");
        small.writeTo(smallRoot);
    }

    @AfterAll
    static void deleteTrees() throws IOException {
        SysfsTreeGenerator.delete(tmp);
    }

    private static Topology discover(Path root, ScanScope scope) {
        try (SriovHost host = SriovEngine.open(OperationCountCheck.config(root))) {
            return host.topology(scope);
        }
    }

    @Test
    void smallTreeIsDiscoveredAsTwoPfsWithEightVfsEachAtTheirRoutingIds() {
        Topology t = discover(smallRoot, ScanScope.SRIOV);

        assertEquals(2, t.physicalFunctions().size());
        assertEquals(16, t.virtualFunctions().size());
        // group numbers: host bridge 0, root ports 1-2, LPC+SMBus 3, PFs 4-5, then the VFs in creation order
        int firstVfGroup = 2 * small.pfCount() + 2;
        for (int k = 0; k < 2; k++) {
            PhysicalFunction pf = t.physicalFunctions().get(k);
            assertEquals(new PciAddress(0, 2 + k, 0, 0), pf.address());
            assertEquals(8, pf.totalVfs());
            assertEquals(8, pf.numVfs());
            assertEquals(128, pf.vfOffset());
            assertEquals(2, pf.vfStride());
            assertEquals(0x1889, pf.vfDeviceId());
            assertEquals(2 * small.pfCount() + k, pf.function().iommuGroup().getAsInt());
            List<VirtualFunction> vfs = t.virtualFunctionsOf(pf.address());
            assertEquals(8, vfs.size());
            for (int i = 0; i < 8; i++) {
                VirtualFunction vf = vfs.get(i);
                assertEquals(i, vf.index());
                assertEquals(pf.address(), vf.pf());
                PciAddress expected = pf.address().withRoutingId(pf.address().routingId() + 128 + 2 * i);
                assertEquals(expected, vf.address());
                assertEquals(expected, pf.vfs().get(i));
                int group = firstVfGroup + k * 8 + i;
                assertEquals(group, vf.function().iommuGroup().getAsInt());
                assertEquals(new IommuGroup(group, List.of(expected)), t.iommuGroupOf(expected).orElseThrow());
            }
        }
        // drivers by VF index: iavf with a netdev, iavf with a netdev, vfio-pci with override, unbound
        VirtualFunction vf0 = t.virtualFunctions().get(0);
        assertEquals("iavf", vf0.function().driver().orElseThrow());
        assertEquals(List.of("enp2s0f0v0"), vf0.function().netdevs());
        VirtualFunction vf2 = t.virtualFunctions().get(2);
        assertEquals("vfio-pci", vf2.function().driver().orElseThrow());
        assertEquals("vfio-pci", vf2.function().driverOverride().orElseThrow());
        VirtualFunction vf3 = t.virtualFunctions().get(3);
        assertTrue(vf3.function().driver().isEmpty());
        assertTrue(vf3.function().driverOverride().isEmpty());
        assertEquals("ice", t.physicalFunctions().get(0).function().driver().orElseThrow());
        assertEquals(t.physicalFunctions().get(1).function(), t.functionByNetdev("enp3s0f0").orElseThrow());
    }

    @Test
    void smallTreeIsDiscoveredExactlyAsPlannedInBothScopes() {
        assertEquals(small.expectedTopology(ScanScope.SRIOV), discover(smallRoot, ScanScope.SRIOV));
        Topology all = discover(smallRoot, ScanScope.ALL_FUNCTIONS);
        assertEquals(small.expectedTopology(ScanScope.ALL_FUNCTIONS), all);
        // host bridge, 2 root ports, LPC bridge and SMBus controller besides the 18 SR-IOV functions
        assertEquals(18 + 5, all.functions().size());
        assertEquals(5, all.functions().stream().filter(f -> f.kind() == FunctionKind.OTHER).count());
        assertEquals(List.of(new PciAddress(0, 0, 0x1f, 0), new PciAddress(0, 0, 0x1f, 3)),
                all.iommuGroup(3).orElseThrow().devices());
    }

    @Test
    void everyLinkOfTheSmallTreeResolvesLikeInTheKernel() throws IOException {
        Path devices = smallRoot.resolve("bus/pci/devices");
        Path realDevices = smallRoot.resolve("devices/pci0000:00").toRealPath();
        Set<Path> seen = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(devices)) {
            for (Path link : ds) {
                String bdf = link.getFileName().toString();
                assertTrue(Files.readSymbolicLink(link).toString().startsWith("../../../devices/pci0000:00/"), bdf);
                Path dev = link.toRealPath();
                assertTrue(dev.startsWith(realDevices), bdf);
                assertEquals(bdf, dev.getFileName().toString());
                assertTrue(seen.add(dev), bdf);
                Path group = dev.resolve("iommu_group").toRealPath();
                assertEquals(smallRoot.resolve("kernel/iommu_groups").toRealPath(), group.getParent());
                assertTrue(Files.isSymbolicLink(group.resolve("devices/" + bdf)), bdf);
                assertEquals(dev, group.resolve("devices/" + bdf).toRealPath());
                if (Files.isSymbolicLink(dev.resolve("driver"))) {
                    Path driver = dev.resolve("driver").toRealPath();
                    assertEquals(smallRoot.resolve("bus/pci/drivers").toRealPath(), driver.getParent());
                    assertEquals(dev, driver.resolve(bdf).toRealPath());
                }
                if (Files.isSymbolicLink(dev.resolve("physfn"))) {
                    Path pf = dev.resolve("physfn").toRealPath();
                    assertEquals(dev.getParent(), pf.getParent(), "a VF's directory is next to its PF's");
                }
                assertEquals(smallRoot.resolve("bus/pci").toRealPath(), dev.resolve("subsystem").toRealPath());
            }
        }
        assertEquals(small.functionCount(), seen.size());
        Path pf = devices.resolve("0000:02:00.0");
        assertEquals("../0000:02:10.0", Files.readSymbolicLink(pf.resolve("virtfn0")).toString());
        assertEquals("../0000:02:10.2", Files.readSymbolicLink(pf.resolve("virtfn1")).toString());
        assertEquals("../../../../bus/pci/drivers/ice", Files.readSymbolicLink(pf.resolve("driver")).toString());
        assertEquals("0x8086\n", Files.readString(pf.resolve("vendor")));
        assertEquals("0x020000\n", Files.readString(pf.resolve("class")));
        assertEquals("1889\n", Files.readString(pf.resolve("sriov_vf_device")));
        assertEquals("(null)\n", Files.readString(pf.resolve("driver_override")));
        assertEquals("-1\n", Files.readString(devices.resolve("0000:00:00.0/numa_node")));
        assertEquals("../0000:02:00.0", Files.readSymbolicLink(devices.resolve("0000:02:10.0/physfn")).toString());
    }

    @Test
    void leanTreeIsDiscoveredLikeTheFullLayout() throws IOException {
        Path lean = tmp.resolve("lean/sys");
        small.withoutUnreadAttributes().writeTo(lean);
        assertEquals(discover(smallRoot, ScanScope.ALL_FUNCTIONS), discover(lean, ScanScope.ALL_FUNCTIONS));
        assertEquals(OperationCountCheck.compare(smallRoot).engine(), OperationCountCheck.compare(lean).engine());
    }

    @Test
    void baselineMakesExactlyTheEngineOperationsOnTheSmallTree() {
        OperationCountCheck.Comparison c = OperationCountCheck.compare(smallRoot);
        assertEquals(c.engine(), c.baseline(), c::toString);
        assertTrue(c.matches(), c::toString);
        assertTrue(c.engine().reads() > 0 && c.engine().readLinks() > 0 && c.engine().lists() > 0, c::toString);
    }

    /**
     * The benchmark's own shape, 16 x 128, without the attributes discovery does not read (the full layout takes
     * about 4 s to write on a small VM; the benchmark's setup checks that one).
     */
    @Test
    void fullTreeIsDiscoveredAsSixteenPfsAnd2048VfsWithTheBaselineMakingTheSameOperations() throws IOException {
        SysfsTreeGenerator full = SysfsTreeGenerator.full().withoutUnreadAttributes();
        Path root = tmp.resolve("full/sys");
        full.writeTo(root);

        Topology t = discover(root, ScanScope.SRIOV);

        assertEquals(full.expectedTopology(ScanScope.SRIOV), t);
        assertEquals(16, t.physicalFunctions().size());
        assertEquals(2048, t.virtualFunctions().size());
        assertEquals(2064, t.functions().size());
        assertEquals(2064, t.iommuGroups().size());
        PhysicalFunction last = t.physicalFunctions().get(15);
        assertEquals(new PciAddress(0, 0x20, 0, 0), last.address());
        assertEquals(new PciAddress(0, 0x21, 0x0f, 6), last.vf(127).orElseThrow());
        assertEquals(127, t.virtualFunction(new PciAddress(0, 0x21, 0x0f, 6)).orElseThrow().index());

        OperationCountCheck.Comparison c = OperationCountCheck.compare(root);
        assertTrue(c.matches(), c::toString);
    }
}
