package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;
import static org.sriov4j.testing.Expect.vf;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;

/** bus/pci/drivers/NAME/bind and unbind, and the links they change. */
class BindUnbindTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();
    private String vf0;

    @BeforeEach
    void twoVfsOnIgbvf() {
        k.write(PF + "sriov_numvfs", "2");
        vf0 = vf(0).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000:09:00.0", "01:10.0", "0000:01:10.0 ", "nonsense", "0000:01:10.0\n\n"})
    void bindOfAnUnknownOrMalformedBdfIsEnodev(String text) {
        k.write(dev(0) + "driver/unbind", vf0);
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/igbvf/bind", text));
    }

    @Test
    void bindOfADeviceBoundElsewhereIsEbusy() {
        k.write(dev(0) + "driver_override", "vfio-pci");
        errno(Errno.EBUSY, () -> k.write("bus/pci/drivers/vfio-pci/bind", vf0));
        errno(Errno.EBUSY, () -> k.write("bus/pci/drivers/igbvf/bind", vf(1).toString()));
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
    }

    @Test
    void bindToADriverThatDoesNotMatchIsEnodev() {
        k.write(dev(0) + "driver/unbind", vf0);
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/vfio-pci/bind", vf0));
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/igb/bind", vf0));
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
    }

    @Test
    void bindWhenTheOverrideNamesAnotherDriverIsEnodev() {
        k.write(dev(0) + "driver/unbind", vf0);
        k.write(dev(0) + "driver_override", "vfio-pci");
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/igbvf/bind", vf0));
    }

    @Test
    void bindOfAVfThatCannotProbeIsEnodev() {
        k.write(dev(0) + "driver/unbind", vf0);
        k.write(PF + "sriov_drivers_autoprobe", "0");
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/igbvf/bind", vf0));
        k.write(dev(0) + "driver_override", "igbvf");
        k.write("bus/pci/drivers/igbvf/bind", vf0);
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
    }

    @Test
    void bindWithOverrideSucceedsAndUpdatesTheDriverLinksBothWays() {
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write("bus/pci/drivers/igbvf/unbind", vf0);
        assertFalse(k.exists(dev(0) + "driver"));
        assertFalse(k.exists("bus/pci/drivers/igbvf/" + vf0));

        k.write("bus/pci/drivers/vfio-pci/bind", vf0 + "\n");

        assertEquals("../../../../bus/pci/drivers/vfio-pci", k.readLink(dev(0) + "driver"));
        assertEquals("../../../../devices/pci0000:00/0000:00:01.0/" + vf0,
                k.readLink("bus/pci/drivers/vfio-pci/" + vf0));
        assertEquals("0x10ca\n", k.read("bus/pci/drivers/vfio-pci/" + vf0 + "/device"), "the link resolves");
        assertTrue(k.devices().exists("vfio/6"));
        assertEquals(List.of("vfio0"), k.list(dev(0) + "vfio-dev"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000:01:10.2", "0000:01:00.0", "0000:09:00.0", "junk"})
    void unbindOfADeviceNotBoundToThatDriverIsEnodev(String text) {
        k.write(dev(0) + "driver/unbind", vf0);
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/vfio-pci/unbind", text));
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/igbvf/unbind", vf0));
    }

    @Test
    void writingUnderADriverThatIsNotLoadedIsEnoent() {
        errno(Errno.ENOENT, () -> k.write("bus/pci/drivers/pciback/bind", vf0));
        errno(Errno.ENOENT, () -> k.write("bus/pci/drivers/pciback/new_id", "8086 10ca"));
        k.unloadDriver("vfio-pci");
        errno(Errno.ENOENT, () -> k.write("bus/pci/drivers/vfio-pci/unbind", vf0));
    }

    @Test
    void vfioPciUnbindKeepsTheOverride() {
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write(dev(0) + "driver/unbind", vf0);
        k.write("bus/pci/drivers_probe", vf0);
        k.write("bus/pci/drivers/vfio-pci/unbind", vf0);
        assertEquals("vfio-pci\n", k.read(dev(0) + "driver_override"));
        k.write("bus/pci/drivers_probe", vf0);
        assertEquals(Optional.of("vfio-pci"), k.driverOf(vf(0)), "the kept override brings it back to vfio-pci");
    }

    @Test
    void restoringTheOriginalDriverAfterClearingTheOverrideWorks() {
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write(dev(0) + "driver/unbind", vf0);
        k.write("bus/pci/drivers_probe", vf0);
        k.write("bus/pci/drivers/vfio-pci/unbind", vf0);
        k.write(dev(0) + "driver_override", "\n");
        k.write("bus/pci/drivers/igbvf/bind", vf0);
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
        assertTrue(k.netdevOf(vf(0)).isPresent());
    }

    @Test
    void vfioPciRefusesDevicesWithoutAnIommuGroupWithEinval() {
        SimulatedKernel noIommu = Preset.NO_IOMMU.newKernel();
        noIommu.write(PF + "sriov_numvfs", "1");
        noIommu.write(dev(0) + "driver_override", "vfio-pci");
        noIommu.write(dev(0) + "driver/unbind", vf0);
        errno(Errno.EINVAL, () -> noIommu.write("bus/pci/drivers/vfio-pci/bind", vf0));
        noIommu.write("bus/pci/drivers_probe", vf0);
        assertEquals(Optional.empty(), noIommu.driverOf(vf(0)), "drivers_probe succeeds, nothing binds");
    }

    @Test
    void vfioPciRefusesBridgesWithEinval() {
        k.write("bus/pci/devices/0000:00:01.0/driver_override", "vfio-pci");
        k.write("bus/pci/drivers/pcieport/unbind", "0000:00:01.0");
        errno(Errno.EINVAL, () -> k.write("bus/pci/drivers/vfio-pci/bind", "0000:00:01.0"));
    }

    @Test
    void pcibackBindsOnlyDevicesInItsSlots() {
        k.loadDriver("pciback");
        k.write(dev(0) + "driver/unbind", vf0);
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers/pciback/bind", vf0));
        k.write("bus/pci/drivers/pciback/new_slot", vf0 + "\n");
        k.write("bus/pci/drivers/pciback/new_slot", vf0);
        assertEquals(vf0 + "\n" + vf0 + "\n", k.read("bus/pci/drivers/pciback/slots"), "twice means twice");
        k.write("bus/pci/drivers/pciback/bind", vf0);
        assertEquals(Optional.of("pciback"), k.driverOf(vf(0)));
        assertFalse(k.devices().exists("vfio/6"), "pciback creates no VFIO group node");
        k.write("bus/pci/drivers/pciback/unbind", vf0);
        k.write("bus/pci/drivers/pciback/remove_slot", vf0);
        assertEquals("", k.read("bus/pci/drivers/pciback/slots"));
        errno(Errno.ENOENT, () -> k.write("bus/pci/drivers/pciback/remove_slot", vf0));
        errno(Errno.EINVAL, () -> k.write("bus/pci/drivers/pciback/new_slot", "not a slot"));
        k.write("bus/pci/drivers/igbvf/bind", vf0);
    }
}
