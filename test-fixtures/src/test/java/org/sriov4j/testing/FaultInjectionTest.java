package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.errno;
import static org.sriov4j.testing.Expect.vf;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

class FaultInjectionTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    @Test
    void theNthWriteFailsWithTheGivenErrnoWithoutEffect() {
        k.failWrite(PF + "sriov_numvfs", 2, Errno.ENOSPC);
        k.write(PF + "sriov_numvfs", "2");
        SysfsIoException e = errno(Errno.ENOSPC, () -> k.write(PF + "sriov_numvfs", "0"));
        assertTrue(e.getMessage().contains("injected fault"), e.getMessage());
        assertEquals(2, k.numVfs(PF_ADDRESS), "the failed write changed nothing");
        k.write(PF + "sriov_numvfs", "0");
        assertEquals(0, k.numVfs(PF_ADDRESS), "only the 2nd write fails");
    }

    @Test
    void failWritesFailsEveryWriteUntilCleared() {
        k.failWrites("bus/pci/drivers_probe", Errno.EIO);
        errno(Errno.EIO, () -> k.write("bus/pci/drivers_probe", "0000:01:00.0"));
        errno(Errno.EIO, () -> k.write("bus/pci/drivers_probe", "0000:09:00.0"));
        k.clearFaults();
        k.write("bus/pci/drivers_probe", "0000:01:00.0");
    }

    @Test
    void aFaultPathMatchesWholeComponentSuffixesAndTheResolvedPath() {
        k.write(PF + "sriov_numvfs", "1");
        k.failWrite("0000:01:10.0/driver_override", 1, Errno.EPERM);
        // reached through the PF's virtfn0 link: the resolved path matches
        errno(Errno.EPERM, () -> k.write(PF + "virtfn0/driver_override", "vfio-pci"));
        assertEquals(Optional.empty(), k.driverOverrideOf(vf(0)));

        k.failWrite("unbind", 1, Errno.EBUSY);
        errno(Errno.EBUSY, () -> k.write(dev(0) + "driver/unbind", vf(0).toString()));
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));

        k.failWrite("numvfs", 1, Errno.EIO); // not a whole component: never matches
        k.write(PF + "sriov_numvfs", "0");
    }

    @Test
    void theWriteLogRecordsEveryWriteInOrderIncludingFailedOnes() {
        k.write(PF + "sriov_drivers_autoprobe", "0");
        errno(Errno.EINVAL, () -> k.write(PF + "sriov_numvfs", "x"));
        k.write(PF + "sriov_numvfs", "1\n");
        assertEquals(List.of(PF + "sriov_drivers_autoprobe=0", PF + "sriov_numvfs=x", PF + "sriov_numvfs=1\n"),
                k.writes());
        k.clearWrites();
        assertEquals(List.of(), k.writes());
    }

    @Test
    void badFaultArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> k.failWrite("sriov_numvfs", 0, Errno.EIO));
        assertThrows(IllegalArgumentException.class, () -> k.failWrite("/sys/bus", 1, Errno.EIO));
        assertThrows(IllegalArgumentException.class, () -> k.failWrites("", Errno.EIO));
    }
}
