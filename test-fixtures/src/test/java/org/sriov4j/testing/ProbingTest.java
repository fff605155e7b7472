package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;
import static org.sriov4j.testing.Expect.vf;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.Errno;
import org.sriov4j.PciId;

/** sriov_drivers_autoprobe, drivers_probe and how a driver is chosen. */
class ProbingTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    private void unboundVfs(int count) {
        k.write(PF + "sriov_drivers_autoprobe", "0");
        k.write(PF + "sriov_numvfs", Integer.toString(count));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1\n", "y", "Y", "yes", "t", "T", "true", "on", "ON", "oN", "10", "1 trailing"})
    void autoprobeAcceptsKstrtoboolTrue(String text) {
        k.write(PF + "sriov_drivers_autoprobe", "0");
        k.write(PF + "sriov_drivers_autoprobe", text);
        assertEquals("1\n", k.read(PF + "sriov_drivers_autoprobe"));
        assertEquals(true, k.driversAutoprobe(PF_ADDRESS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0\n", "n", "N", "no", "f", "F", "false", "off", "OFF", "of"})
    void autoprobeAcceptsKstrtoboolFalse(String text) {
        k.write(PF + "sriov_drivers_autoprobe", text);
        assertEquals("0\n", k.read(PF + "sriov_drivers_autoprobe"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "x", "o", "ox", " 1", "\n", "-1", "\0"})
    void autoprobeRejectsAnythingElseWithEinval(String text) {
        errno(Errno.EINVAL, () -> k.write(PF + "sriov_drivers_autoprobe", text));
        assertEquals("1\n", k.read(PF + "sriov_drivers_autoprobe"));
    }

    @Test
    void settingAutoprobeBackToOneDoesNotProbeVfsThatAreAlreadyUnbound() {
        unboundVfs(2);
        k.write(PF + "sriov_drivers_autoprobe", "1");
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
        assertEquals(Optional.empty(), k.driverOf(vf(1)));
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
    }

    @Test
    void vfWithAutoprobeOffCannotProbeUnlessDriverOverrideIsSet() {
        unboundVfs(2);
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.empty(), k.driverOf(vf(0)), "pci_device_can_probe is false");
        k.write(dev(0) + "driver_override", "igbvf");
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0000:09:00.0", "01:10.0", "0000:01:10.0 ", " 0000:01:10.0", "0000:01:10.0\n\n",
        "0000:01:1A.0", "garbage", "0000:01:10.0/"})
    void driversProbeOfAnUnknownOrMalformedBdfIsEnodev(String text) {
        unboundVfs(1);
        errno(Errno.ENODEV, () -> k.write("bus/pci/drivers_probe", text));
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
    }

    @Test
    void driversProbeAcceptsOneTrailingNewline() {
        k.write(PF + "sriov_numvfs", "1");
        k.write(dev(0) + "driver/unbind", vf(0).toString());
        k.write("bus/pci/drivers_probe", vf(0) + "\n");
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
    }

    @Test
    void driversProbeOfABoundDeviceIsANoOp() {
        k.write(PF + "sriov_numvfs", "1");
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)), "still on igbvf: the override acts at the next probe");
        assertEquals(Optional.of("eth1"), k.netdevOf(vf(0)));
    }

    @Test
    void driversProbeSucceedsEvenWhenNothingBinds() {
        unboundVfs(1);
        k.write(dev(0) + "driver_override", "no-such-driver");
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
        assertFalse(k.exists(dev(0) + "driver"));
    }

    @Test
    void driverOverrideRestrictsProbingToTheDriverOfExactlyThatName() {
        unboundVfs(2);
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.of("vfio-pci"), k.driverOf(vf(0)), "igbvf matches the id but not the override");

        k.write(dev(1) + "driver_override", "vfio-pci ");
        k.write("bus/pci/drivers_probe", vf(1).toString());
        assertEquals(Optional.empty(), k.driverOf(vf(1)), "a trailing space means nothing ever matches");
    }

    @Test
    void withoutOverrideTheFirstLoadedDriverWhoseIdsMatchBinds() {
        SimulatedKernel x = SimulatedKernel.builder()
                .intel82576("0000:01:00.0")
                .loadDriver(DriverSpec.hostDriver("first-vf-driver").matching(new PciId(0x8086, 0x10ca)))
                .loadDrivers("igbvf")
                .build();
        x.write(PF + "sriov_numvfs", "1");
        assertEquals(Optional.of("first-vf-driver"), x.driverOf(vf(0)));
    }

    @Test
    void aDriverWhoseIdsDoNotMatchIsNotChosen() {
        unboundVfs(1);
        k.unloadDriver("igbvf");
        k.write(PF + "sriov_drivers_autoprobe", "1");
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.empty(), k.driverOf(vf(0)), "igb and vfio-pci do not claim 8086:10ca");
    }

    @Test
    void busDriversAutoprobeOffKeepsALoadedDriverFromBindingButNotDriversProbe() {
        unboundVfs(1);
        k.unloadDriver("igbvf");
        k.write(PF + "sriov_drivers_autoprobe", "1");
        k.write("bus/pci/drivers_autoprobe", "0");
        k.loadDriver("igbvf");
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
        assertEquals("0\n", k.read("bus/pci/drivers_autoprobe"));
    }
}
