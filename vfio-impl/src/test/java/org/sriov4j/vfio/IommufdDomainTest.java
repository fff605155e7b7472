package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/**
 * The iommufd/cdev path ({@link IommuApi#IOMMUFD}) on the fake kernel: selection, bind/attach, the same validation
 * and documented errors as the legacy container, the kernel's own answers, and the close order.
 */
class IommufdDomainTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF2 = PciAddress.parse("0000:01:10.4");
    static final PciAddress NIC1 = PciAddress.parse("0000:04:01.0");
    static final PciAddress NIC2 = PciAddress.parse("0000:04:02.0");
    static final PciAddress NO_CDEV = PciAddress.parse("0000:01:11.0");
    static final long MIB2 = 2L << 20;
    static final long IOVA = 0x1000_0000L;

    @TempDir
    Path sysfs;
    FakeVfioKernel kernel;
    VfioSystem vfio;
    FakeDevice vf0;
    FakeDevice vf2;

    @BeforeEach
    void hostWithIommufd() throws IOException {
        kernel = new FakeVfioKernel();
        kernel.iommufdAvailable = true;
        vf0 = new FakeDevice(VF0.toString(), 0x8086, 0x10ca).bar(0, 16384);
        vf2 = new FakeDevice(VF2.toString(), 0x8086, 0x10ca);
        kernel.addGroup(6, true, vf0);
        kernel.addGroup(8, true, vf2);
        FakeDevice nic1 = new FakeDevice(NIC1.toString(), 0x8086, 0x100e);
        FakeDevice nic2 = new FakeDevice(NIC2.toString(), 0x8086, 0x100e);
        kernel.addGroup(9, false, nic1, nic2);
        kernel.addGroup(10, true, new FakeDevice(NO_CDEV.toString(), 0x8086, 0x10ca));
        function(VF0, "vfio-pci", 6, vf0.cdev);
        function(VF2, "vfio-pci", 8, vf2.cdev);
        function(NIC1, "vfio-pci", 9, nic1.cdev);
        function(NIC2, "e1000", 9, null);
        function(NO_CDEV, "vfio-pci", 10, null);
        vfio = new VfioSystem(kernel, "/dev/", sysfs, () -> true);
    }

    /** A sysfs function: driver and iommu_group links, the group's devices entry, and its vfio-dev cdev. */
    void function(PciAddress f, String driver, int group, String cdev) throws IOException {
        Path dir = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(f.toString()));
        Path groupDevices = Files.createDirectories(sysfs.resolve("kernel/iommu_groups/" + group + "/devices"));
        Files.createSymbolicLink(dir.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups/" + group));
        Files.createSymbolicLink(groupDevices.resolve(f.toString()), Path.of("../../../../bus/pci/devices/" + f));
        Files.createDirectories(sysfs.resolve("bus/pci/drivers/" + driver));
        Files.createSymbolicLink(dir.resolve("driver"), Path.of("../../../../bus/pci/drivers/" + driver));
        if (cdev != null) {
            Path node = Files.createDirectories(dir.resolve("vfio-dev").resolve(cdev));
            Files.writeString(node.resolve("dev"), "511:0\n");
        } else if (driver.equals("vfio-pci")) {
            Files.createDirectories(dir.resolve("vfio-dev/vfio99")); // 6.12 without CONFIG_VFIO_DEVICE_CDEV
        }
    }

    static VfioException expect(VfioError error, Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        assertTrue(error.matches(e), error + " expected: " + e.getMessage() + " errno=" + e.errnoNumber()
                + " before=" + e.rejectedBeforeKernel());
        return e;
    }

    static VfioException kernelSays(Errno errno, Runnable raw) {
        VfioException e = assertThrows(VfioException.class, raw::run);
        assertFalse(e.rejectedBeforeKernel(), e.getMessage());
        assertEquals(errno.number(), e.errnoNumber().orElseThrow(), e.getMessage());
        return e;
    }

    @Test
    void newDomainUsesIommufdWhenDeviceCdevsExistAndDevIommuOpens() {
        assertEquals(IommuApi.IOMMUFD, vfio.preferredApi());
        try (IommuDomain d = vfio.newDomain()) {
            assertEquals(IommuApi.IOMMUFD, d.api());
        }
        assertEquals(0, kernel.openFds(), "preferredApi and close leave nothing open");
    }

    @Test
    void newDomainFallsBackToTheContainerWithoutCdevsOrWithoutDevIommu() {
        VfioSystem noCdevs = new VfioSystem(kernel, "/dev/", sysfs, () -> false);
        assertEquals(IommuApi.LEGACY_CONTAINER, noCdevs.preferredApi());
        try (IommuDomain d = noCdevs.newDomain()) {
            assertEquals(IommuApi.LEGACY_CONTAINER, d.api());
        }
        kernel.iommufdAvailable = false;
        assertEquals(IommuApi.LEGACY_CONTAINER, vfio.preferredApi());
        try (IommuDomain d = vfio.newDomain()) {
            assertEquals(IommuApi.LEGACY_CONTAINER, d.api());
        }
    }

    @Test
    void askingForIommufdOnAKernelWithoutItNamesTheMissingOption() {
        kernel.iommufdAvailable = false;
        VfioException e = kernelSays(Errno.ENOENT, () -> vfio.newDomain(IommuApi.IOMMUFD));
        assertTrue(e.getMessage().contains("CONFIG_IOMMUFD"), e.getMessage());
    }

    @Test
    void openDeviceBindsTheCdevAttachesItAndServesDeviceRequestsThroughIt() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD)) {
            AssignedDevice dev = d.openDevice(VF0);
            assertEquals(6, dev.iommuGroup());
            assertEquals(List.of(6), d.groups());
            assertEquals(0x8086, dev.readConfig16(0));
            assertEquals(0x10ca, dev.readConfig16(2));
            assertEquals(16384, dev.region(0).size());
            assertEquals(1, vf0.openCount);
            assertEquals(4096, d.pageSizes(), "iommufd reports its IOVA alignment");
            assertEquals(List.of(new IovaRange(0, 0xfedf_ffffL), new IovaRange(0xfef0_0000L, 0xffff_ffff_ffffL)),
                    d.iovaRanges(), "the device's reserved regions (MSI window, aperture) narrow the IOAS");
            assertEquals(-1, d.dmaMappingsAvailable());
            dev.reset();
            assertEquals(1, vf0.resets);
        }
        assertEquals(0, vf0.openCount);
    }

    @Test
    void mapAndUnmapOfTwoMegabytesRoundTripsWithTheKernelsSize() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); HostMemory ram = vfio.allocate(MIB2)) {
            d.openDevice(VF0);
            DmaMapping m = d.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
            assertEquals(m, d.mappingAt(IOVA + 4096));
            assertEquals(MIB2, kernel.mappedBytes());
            assertEquals(MIB2, d.unmap(IOVA, MIB2));
            assertEquals(0, kernel.mappedBytes());
            assertEquals(List.of(), d.mappings());
        }
    }

    @Test
    void overlappingUnalignedAndOutsideMapsAreRefusedAsOnTheContainer() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); HostMemory ram = vfio.allocate(MIB2)) {
            d.openDevice(VF0);
            d.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
            int before = kernel.mapRequests;
            expect(VfioError.OVERLAPPING_MAP, () -> d.map(IOVA + 0x10_0000L, ram.address(), 4096,
                    DmaAccess.READ_WRITE));
            expect(VfioError.UNALIGNED_MAP, () -> d.map(0x2000_0800L, ram.address(), 4096, DmaAccess.READ_WRITE));
            expect(VfioError.MAP_OUTSIDE_IOVA_RANGES, () -> d.map(0xfee0_0000L, ram.address(), 4096,
                    DmaAccess.READ_WRITE));
            assertEquals(before, kernel.mapRequests, "refused before the kernel");
        }
    }

    @Test
    void theFakeKernelGivesTheSameErrnosWhenTheValidationIsBypassed() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); HostMemory ram = vfio.allocate(MIB2)) {
            d.openDevice(VF0);
            DomainBacking raw = d.backing();
            raw.map(IOVA, ram.address(), MIB2, true, true);
            kernelSays(VfioError.OVERLAPPING_MAP.errno().orElseThrow(), () -> raw.map(IOVA + 0x10_0000L, ram.address(), 4096,
                    true, true));
            kernelSays(VfioError.UNALIGNED_MAP.errno().orElseThrow(), () -> raw.map(0x2000_0800L, ram.address(), 4096, true, true));
            kernelSays(VfioError.MAP_OUTSIDE_IOVA_RANGES.errno().orElseThrow(), () -> raw.map(0xfee0_0000L, ram.address(), 4096,
                    true, true));
            kernelSays(Errno.EINVAL, () -> raw.map(0x3000_0000L, ram.address() + 0x800, 4096, true, true));
            kernelSays(Errno.EINVAL, () -> raw.map(0x3000_0000L, ram.address(), 4096, false, false));
            // unlike type1 (EINVAL), iommufd answers ENOENT for an unmap that would split a mapping
            kernelSays(Errno.ENOENT, () -> raw.unmap(IOVA, 4096));
            kernelSays(Errno.ENOENT, () -> raw.unmap(0x4000_0000L, 4096));
            assertEquals(MIB2, raw.unmap(IOVA, MIB2));
        }
    }

    @Test
    void unmapThatSplitsAMappingIsRefusedBeforeTheKernel() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); HostMemory ram = vfio.allocate(MIB2)) {
            d.openDevice(VF0);
            d.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
            VfioException e = assertThrows(VfioException.class, () -> d.unmap(IOVA, 4096));
            assertTrue(e.rejectedBeforeKernel());
            assertEquals(MIB2, kernel.mappedBytes());
        }
    }

    @Test
    void aDeviceBoundByAnotherDomainIsRefusedByTheKernelAsAlreadyBound() {
        try (IommuDomain first = vfio.newDomain(IommuApi.IOMMUFD);
                IommuDomain second = vfio.newDomain(IommuApi.IOMMUFD)) {
            first.openDevice(VF0);
            VfioException e = expect(VfioError.DEVICE_ALREADY_BOUND, () -> second.openDevice(VF0));
            assertTrue(e.getMessage().contains("already open"), e.getMessage());
            assertEquals(List.of(), second.devices());
        }
        assertEquals(0, kernel.openFds(), "the refused cdev was closed");
    }

    @Test
    void theLegacyGroupAndTheCdevExcludeEachOther() {
        try (IommuDomain cdev = vfio.newDomain(IommuApi.IOMMUFD);
                IommuDomain legacy = vfio.newDomain(IommuApi.LEGACY_CONTAINER)) {
            AssignedDevice dev = cdev.openDevice(VF0);
            expect(VfioError.GROUP_ALREADY_OPEN, () -> legacy.openDevice(VF0));
            dev.close();
            AssignedDevice viaGroup = legacy.openDevice(VF0);
            VfioException e = kernelSays(Errno.EBUSY, () -> cdev.openDevice(VF0));
            assertTrue(e.getMessage().contains("legacy"), e.getMessage());
            viaGroup.close();
        }
    }

    @Test
    void aGroupWithADeviceOnAHostDriverIsRefusedBeforeTheKernelNamingIt() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD)) {
            VfioException e = expect(VfioError.GROUP_NOT_VIABLE, () -> d.openDevice(NIC1));
            assertTrue(e.getMessage().contains(NIC2 + " is bound to e1000"), e.getMessage());
        }
        assertEquals(0, kernel.openFds());
    }

    @Test
    void theKernelRefusesANonViableGroupEvenWhenSysfsLooksViable() throws IOException {
        Files.delete(sysfs.resolve("kernel/iommu_groups/9/devices").resolve(NIC2.toString()));
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD)) {
            VfioException e = kernelSays(Errno.EPERM, () -> d.openDevice(NIC1));
            assertTrue(e.getMessage().contains("owned by someone else"), e.getMessage());
        }
    }

    @Test
    void aFunctionWithoutACdevIsRefusedNamingTheKernelOption() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD)) {
            VfioException e = assertThrows(VfioException.class, () -> d.openDevice(NO_CDEV));
            assertTrue(e.rejectedBeforeKernel());
            assertEquals(Errno.ENODEV.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.getMessage().contains("CONFIG_VFIO_DEVICE_CDEV"), e.getMessage());
        }
    }

    @Test
    void attachingADeviceWhoseReservedRegionHoldsAMappingFailsAndLeavesItUnbound() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); HostMemory ram = vfio.allocate(MIB2)) {
            d.backing().map(0xfee0_0000L, ram.address(), 4096, true, true); // allowed while nothing is attached
            VfioException e = kernelSays(Errno.EADDRINUSE, () -> d.openDevice(VF0));
            assertTrue(e.getMessage().contains("reserved region"), e.getMessage());
            assertEquals(0, vf0.openCount, "the cdev was closed: unbound");
            assertEquals(4096, d.backing().unmap(0xfee0_0000L, 4096));
            d.openDevice(VF0);
        }
    }

    @Test
    void twoDevicesShareTheDomainAndClosingOneKeepsTheMappings() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); HostMemory ram = vfio.allocate(MIB2)) {
            AssignedDevice a = d.openDevice(VF0);
            d.openDevice(VF2);
            assertEquals(List.of(6, 8), d.groups());
            d.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
            a.close();
            assertEquals(List.of(8), d.groups());
            assertEquals(MIB2, kernel.mappedBytes());
            assertEquals(MIB2, d.unmap(IOVA, MIB2));
        }
    }

    @Test
    void closingTheDomainClosesDevicesUnmapsDestroysTheIoasAndClosesTheIommufd() {
        HostMemory ram = vfio.allocate(MIB2);
        IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD);
        AssignedDevice dev = d.openDevice(VF0);
        d.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
        assertEquals(1, kernel.ioasCount());
        d.close();
        assertFalse(dev.isOpen());
        assertEquals(0, kernel.mappedBytes());
        assertEquals(0, vf0.openCount);
        assertEquals(0, kernel.ioasCount());
        ram.close();
        assertEquals(0, kernel.openFds());
        try (IommuDomain again = vfio.newDomain(IommuApi.LEGACY_CONTAINER)) {
            again.openDevice(VF0); // the group is free for anyone
        }
    }

    @Test
    void manyIovaRangesAreReadWithTheCountTheKernelAsksFor() {
        kernel.iovaRanges = new long[][] {{0, 0xfff}, {0x2000, 0x2fff}, {0x4000, 0x4fff}, {0x6000, 0x6fff},
            {0x8000, 0x8fff}, {0x10_0000, 0xffff_ffff_ffffL}};
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD)) {
            d.openDevice(VF0);
            assertEquals(6, d.iovaRanges().size());
            assertEquals(new IovaRange(0x10_0000, 0xffff_ffff_ffffL), d.iovaRanges().get(5));
        }
    }

    @Test
    void interruptsWorkThroughTheCdev() {
        try (IommuDomain d = vfio.newDomain(IommuApi.IOMMUFD); EventFd e0 = vfio.newEventFd()) {
            AssignedDevice dev = d.openDevice(VF0);
            dev.enableInterrupts(VfioAbi.PCI_MSIX_IRQ_INDEX, List.of(e0));
            dev.triggerInterrupt(VfioAbi.PCI_MSIX_IRQ_INDEX, 0);
            assertEquals(1, e0.read());
            dev.disableInterrupts(VfioAbi.PCI_MSIX_IRQ_INDEX);
        }
    }
}
