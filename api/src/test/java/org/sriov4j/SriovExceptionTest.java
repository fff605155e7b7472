package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SriovExceptionTest {

    @Test
    void messageNamesOperationDeviceErrnoAndPath() {
        SriovException e = new SriovException("enable VFs", PciAddress.parse("0000:01:00.0"), Errno.EBUSY,
                "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs", "VF count is being changed", null);
        assertEquals("enable VFs 0000:01:00.0 failed: EBUSY (Device or resource busy) at "
                + "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs; VF count is being changed", e.getMessage());
        assertEquals(Errno.EBUSY, e.errno().orElseThrow());
    }

    @Test
    void malformedAttributeNamesTheFileAndQuotesTheContent() {
        MalformedAttributeException e = new MalformedAttributeException("/sys/x/vendor", "0xzz\n", "hex");
        assertTrue(e.getMessage().contains("/sys/x/vendor"), e.getMessage());
        assertTrue(e.getMessage().contains("\"0xzz\\u000a\""), e.getMessage());
    }

    @Test
    void errnoIsFoundFromTheJdkMessageText() {
        assertEquals(Errno.EBUSY, Errno.ofMessage("Device or resource busy").orElseThrow());
        assertEquals(Errno.ENODEV, Errno.ofMessage("/sys/bus/pci/drivers/igb/bind: No such device").orElseThrow());
        assertEquals(Errno.ENXIO, Errno.ofMessage("No such device or address").orElseThrow());
        assertEquals(Errno.ERANGE, Errno.ofNumber(34).orElseThrow());
    }
}
