package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.GuestSysfs.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.GroupNotViableException;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * A non-viable IOMMU group on the real kernel: the dual machine carries a conventional PCI bridge with two e1000
 * NICs ({@code run-in-guest.sh --bridge-e1000}: bridge 03:00.0, NICs 04:01.0 and 04:02.0, one IOMMU group).
 * Detaching one NIC while the other stays on e1000 is refused, naming the other; once the other is unbound the
 * detach works and reattach gives e1000 back.
 */
class RealNonViableGroupIT {

    static final PciAddress NIC1 = PciAddress.parse("0000:04:01.0");
    static final PciAddress NIC2 = PciAddress.parse("0000:04:02.0");
    static final Path DEVICES = Path.of("/sys/bus/pci/devices");

    SriovHost host;

    @BeforeEach
    void bothNicsOnE1000() throws IOException {
        Assumptions.assumeTrue(Files.exists(DEVICES.resolve(NIC2.toString())),
                "no pcie-pci-bridge with two e1000 NICs in this machine");
        host = SriovHost.open(SriovConfig.defaults());
        assertEquals(Optional.of("e1000"), driver(NIC1));
        assertEquals(Optional.of("e1000"), driver(NIC2));
    }

    @AfterEach
    void putBack() throws IOException {
        if (host == null) {
            return;
        }
        host.recover().keptDetached().forEach(host::reattach);
        if (driver(NIC2).isEmpty()) {
            Files.writeString(Path.of("/sys/bus/pci/drivers/e1000/bind"), NIC2.toString());
        }
        host.close();
    }


    @Test
    void detachingOneNicWhileTheOtherIsOnE1000IsRefusedNamingIt() throws IOException {
        GroupNotViableException e = assertThrows(GroupNotViableException.class, () -> host.detach(NIC1));
        assertEquals(Map.of(NIC2, "e1000"), e.offenders());
        assertTrue(e.getMessage().contains("0000:04:02.0 is on e1000"), e.getMessage());
        assertThrows(GroupNotViableException.class, () -> host.lease(NIC1, "vm"));
        assertEquals(Optional.of("e1000"), driver(NIC1), "nothing may have changed");
        assertEquals(host.assignments(), java.util.List.of());
    }

    @Test
    void onceTheOtherNicIsUnboundTheDetachWorksAndReattachRestoresE1000() throws IOException {
        Files.writeString(Path.of("/sys/bus/pci/drivers/e1000/unbind"), NIC2.toString());
        host.detach(NIC1);
        assertEquals(Optional.of("vfio-pci"), driver(NIC1));
        host.reattach(NIC1);
        assertEquals(Optional.of("e1000"), driver(NIC1));
    }
}
