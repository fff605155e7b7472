package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.DeviceProfile.Bar;
import org.sriov4j.migration.DeviceProfile.BarType;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.vendor.GenericVendorPlugin;
import org.sriov4j.spi.vendor.IntelIgbVendorPlugin;
import org.sriov4j.testdata.CapturedTrees;

/** Where each profile field comes from: resource, config, ethtool, module taint; unknown when it cannot be read. */
class ProfileReaderTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    @TempDir
    Path tmp;

    final List<String> ethtoolAsked = new ArrayList<>();

    Ethtool fakeEthtool(String driver, String version, String fw) {
        return netdev -> {
            ethtoolAsked.add(netdev);
            return new Ethtool.DriverInfo(driver, version, fw, "0000:01:00.0");
        };
    }

    ProfileReader reader(Path root, Ethtool ethtool) {
        NioSysfsAccess sysfs = new NioSysfsAccess(root);
        return new ProfileReader(sysfs, new TopologyScanner(sysfs), new VendorPlugins(List.of(new GenericVendorPlugin(),
                new IntelIgbVendorPlugin())), () -> ethtool, () -> Optional.of("kvm-vfio"),
                () -> Optional.of(DeviceProfile.IOMMU_TYPE1));
    }

    @Test
    void aCapturedTreeWithResourceAndConfigGivesBarsAndMsixAndTheEthtoolVersions() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        DeviceProfile p = reader(root, fakeEthtool("igb", "6.12.117+deb12-amd64", "1.2.3")).read(VF0);
        assertEquals("8086:10ca", p.id().toString());
        assertEquals("1af4:1100", p.subsystem().orElseThrow().toString());
        assertEquals(OptionalInt.of(1), p.revision());
        assertEquals(0x020000, p.classCode());
        assertEquals(Optional.of("igbvf"), p.vfDriver());
        assertEquals(Optional.of(List.of(new Bar(0, 16384, BarType.MEM64, true), new Bar(3, 16384, BarType.MEM64,
                true))), p.bars());
        assertEquals(OptionalInt.of(3), p.msixVectors(), "the 82576 VF's MSI-X table has 3 entries");
        assertEquals(Optional.of("igb"), p.pf().driver());
        assertEquals(Optional.of("6.12.117+deb12-amd64"), p.pf().driverVersion());
        assertEquals(Optional.of("1.2.3"), p.pf().firmwareVersion());
        assertEquals(Optional.of(DriverOrigin.IN_TREE), p.pf().driverOrigin(), "empty module/igb/taint");
        assertEquals(List.of("eth0"), ethtoolAsked);
        assertEquals(OptionalInt.of(6), p.iommuGroup());
    }

    @Test
    void whatTheTreeDoesNotHoldIsUnknownNeverGuessed() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-lib", tmp);
        Ethtool refuses = netdev -> {
            throw new SriovException("ETHTOOL_GDRVINFO", null, Errno.ENODEV, null, "no such device", null);
        };
        DeviceProfile p = reader(root, refuses).read(VF0);
        assertEquals(Optional.empty(), p.bars(), "no resource file captured");
        assertEquals(OptionalInt.empty(), p.msixVectors(), "no config file captured");
        assertEquals(Optional.empty(), p.pf().driverVersion());
        assertEquals(Optional.empty(), p.pf().firmwareVersion());
        assertEquals(Optional.empty(), p.pf().driverOrigin(), "no module directory captured");
        assertEquals(Optional.empty(), p.net());
        assertEquals(Optional.empty(), p.vfioMigration());
        assertEquals(p, DeviceProfile.fromJson(p.toJson()));
    }

    @Test
    void aPfIsNotProfiledAsAVf() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        SriovException e = assertThrows(SriovException.class,
                () -> reader(root, fakeEthtool("igb", "x", "")).read(PciAddress.parse("0000:01:00.0")));
        assertEquals(Optional.of(Errno.ENODEV), e.errno());
    }

    @Test
    void resourceLinesGiveSizesTypesAndPrefetchOfPresentBarsOnly() {
        String raw = """
                0x00000000fe400000 0x00000000fe41ffff 0x0000000000040200
                0x0000000000000000 0x0000000000000000 0x0000000000000000
                0x000000000000c000 0x000000000000c01f 0x0000000000040101
                0x00000000fe440000 0x00000000fe443fff 0x0000000000140204
                0x0000000000000000 0x0000000000000000 0x0000000000000000
                0x0000000000000000 0x0000000000000000 0x0000000000000000
                0x0000000000000000 0x0000000000000000 0x0000000000000000
                0x00000000fe800000 0x00000000fe81ffff 0x000000000014220c
                """;
        assertEquals(List.of(new Bar(0, 0x20000, BarType.MEM32, false), new Bar(2, 32, BarType.IO, false),
                new Bar(3, 0x4000, BarType.MEM64, false)), ProfileReader.parseResource("resource", raw),
                "the PF's lines after 6 (its VF BARs) are not its own BARs");
        assertThrows(MalformedAttributeException.class, () -> ProfileReader.parseResource("r", "0x1 0x2\n"));
        assertThrows(MalformedAttributeException.class, () -> ProfileReader.parseResource("r",
                "0x0 0x2 0x200\n"), "a size of 3 is no BAR");
    }

    @Test
    void theCapabilityWalkFindsMsixOrSaysUnknownWhenCutShort() {
        byte[] c = new byte[256];
        c[6] = 0x10; // status: capability list
        c[0x34] = 0x40;
        c[0x40] = 0x10; // PCIe
        c[0x41] = 0x70;
        c[0x70] = 0x11; // MSI-X
        c[0x72] = 0x02; // table size - 1 = 2
        assertEquals(OptionalInt.of(3), ProfileReader.msixFromConfig(c));
        assertEquals(OptionalInt.empty(), ProfileReader.msixFromConfig(java.util.Arrays.copyOf(c, 64)),
                "an unprivileged read gets 64 bytes: the list cannot be walked");
        c[0x41] = 0;
        assertEquals(OptionalInt.of(0), ProfileReader.msixFromConfig(c), "no MSI-X capability");
        c[0x41] = 0x40; // a loop
        assertEquals(OptionalInt.of(0), ProfileReader.msixFromConfig(c));
        byte[] noList = new byte[256];
        assertEquals(OptionalInt.of(0), ProfileReader.msixFromConfig(noList));
    }

    @Test
    void ethtoolLayoutIsTheKernels() {
        assertEquals(196, Ethtool.DRVINFO_SIZE);
        assertEquals(0x8946, Ethtool.SIOCETHTOOL);
        ByteBuffer b = Ethtool.request();
        assertEquals(3, b.getInt(0));
        b.put(Ethtool.DRIVER, "igb".getBytes(StandardCharsets.UTF_8));
        b.put(Ethtool.VERSION, "6.12.118+deb12-amd64".getBytes(StandardCharsets.UTF_8));
        b.put(Ethtool.FW_VERSION, "1.2.3".getBytes(StandardCharsets.UTF_8));
        b.put(Ethtool.BUS_INFO, "0000:01:00.0".getBytes(StandardCharsets.UTF_8));
        assertEquals(new Ethtool.DriverInfo("igb", "6.12.118+deb12-amd64", "1.2.3", "0000:01:00.0"),
                Ethtool.decode(b));
        for (String bad : new String[] {"", "a/b", "eth 0", "0123456789abcdef", "..", "a:b"}) {
            assertEquals(false, Ethtool.validName(bad), bad);
        }
        assertEquals(true, Ethtool.validName("enp1s0f0v12"));
    }

    @Test
    void jnaEthtoolRefusesAMalformedNameBeforeTheKernel() {
        SriovException e = assertThrows(SriovException.class, () -> JnaEthtool.INSTANCE.driverInfo("../eth0"));
        assertEquals(Optional.of(Errno.EINVAL), e.errno());
        SriovException none = assertThrows(SriovException.class,
                () -> JnaEthtool.INSTANCE.driverInfo("sriov4jnone0"));
        assertEquals(Optional.of(Errno.ENODEV), none.errno(), none.getMessage());
    }

    @Test
    void anUnreadableResourceOnlyMakesBarsUnknown() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        Path res = root.resolve("bus/pci/devices/0000:01:10.0/resource").toRealPath();
        Files.delete(res);
        assertEquals(Optional.empty(), reader(root, fakeEthtool("igb", "v", "")).read(VF0).bars());
    }
}
