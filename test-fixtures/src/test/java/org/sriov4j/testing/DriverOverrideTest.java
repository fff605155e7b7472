package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.errno;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;

class DriverOverrideTest {

    private static final String OVERRIDE = PF + "driver_override";
    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    @Test
    void unsetOverrideReadsNull() {
        assertEquals("(null)\n", k.read(OVERRIDE));
        assertEquals(Optional.empty(), k.driverOverrideOf(PF_ADDRESS));
    }

    @Test
    void overrideIsStoredVerbatimWithSlashesAndSpaces() {
        k.write(OVERRIDE, " a/b c ");
        assertEquals(" a/b c \n", k.read(OVERRIDE));
        assertEquals(Optional.of(" a/b c "), k.driverOverrideOf(PF_ADDRESS));
    }

    @Test
    void overrideIsCutAtTheFirstNewlineOrNul() {
        k.write(OVERRIDE, "vfio-pci\nigb\n");
        assertEquals("vfio-pci\n", k.read(OVERRIDE));
        k.write(OVERRIDE, "vfio\0pci");
        assertEquals("vfio\n", k.read(OVERRIDE));
    }

    @Test
    void aSingleNewlineClearsTheOverride() {
        k.write(OVERRIDE, "vfio-pci");
        k.write(OVERRIDE, "\n");
        assertEquals("(null)\n", k.read(OVERRIDE));
    }

    @Test
    void aValueThatIsEmptyAfterTheCutClearsTheOverride() {
        k.write(OVERRIDE, "vfio-pci");
        k.write(OVERRIDE, "\0vfio-pci");
        assertEquals("(null)\n", k.read(OVERRIDE));
        k.write(OVERRIDE, "vfio-pci");
        k.write(OVERRIDE, "\nvfio-pci");
        assertEquals("(null)\n", k.read(OVERRIDE));
    }

    @Test
    void writesOfMoreThan4094BytesAreEinval() {
        k.write(OVERRIDE, "x".repeat(4094));
        assertEquals("x".repeat(4094) + "\n", k.read(OVERRIDE));
        errno(Errno.EINVAL, () -> k.write(OVERRIDE, "y".repeat(4095)));
        errno(Errno.EINVAL, () -> k.write(OVERRIDE, "y".repeat(5000)));
        assertEquals("x".repeat(4094) + "\n", k.read(OVERRIDE), "unchanged");
    }

    @Test
    void settingTheOverrideDoesNotRebindTheDevice() {
        k.write(OVERRIDE, "vfio-pci");
        assertEquals(Optional.of("igb"), k.driverOf(PF_ADDRESS));
    }
}
