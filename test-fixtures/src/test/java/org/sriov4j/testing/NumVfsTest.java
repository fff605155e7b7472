package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;
import static org.sriov4j.testing.Expect.vf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;

class NumVfsTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    private static SimulatedKernel ixgbeHost() {
        return SimulatedKernel.builder().pf("0000:01:00.0", PfSpec.intel82599()).build();
    }

    @Test
    void numvfsAboveTotalIsRejectedWithErangeBeforeAnythingElse() {
        errno(Errno.ERANGE, () -> k.write(PF + "sriov_numvfs", "8"));
        assertEquals(0, k.numVfs(PF_ADDRESS));
        k.write(PF + "sriov_numvfs", "2");
        // with VFs enabled the "non-zero to non-zero" rule would say EBUSY: the range check comes first
        errno(Errno.ERANGE, () -> k.write(PF + "sriov_numvfs", "8"));
        k.write(PF + "sriov_numvfs", "0");
        k.write(PF + "driver/unbind", "0000:01:00.0");
        // and without a driver it would say ENOENT: still ERANGE above the hardware's 8
        errno(Errno.ERANGE, () -> k.write(PF + "sriov_numvfs", "9"));
        assertEquals(2, k.writes().stream().filter(w -> w.endsWith("sriov_numvfs=8")).count());
    }

    @Test
    void numvfsIsParsedAsKstrtou16WithBaseAutodetection() {
        SimulatedKernel x = ixgbeHost();
        String numvfs = PF + "sriov_numvfs";
        x.write(numvfs, "0x2");
        assertEquals("2\n", x.read(numvfs));
        x.write(numvfs, "0");
        x.write(numvfs, "010");
        assertEquals("8\n", x.read(numvfs), "a leading 0 means octal");
        x.write(numvfs, "0");
        x.write(numvfs, "+3\n");
        assertEquals("3\n", x.read(numvfs), "a leading + and one trailing newline are accepted");
        x.write(numvfs, "0X3");
        assertEquals("3\n", x.read(numvfs), "same value: no-op");
    }

    @ParameterizedTest
    @ValueSource(strings = {" 2", "2 ", "2\n\n", "\n2", "-1", "abc", "0x", "08", "2x", "2\t", "70000", "65536",
        "99999999999999999999999", "+", "1 1"})
    void numvfsRejectsBlanksGarbageAndOverflowWithEinval(String text) {
        errno(Errno.EINVAL, () -> k.write(PF + "sriov_numvfs", text));
        assertEquals(0, k.numVfs(PF_ADDRESS));
    }

    @Test
    void zeroByteWriteSucceedsWithoutReachingTheAttribute() {
        k.write(PF + "sriov_numvfs", "");
        k.write(PF + "driver_override", "");
        assertEquals(0, k.numVfs(PF_ADDRESS));
        assertEquals("(null)\n", k.read(PF + "driver_override"));
    }

    @Test
    void numvfsSameValueIsANoOpThatDoesNotRecreateVfs() {
        k.write(PF + "sriov_numvfs", "2");
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write(dev(0) + "driver/unbind", vf(0).toString());
        k.write("bus/pci/drivers_probe", vf(0).toString());
        OptionalInt group = k.iommuGroupOf(vf(1));
        Optional<String> netdev = k.netdevOf(vf(1));

        k.write(PF + "sriov_numvfs", "2\n");

        assertEquals(Optional.of("vfio-pci"), k.driverOf(vf(0)));
        assertEquals(Optional.of("vfio-pci"), k.driverOverrideOf(vf(0)));
        assertEquals(group, k.iommuGroupOf(vf(1)));
        assertEquals(netdev, k.netdevOf(vf(1)));
    }

    @Test
    void numvfsOnPfWithoutDriverIsEnoentButZeroWhenAlreadyZeroSucceeds() {
        k.write(PF + "driver/unbind", "0000:01:00.0");
        errno(Errno.ENOENT, () -> k.write(PF + "sriov_numvfs", "2"));
        k.write(PF + "sriov_numvfs", "0");
        assertEquals(0, k.numVfs(PF_ADDRESS));
    }

    @Test
    void numvfsOnPfBoundToVfioPciIsEnoent() {
        k.write(PF + "driver_override", "vfio-pci");
        k.write(PF + "driver/unbind", "0000:01:00.0");
        k.write("bus/pci/drivers_probe", "0000:01:00.0");
        assertEquals(Optional.of("vfio-pci"), k.driverOf(PF_ADDRESS));
        assertEquals("8\n", k.read(PF + "sriov_totalvfs"), "vfio-pci does not lower the total");
        errno(Errno.ENOENT, () -> k.write(PF + "sriov_numvfs", "2"));
    }

    @Test
    void numvfsNonZeroToDifferentNonZeroIsEbusyAndLeavesVfsUntouched() {
        k.write(PF + "sriov_numvfs", "3");
        List<String> before = k.list("bus/pci/devices");
        errno(Errno.EBUSY, () -> k.write(PF + "sriov_numvfs", "4"));
        errno(Errno.EBUSY, () -> k.write(PF + "sriov_numvfs", "1"));
        assertEquals(3, k.numVfs(PF_ADDRESS));
        assertEquals(before, k.list("bus/pci/devices"));
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(2)));
    }

    @Test
    void numvfsZeroRemovesEveryVfWithItsDriverLinksGroupsNetdevsAndVfioNodes() {
        k.write(PF + "sriov_numvfs", "3");
        k.write(dev(1) + "driver_override", "vfio-pci");
        k.write(dev(1) + "driver/unbind", vf(1).toString());
        k.write("bus/pci/drivers_probe", vf(1).toString());
        assertTrue(k.devices().exists("vfio/7"));

        k.write(PF + "sriov_numvfs", "0");

        assertEquals(0, k.numVfs(PF_ADDRESS));
        for (int i = 0; i < 3; i++) {
            assertFalse(k.exists(dev(i).substring(0, dev(i).length() - 1)));
            assertFalse(k.exists(PF + "virtfn" + i));
            assertFalse(k.exists("devices/pci0000:00/0000:00:01.0/" + vf(i)));
        }
        assertEquals(List.of("0", "1", "2", "3", "4", "5"), k.list("kernel/iommu_groups"));
        assertEquals(List.of("eth0", "lo"), k.list("class/net"));
        assertEquals(List.of("0000:01:00.0"), links(k.list("bus/pci/drivers/igb")));
        assertEquals(List.of(), links(k.list("bus/pci/drivers/igbvf")));
        assertEquals(List.of(), links(k.list("bus/pci/drivers/vfio-pci")));
        assertEquals(List.of("vfio"), k.devices().list("vfio"));
    }

    private static List<String> links(List<String> entries) {
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            if (PciAddress.isValid(e)) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void vfsAppearAtOffsetPlusStrideWithPfIdentityAndTheirOwnNewGroups() {
        k.write(PF + "sriov_numvfs", "7");
        List<String> expected = List.of("0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "0000:01:10.6",
                "0000:01:11.0", "0000:01:11.2", "0000:01:11.4");
        List<String> actual = new ArrayList<>();
        for (PciAddress a : k.vfsOf(PF_ADDRESS)) {
            actual.add(a.toString());
        }
        assertEquals(expected, actual);
        for (int i = 0; i < 7; i++) {
            String d = "bus/pci/devices/" + expected.get(i) + "/";
            assertEquals("../" + expected.get(i), k.readLink(PF + "virtfn" + i));
            assertEquals("../0000:01:00.0", k.readLink(d + "physfn"));
            assertEquals("0x8086\n", k.read(d + "vendor"));
            assertEquals("0x10ca\n", k.read(d + "device"));
            assertEquals("0x020000\n", k.read(d + "class"));
            assertEquals("-1\n", k.read(d + "numa_node"));
            assertEquals("../../../../kernel/iommu_groups/" + (6 + i), k.readLink(d + "iommu_group"));
            assertEquals(List.of(expected.get(i)), k.list("kernel/iommu_groups/" + (6 + i) + "/devices"));
        }
        assertEquals("7\n", k.read(PF + "sriov_numvfs"));
    }

    @Test
    void vfGroupNumbersAreTheLowestFreeOnesAgainAfterReenabling() {
        k.write(PF + "sriov_numvfs", "2");
        k.write(PF + "sriov_numvfs", "0");
        k.write(PF + "sriov_numvfs", "2");
        assertEquals(OptionalInt.of(6), k.iommuGroupOf(vf(0)));
        assertEquals(OptionalInt.of(7), k.iommuGroupOf(vf(1)));
    }

    @Test
    void newVfsAreProbedByTheirHostDriverWhenAutoprobeIsOn() {
        k.write(PF + "sriov_numvfs", "2");
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
        assertEquals(Optional.of("eth1"), k.netdevOf(vf(0)));
        assertEquals(Optional.of("eth2"), k.netdevOf(vf(1)));
    }

    @Test
    void newVfsStayUnboundWhenAutoprobeIsOff() {
        k.write(PF + "sriov_drivers_autoprobe", "0");
        k.write(PF + "sriov_numvfs", "2");
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
        assertFalse(k.exists(dev(0) + "driver"));
        assertFalse(k.exists(dev(0) + "net"));
    }

    @Test
    void vfsInheritThePfNumaNode() {
        SimulatedKernel two = Preset.TWO_PFS_TWO_NUMA_NODES.newKernel();
        two.write("bus/pci/devices/0000:81:00.0/sriov_numvfs", "1");
        assertEquals("1\n", two.read("bus/pci/devices/0000:81:10.0/numa_node"));
        assertEquals("1\n", two.read("bus/pci/devices/0000:81:00.0/numa_node"));
    }

    @Test
    void totalvfsDependsOnTheBoundPfDriver() {
        assertEquals("7\n", k.read(PF + "sriov_totalvfs"));
        k.write("bus/pci/drivers/igb/unbind", "0000:01:00.0");
        assertEquals("8\n", k.read(PF + "sriov_totalvfs"));
        k.write("bus/pci/drivers/igb/bind", "0000:01:00.0");
        assertEquals("7\n", k.read(PF + "sriov_totalvfs"));
        assertEquals(7, k.totalVfs(PF_ADDRESS));
    }

    @Test
    void unbindingThePfDriverDisablesSriov() {
        k.write(PF + "sriov_numvfs", "4");
        k.write(PF + "driver/unbind", "0000:01:00.0");
        assertEquals(0, k.numVfs(PF_ADDRESS));
        assertEquals("0\n", k.read(PF + "sriov_numvfs"));
        assertFalse(k.isPresent(vf(0)));
        assertEquals(List.of("lo"), k.list("class/net"), "igb's eth0 went with the driver");
    }

    @Test
    void sriovAttributesOfThePfShowTheCapability() {
        assertEquals("128\n", k.read(PF + "sriov_offset"));
        assertEquals("2\n", k.read(PF + "sriov_stride"));
        assertEquals("10ca\n", k.read(PF + "sriov_vf_device"));
        assertEquals("1\n", k.read(PF + "sriov_drivers_autoprobe"));
        assertEquals("0\n", k.read(PF + "sriov_numvfs"));
    }
}
