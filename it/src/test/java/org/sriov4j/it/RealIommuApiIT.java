package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.DmaAccess;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.IommuApi;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.VfioException;
import org.sriov4j.vfio.VfioSystem;

/**
 * Which IOMMU interface the KVM-VFIO backend picks on the real kernel. Debian 12's 6.12 kernel is built without
 * {@code CONFIG_IOMMUFD} and {@code CONFIG_VFIO_DEVICE_CDEV}: there is no {@code /dev/iommu}, and a function on
 * vfio-pci gets a {@code vfio-dev/vfioN} entry in sysfs without a {@code dev} attribute (no cdev node). sriov4j must
 * see that, pick the legacy container by itself, and refuse an explicit iommufd request naming the kernel option.
 * What a kernel with iommufd would have to prove is the fake's {@code IommufdDomainTest} scenario on real nodes.
 */
class RealIommuApiIT {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final long IOVA = 0x1000_0000L;
    static final long MIB2 = 2L << 20;

    SriovHost host;
    VfioSystem vfio;

    @BeforeEach
    void oneVf() {
        host = SriovHost.open(SriovConfig.defaults());
        host.recover();
        host.enableVfs(PF, 1);
        vfio = VfioSystem.open();
    }

    @AfterEach
    void cleanUp() {
        host.recover().keptDetached().forEach(host::reattach);
        host.disableVfs(PF);
        host.close();
    }

    @Test
    void withoutIommufdTheBackendPicksTheLegacyContainerAndRefusesIommufdNamingTheOption() throws IOException {
        PciAddress vf = host.topology().physicalFunction(PF).orElseThrow().vfs().get(0);
        assertFalse(Files.exists(Path.of("/dev/iommu")), "Debian's 6.12 has no iommufd");
        try (Lease lease = host.lease(vf, "vm-api")) {
            Path vfioDev = Path.of("/sys/bus/pci/devices", vf.toString(), "vfio-dev");
            List<Path> entries;
            try (Stream<Path> s = Files.list(vfioDev)) {
                entries = s.toList();
            }
            System.out.println("  " + vfioDev + ": " + entries);
            assertEquals(1, entries.size(), "the vfio-dev class device exists without CONFIG_VFIO_DEVICE_CDEV");
            assertFalse(Files.exists(entries.get(0).resolve("dev")), "but it has no dev attribute: no cdev node");
            assertFalse(Files.isDirectory(Path.of("/dev/vfio/devices")));

            assertEquals(IommuApi.LEGACY_CONTAINER, vfio.preferredApi());
            VfioException e = assertThrows(VfioException.class, () -> vfio.newDomain(IommuApi.IOMMUFD));
            System.out.println("  newDomain(IOMMUFD): " + e.getMessage());
            assertEquals(Errno.ENOENT.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.getMessage().contains("CONFIG_IOMMUFD"), e.getMessage());

            try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
                assertEquals(IommuApi.LEGACY_CONTAINER, domain.api());
                try (AssignedDevice dev = domain.openDevice(lease)) {
                    assertEquals(0x10ca8086, dev.readConfig32(0));
                    domain.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
                    assertEquals(MIB2, domain.unmap(IOVA, MIB2));
                }
            }
        }
    }
}
