package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.function.Executable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SysfsIoException;

/** Shared helpers of the fixture tests. */
final class Expect {

    static final String PF = "bus/pci/devices/0000:01:00.0/";
    static final PciAddress PF_ADDRESS = PciAddress.parse("0000:01:00.0");

    private Expect() {
    }

    static SysfsIoException errno(Errno expected, Executable action) {
        SysfsIoException e = assertThrows(SysfsIoException.class, action);
        assertEquals(Optional.of(expected), e.errno(), e.getMessage());
        return e;
    }

    static SysfsIoException errno(Errno expected, Executable action, String why) {
        SysfsIoException e = assertThrows(SysfsIoException.class, action, why);
        assertEquals(Optional.of(expected), e.errno(), why + ": " + e.getMessage());
        return e;
    }

    static PciAddress vf(int index) {
        return PF_ADDRESS.withRoutingId(PF_ADDRESS.routingId() + 128 + 2 * index);
    }

    static String dev(PciAddress a) {
        return "bus/pci/devices/" + a + "/";
    }

    static String dev(int vfIndex) {
        return dev(vf(vfIndex));
    }
}
