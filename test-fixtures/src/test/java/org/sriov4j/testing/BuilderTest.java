package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;

class BuilderTest {

    private static PciAddress a(String s) {
        return PciAddress.parse(s);
    }

    private static void rejects(String expectedInMessage, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
    }

    @Test
    void intel82576HostIsTheQemuMachineWithOne82576OnIgb() {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        assertEquals(List.of("0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0", "0000:00:1f.0",
                "0000:00:1f.2", "0000:00:1f.3", "0000:01:00.0"), k.list("bus/pci/devices"));
        assertEquals(Optional.of("igb"), k.driverOf(PF_ADDRESS));
        assertEquals(Optional.of("eth0"), k.netdevOf(PF_ADDRESS));
        assertEquals(OptionalInt.of(5), k.iommuGroupOf(PF_ADDRESS));
        assertEquals(7, k.totalVfs(PF_ADDRESS));
        assertEquals(0, k.numVfs(PF_ADDRESS));
        assertEquals(List.of("pcieport", "virtio-pci", "igb", "igbvf", "vfio-pci"), k.loadedDrivers());
        assertEquals(List.of("igb", "igbvf", "pcieport", "vfio-pci", "virtio-pci"), k.list("bus/pci/drivers"));
        assertEquals("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0",
                k.readLink("bus/pci/devices/0000:01:00.0"));
        assertTrue(k.hasIommu());
        assertTrue(k.devices().exists("vfio/vfio"));
    }

    @Test
    void twoPfsOnTwoNumaNodes() {
        SimulatedKernel k = Preset.TWO_PFS_TWO_NUMA_NODES.newKernel();
        assertEquals("0\n", k.read("bus/pci/devices/0000:01:00.0/numa_node"));
        assertEquals("1\n", k.read("bus/pci/devices/0000:81:00.0/numa_node"));
        assertEquals("../../../devices/pci0000:80/0000:80:01.0/0000:81:00.0",
                k.readLink("bus/pci/devices/0000:81:00.0"));
        assertEquals(Optional.of("eth1"), k.netdevOf(a("0000:81:00.0")));
        assertEquals(List.of("0", "1", "2", "3"), k.list("kernel/iommu_groups"));
        k.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "1");
        k.write("bus/pci/devices/0000:81:00.0/sriov_numvfs", "1");
        assertEquals(List.of(a("0000:81:10.0")), k.vfsOf(a("0000:81:00.0")));
    }

    @Test
    void sharedGroupWithACompanionOnAHostDriver() {
        SimulatedKernel k = Preset.SHARED_GROUP_WITH_HOST_COMPANION.newKernel();
        assertEquals(k.iommuGroupOf(a("0000:03:00.0")), k.iommuGroupOf(a("0000:03:00.1")));
        assertEquals(Optional.empty(), k.driverOf(a("0000:03:00.0")));
        assertEquals(Optional.of("e1000e"), k.driverOf(a("0000:03:00.1")));
        assertEquals(Optional.of("eth1"), k.netdevOf(a("0000:03:00.1")));
        assertEquals(OptionalInt.of(6), k.iommuGroupOf(PF_ADDRESS));
        assertEquals(OptionalInt.of(7), k.iommuGroupOf(a("0000:03:00.0")));
        assertEquals("../../../devices/pci0000:00/0000:00:04.0/0000:03:00.1",
                k.readLink("bus/pci/devices/0000:03:00.1"));
    }

    @Test
    void noIommuPresetHasNoGroups() {
        SimulatedKernel k = Preset.NO_IOMMU.newKernel();
        assertFalse(k.hasIommu());
        assertEquals(List.of(), k.list("kernel/iommu_groups"));
        assertEquals(Optional.of("igb"), k.driverOf(PF_ADDRESS));
    }

    @Test
    void vfsEnabledAtBootAreProbedAsIfWritten() {
        SimulatedKernel k = SimulatedKernel.builder()
                .intel82576("0000:01:00.0")
                .pf("0000:02:00.0", PfSpec.intel82576().withEnabledVfs(2).withDriversAutoprobe(false))
                .pf("0000:03:00.0", PfSpec.intel82576().withEnabledVfs(3))
                .loadDrivers("igbvf")
                .build();
        assertEquals(List.of(a("0000:02:10.0"), a("0000:02:10.2")), k.vfsOf(a("0000:02:00.0")));
        assertEquals(Optional.empty(), k.driverOf(a("0000:02:10.0")));
        assertEquals("0\n", k.read("bus/pci/devices/0000:02:00.0/sriov_drivers_autoprobe"));
        assertEquals(Optional.of("igbvf"), k.driverOf(a("0000:03:10.4")));
        assertEquals(List.of("eth0", "eth1", "eth2", "eth3", "eth4", "eth5", "lo"), k.list("class/net"));
        assertEquals("../../../devices/pci0000:03/0000:03:10.2", k.readLink("bus/pci/devices/0000:03:10.2"),
                "functions on a bus without a declared bridge sit under their root bus");
    }

    @Test
    void plainFunctionsAndCustomDriversCanBeDescribed() {
        DriverSpec mlx5 = DriverSpec.hostDriver("mlx5_core").matching(PciId.parse("15b3:1017")).withNetdevs()
                .withSriov();
        SimulatedKernel k = SimulatedKernel.builder()
                .loadDriver(mlx5)
                .pf("0000:3b:00.0", PfSpec.of(FunctionSpec.of("15b3:1017", 0x020000).withDriver("mlx5_core"), 16, 2,
                        1, 0x1018).withNumaNode(0))
                .function("0000:00:1f.6", FunctionSpec.of("8086:15b8", 0x020000).withDriver("e1000e"))
                .function("0000:00:14.0", FunctionSpec.of("8086:a36d", 0x0c0330))
                .build();
        assertEquals("../../../bus/pci/drivers/mlx5_core", k.readLink("bus/pci/devices/0000:3b:00.0/driver"));
        assertEquals("16\n", k.read("bus/pci/devices/0000:3b:00.0/sriov_totalvfs"));
        k.write("bus/pci/devices/0000:3b:00.0/sriov_numvfs", "2");
        assertEquals(List.of(a("0000:3b:00.2"), a("0000:3b:00.3")), k.vfsOf(a("0000:3b:00.0")));
        assertEquals(Optional.empty(), k.driverOf(a("0000:3b:00.2")), "no driver claims 15b3:1018");
        assertEquals(Optional.of("eth0"), k.netdevOf(a("0000:00:1f.6")));
        assertEquals(Optional.empty(), k.driverOf(a("0000:00:14.0")));
        assertFalse(k.exists("bus/pci/devices/0000:00:14.0/sriov_totalvfs"));
    }

    @Test
    void bootDriverMayClaimAFunctionThroughItsOverride() {
        SimulatedKernel k = SimulatedKernel.builder()
                .function("0000:05:00.0", FunctionSpec.of("10de:1eb8", 0x030200).withDriverOverride("vfio-pci")
                        .withDriver("vfio-pci"))
                .build();
        assertEquals(Optional.of("vfio-pci"), k.driverOf(a("0000:05:00.0")));
        assertTrue(k.devices().exists("vfio/0"));
    }

    @Test
    void registeredDriversCanBeLoadedLater() {
        SimulatedKernel k = SimulatedKernel.builder()
                .registerDriver(DriverSpec.hostDriver("my-vf").matching(PciId.parse("8086:10ca")))
                .intel82576("0000:01:00.0").build();
        k.write(PF + "sriov_numvfs", "1");
        assertEquals(Optional.empty(), k.driverOf(Expect.vf(0)));
        k.loadDriver("my-vf");
        assertEquals(Optional.of("my-vf"), k.driverOf(Expect.vf(0)));
    }

    @Test
    void duplicateAddressesAreRejected() {
        rejects("duplicate PCI address 0000:01:00.0", () -> SimulatedKernel.builder().intel82576("0000:01:00.0")
                .function("0000:01:00.0", FunctionSpec.of("8086:10d3", 0x020000)));
        rejects("duplicate PCI address", () -> SimulatedKernel.builder().qemuQ35().qemuQ35());
    }

    @Test
    void vfRoutingIdsOverflowingTheBusAreRejected() {
        rejects("overflow bus 01", () -> SimulatedKernel.builder().intel82576("0000:01:1f.0").build());
        rejects("overflow bus 01", () -> SimulatedKernel.builder()
                .pf("0000:01:00.0", PfSpec.intel82576().withTotalVfs(100)).build());
    }

    @Test
    void vfsLandingOnOtherFunctionsAreRejected() {
        rejects("would be at 0000:01:10.2", () -> SimulatedKernel.builder().intel82576("0000:01:00.0")
                .function("0000:01:10.2", FunctionSpec.of("8086:10d3", 0x020000)).build());
        rejects("where a VF of PF 0000:01:00.0", () -> SimulatedKernel.builder().intel82576("0000:01:00.0")
                .pf("0000:01:00.2", PfSpec.intel82576()).build());
    }

    @Test
    void unknownDriversAreRejectedWithTheKnownNames() {
        rejects("unknown driver \"nope\"", () -> SimulatedKernel.builder().loadDrivers("nope").build());
        rejects("igbvf", () -> SimulatedKernel.builder().function("0000:02:00.0",
                FunctionSpec.of("8086:10d3", 0x020000).withDriver("e1000ee")).build());
    }

    @Test
    void bootDriversThatDoNotClaimTheirFunctionAreRejected() {
        rejects("does not claim 8086:10c9", () -> SimulatedKernel.builder()
                .pf("0000:01:00.0", PfSpec.intel82576().withDriver("e1000e")).build());
        rejects("does not claim", () -> SimulatedKernel.builder()
                .function("0000:05:00.0", FunctionSpec.of("10de:1eb8", 0x030200).withDriver("vfio-pci")).build());
        rejects("refuses", () -> SimulatedKernel.builder().iommu(false)
                .function("0000:05:00.0", FunctionSpec.of("10de:1eb8", 0x030200).withDriverOverride("vfio-pci")
                        .withDriver("vfio-pci")).build());
    }

    @Test
    void badIommuGroupsAreRejected() {
        rejects("not declared", () -> SimulatedKernel.builder().intel82576("0000:01:00.0")
                .iommuGroup("0000:01:00.0", "0000:01:00.1").build());
        rejects("already in IOMMU group", () -> SimulatedKernel.builder().iommuGroup("0000:01:00.0", "0000:01:00.1")
                .iommuGroup("0000:01:00.1", "0000:01:00.2"));
        rejects("at least two", () -> SimulatedKernel.builder().iommuGroup("0000:01:00.0"));
    }

    @Test
    void vfsEnabledAtBootMustBeWithinWhatTheDriverAllows() {
        rejects("cannot enable 8 VFs", () -> SimulatedKernel.builder()
                .pf("0000:01:00.0", PfSpec.intel82576().withEnabledVfs(8)).build());
        rejects("cannot enable 2 VFs", () -> SimulatedKernel.builder()
                .pf("0000:01:00.0", PfSpec.intel82576().withoutDriver().withEnabledVfs(2)).build());
        assertThrows(IllegalArgumentException.class, () -> PfSpec.intel82576().withEnabledVfs(9));
    }

    @Test
    void badBridgesAreRejected() {
        rejects("bridge class", () -> SimulatedKernel.builder()
                .bridge("0000:00:01.0", 1, FunctionSpec.of("8086:10d3", 0x020000)));
        rejects("must be above its own bus", () -> SimulatedKernel.builder().bridge("0000:02:01.0", 1));
        rejects("already behind bridge", () -> SimulatedKernel.builder().bridge("0000:00:01.0", 1)
                .bridge("0000:00:02.0", 1));
    }

    @Test
    void malformedAddressesAndValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SimulatedKernel.builder().intel82576("01:00.0 "));
        assertThrows(IllegalArgumentException.class, () -> FunctionSpec.of("8086:10d3", 0x1000000));
        assertThrows(IllegalArgumentException.class, () -> FunctionSpec.of("8086:10d3", 0).withNumaNode(-2));
        assertThrows(IllegalArgumentException.class, () -> FunctionSpec.of("8086:10d3", 0).withDriverOverride("\n"));
        assertThrows(IllegalArgumentException.class, () -> DriverSpec.hostDriver("a/b"));
        assertThrows(IllegalArgumentException.class, () -> DriverSpec.hostDriver("a b"));
        assertThrows(IllegalArgumentException.class, () -> PfSpec.of(FunctionSpec.of("8086:10d3", 0), 4, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> PfSpec.of(FunctionSpec.of("8086:10d3", 0), 4, 1, 0, 1));
    }

    @Test
    void specsAreImmutableValues() {
        PfSpec base = PfSpec.intel82576();
        PfSpec changed = base.withNumaNode(1).withEnabledVfs(2);
        assertEquals(-1, base.function().numaNode());
        assertEquals(0, base.enabledVfs());
        assertEquals(1, changed.function().numaNode());
        assertEquals(PfSpec.intel82576(), base);
        assertEquals(PfSpec.intel82576().hashCode(), base.hashCode());
        assertNotEquals(base, changed);
        assertEquals(8, base.totalVfs());
        assertEquals(128, base.vfOffset());
        assertEquals(2, base.vfStride());
        assertEquals(0x10ca, base.vfDeviceId());
        assertEquals(Optional.of("igb"), base.function().driver());
        DriverSpec igb = DriverSpec.known("igb").orElseThrow();
        assertEquals(DriverSpec.known("igb"), Optional.of(igb));
        assertEquals(java.util.OptionalInt.of(7), igb.sriovVfLimit());
        assertTrue(igb.createsNetdevs() && igb.configuresSriov());
        assertEquals("pcieportdrv", DriverSpec.known("pcieport").orElseThrow().module());
        assertTrue(DriverSpec.knownNames().containsAll(List.of("igb", "igbvf", "vfio-pci", "pciback", "e1000e")));
        assertTrue(base.toString().contains("8086:10c9"), base.toString());
    }
}
