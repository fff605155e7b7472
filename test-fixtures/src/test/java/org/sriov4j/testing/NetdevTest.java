package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.vf;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetdevTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    @Test
    void aNetworkFunctionOnANetDriverHasANetdevUnderNetAndInClassNet() {
        assertEquals(List.of("eth0"), k.list(PF + "net"));
        assertEquals(List.of("eth0", "lo"), k.list("class/net"));
        assertEquals("../../devices/pci0000:00/0000:00:01.0/0000:01:00.0/net/eth0", k.readLink("class/net/eth0"));
        assertEquals("52:54:00:12:34:56\n", k.read("class/net/eth0/address"));
        assertEquals("2\n", k.read(PF + "net/eth0/ifindex"));
        assertEquals("../../../0000:01:00.0", k.readLink(PF + "net/eth0/device"));
        assertEquals(Optional.of("eth0"), k.netdevOf(PF_ADDRESS));
    }

    @Test
    void netdevsTakeTheLowestUnusedNumber() {
        k.write(PF + "sriov_numvfs", "3");
        assertEquals(List.of("eth0", "eth1", "eth2", "eth3", "lo"), k.list("class/net"));
        k.write(dev(1) + "driver/unbind", vf(1).toString());
        assertEquals(List.of("eth0", "eth1", "eth3", "lo"), k.list("class/net"));
        k.write("bus/pci/drivers/igbvf/bind", vf(1).toString());
        assertEquals(Optional.of("eth2"), k.netdevOf(vf(1)));
        assertEquals("1\n", k.read("class/net/eth2/addr_assign_type"), "VFs get random MACs");
        assertNotEquals(k.read("class/net/eth1/address"), k.read("class/net/eth2/address"));
    }

    @Test
    void theNetdevIsRemovedOnUnbind() {
        k.write(PF + "sriov_numvfs", "1");
        k.write(dev(0) + "driver/unbind", vf(0).toString());
        assertFalse(k.exists(dev(0) + "net"));
        assertFalse(k.exists("class/net/eth1"));
        assertEquals(Optional.empty(), k.netdevOf(vf(0)));
    }

    @Test
    void vfioPciAndNonNetworkFunctionsGetNoNetdev() {
        k.write(PF + "sriov_numvfs", "1");
        k.write(dev(0) + "driver_override", "vfio-pci");
        k.write(dev(0) + "driver/unbind", vf(0).toString());
        k.write("bus/pci/drivers_probe", vf(0).toString());
        assertFalse(k.exists(dev(0) + "net"));
        assertFalse(k.exists("bus/pci/devices/0000:00:02.0/net"), "virtio transport, not a NIC");
    }

    @Test
    void aRestoredPfGetsItsPermanentMacBack() {
        k.write("bus/pci/drivers/igb/unbind", "0000:01:00.0");
        k.write("bus/pci/drivers/igb/bind", "0000:01:00.0");
        assertEquals("52:54:00:12:34:56\n", k.read(PF + "net/eth0/address"));
        assertEquals("3\n", k.read(PF + "net/eth0/ifindex"), "a new interface index");
    }

    @Test
    void aNetdevHasTheEthernetDefaultMtuAndItsClassLinkAsOnLinux612() {
        SimulatedKernel k = SimulatedKernel.intel82576Host();
        assertEquals("1500\n", k.read("class/net/eth0/mtu"));
        assertEquals("../../../../../../class/net", k.readLink("class/net/eth0/subsystem"));
    }
}
