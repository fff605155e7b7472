package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

class IommuDomainTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF1 = PciAddress.parse("0000:01:10.2");
    static final long MIB2 = 2L << 20;

    FakeVfioKernel kernel;
    VfioSystem vfio;

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        kernel.addGroup(6, true, new FakeDevice("0000:01:10.0", 0x8086, 0x10ca));
        kernel.addGroup(7, true, new FakeDevice("0000:01:10.2", 0x8086, 0x10ca));
        vfio = new VfioSystem(kernel, "/dev");
    }

    private IommuDomain domainWithDevice() {
        IommuDomain d = vfio.newDomain();
        d.openDevice(VF0, 6);
        return d;
    }

    private static VfioException rejected(Errno errno, Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        assertEquals(errno, e.errno().orElseThrow(), e.getMessage());
        assertTrue(e.rejectedBeforeKernel(), e.getMessage());
        return e;
    }

    @Test
    void mapAndUnmapTwoMegabytesRecordsAndClearsTheMapping() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            DmaMapping m = d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            assertEquals(List.of(m), d.mappings());
            assertEquals(m, d.mappingAt(0x1000_0000L + 4096));
            assertNull(d.mappingAt(0x1000_0000L + MIB2));
            assertEquals(MIB2, kernel.mappedBytes());
            assertEquals(MIB2, d.unmap(0x1000_0000L, MIB2));
            assertTrue(d.mappings().isEmpty());
            assertEquals(0, kernel.mappedBytes());
        }
    }

    @Test
    void reportsWhatTheKernelSaidAboutTheIommu() {
        try (IommuDomain d = domainWithDevice()) {
            assertEquals(0x40201000L, d.pageSizes());
            assertEquals(4096, d.minPageSize());
            assertEquals(List.of(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0xffffffffffffL)),
                    d.iovaRanges());
            assertEquals(65535, d.dmaMappingsAvailable());
        }
    }

    @Test
    void mappingBeforeAnyDeviceIsAttachedIsAnError() {
        try (IommuDomain d = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
            assertThrows(IllegalStateException.class, () -> d.map(0, ram.address(), MIB2, DmaAccess.READ_WRITE));
        }
    }

    @Test
    void zeroLengthIsRejectedBeforeTheKernel() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            rejected(Errno.EINVAL, () -> d.map(0x1000_0000L, ram.address(), 0, DmaAccess.READ_WRITE));
            assertEquals(0, kernel.mapRequests);
        }
    }

    @Test
    void unalignedIovaHostAddressOrLengthIsRejectedBeforeTheKernel() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            rejected(Errno.EINVAL, () -> d.map(0x1000_0800L, ram.address(), 4096, DmaAccess.READ_WRITE));
            rejected(Errno.EINVAL, () -> d.map(0x1000_0000L, ram.address() + 8, 4096, DmaAccess.READ_WRITE));
            rejected(Errno.EINVAL, () -> d.map(0x1000_0000L, ram.address(), 4097, DmaAccess.READ_WRITE));
            assertEquals(0, kernel.mapRequests);
            assertTrue(d.mappings().isEmpty());
        }
    }

    @Test
    void theKernelRejectsTheSameUnalignedRequest() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            DomainBacking c = d.backing();
            VfioException e = assertThrows(VfioException.class,
                    () -> c.map(0x800, ram.address(), 4096, true, true));
            assertEquals(Errno.EINVAL, e.errno().orElseThrow());
            assertFalse(e.rejectedBeforeKernel());
        }
    }

    @Test
    void overlapWithAnExistingMappingIsRejectedWithEexist() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(2 * MIB2)) {
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            rejected(Errno.EEXIST, () -> d.map(0x1000_0000L + MIB2 - 4096, ram.address(), 8192, DmaAccess.READ_WRITE));
            rejected(Errno.EEXIST, () -> d.map(0x0ff0_0000L, ram.address(), 2 * MIB2, DmaAccess.READ_WRITE));
            rejected(Errno.EEXIST, () -> d.map(0x1000_1000L, ram.address(), 4096, Set.of(DmaAccess.READ)));
            assertEquals(1, kernel.mapRequests);
            d.map(0x1000_0000L + MIB2, ram.address() + MIB2, MIB2, DmaAccess.READ_WRITE); // adjacent is fine
            assertEquals(2, d.mappings().size());
        }
    }

    @Test
    void theKernelRejectsAnOverlapWithEexist() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            VfioException e = assertThrows(VfioException.class,
                    () -> d.backing().map(0x1000_0000L, ram.address(), 4096, true, true));
            assertEquals(Errno.EEXIST, e.errno().orElseThrow());
        }
    }

    @Test
    void wrapAroundIsRejected() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            rejected(Errno.EINVAL, () -> d.map(-4096L, ram.address(), 8192, DmaAccess.READ_WRITE));
            rejected(Errno.EINVAL, () -> d.map(0x1000_0000L, -4096L, 8192, DmaAccess.READ_WRITE));
            rejected(Errno.EINVAL, () -> d.unmap(-4096L, 8192));
        }
    }

    @Test
    void rangesOutsideTheReportedIovaRangesAreRejected() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            // the MSI window 0xfee00000-0xfeefffff is not in any range
            rejected(Errno.EINVAL, () -> d.map(0xfee0_0000L, ram.address(), 4096, DmaAccess.READ_WRITE));
            // straddles the end of the first range
            rejected(Errno.EINVAL, () -> d.map(0xfedf_f000L, ram.address(), 8192, DmaAccess.READ_WRITE));
            // above the 48-bit limit
            rejected(Errno.EINVAL, () -> d.map(0x1_0000_0000_0000L, ram.address(), 4096, DmaAccess.READ_WRITE));
            assertEquals(0, kernel.mapRequests);
            VfioException e = assertThrows(VfioException.class,
                    () -> d.backing().map(0xfee0_0000L, ram.address(), 4096, true, true));
            assertEquals(Errno.EINVAL, e.errno().orElseThrow());
        }
    }

    @Test
    void noAccessIsRejected() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            rejected(Errno.EINVAL, () -> d.map(0x1000_0000L, ram.address(), MIB2, Set.of()));
        }
    }

    @Test
    void unmapMustCoverWholeMappingsAndSomething() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(2 * MIB2)) {
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            d.map(0x1000_0000L + MIB2, ram.address() + MIB2, MIB2, DmaAccess.READ_WRITE);
            rejected(Errno.EINVAL, () -> d.unmap(0x1000_0000L, 4096));
            rejected(Errno.EINVAL, () -> d.unmap(0x1000_1000L, MIB2));
            rejected(Errno.EINVAL, () -> d.unmap(0x1000_0000L, 4095));
            rejected(Errno.EINVAL, () -> d.unmap(0x1000_0000L, 0));
            rejected(Errno.ENOENT, () -> d.unmap(0x2000_0000L, MIB2));
            rejected(Errno.EINVAL, () -> d.unmap(0x1000_0000L, MIB2 + 4096)); // the first whole, part of the next
            assertEquals(0, kernel.unmapRequests);
            assertEquals(MIB2, d.unmap(0x0ff0_0000L, 0x10_0000L + MIB2)); // slack before the first mapping is fine
            assertEquals(MIB2, d.unmap(0x1000_0000L, 2 * MIB2)); // the rest of the range holds the second
            assertTrue(d.mappings().isEmpty());
        }
    }

    @Test
    void theKernelRefusesToSplitAMappingAndReportsZeroForNothing() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            DomainBacking c = d.backing();
            VfioException e = assertThrows(VfioException.class, () -> c.unmap(0x1000_1000L, 4096));
            assertEquals(Errno.EINVAL, e.errno().orElseThrow());
            assertEquals(0, c.unmap(0x3000_0000L, 4096));
        }
    }

    @Test
    void anUnmappedSizeThatDiffersFromTheTableIsReported() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            d.backing().unmap(0x1000_0000L, MIB2); // behind the domain's back
            VfioException e = assertThrows(VfioException.class, () -> d.unmap(0x1000_0000L, MIB2));
            assertFalse(e.rejectedBeforeKernel());
            assertTrue(e.getMessage().contains("unmapped 0x0"), e.getMessage());
            assertTrue(d.mappings().isEmpty());
        }
    }

    @Test
    void exhaustedMappingsAreEnospcFromTheKernel() {
        kernel.dmaAvailPerContainer = 1;
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(2 * MIB2)) {
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            VfioException e = assertThrows(VfioException.class,
                    () -> d.map(0x2000_0000L, ram.address() + MIB2, MIB2, DmaAccess.READ_WRITE));
            assertEquals(Errno.ENOSPC, e.errno().orElseThrow());
            assertFalse(e.rejectedBeforeKernel());
            assertEquals(1, d.mappings().size());
        }
    }

    @Test
    void directBufferConvenienceMapsPageAlignedMemoryAndRejectsMallocAlignedBuffers() {
        try (IommuDomain d = domainWithDevice(); HostMemory ram = vfio.allocate(MIB2)) {
            DmaMapping m = d.map(0x1000_0000L, ram.buffer(), DmaAccess.READ_WRITE);
            assertEquals(ram.address(), m.hostAddress());
            assertEquals(MIB2, m.length());
            ByteBuffer plain = ByteBuffer.allocateDirect(8192);
            rejected(Errno.EINVAL, () -> d.map(0x2000_0000L, plain, DmaAccess.READ_WRITE));
            assertThrows(IllegalArgumentException.class,
                    () -> d.map(0x2000_0000L, ByteBuffer.allocate(4096), DmaAccess.READ_WRITE));
        }
    }

    @Test
    void secondGroupJoinsTheSameContainerAndSetIommuHappensOnce() {
        try (IommuDomain d = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
            AssignedDevice a = d.openDevice(VF0, 6);
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            AssignedDevice b = d.openDevice(VF1, 7); // SET_IOMMU again would be EINVAL
            assertEquals(List.of(6, 7), d.groups());
            assertEquals(List.of(a, b), d.devices());
            assertEquals(1, d.mappings().size(), "mappings survive the second attach");
            assertEquals(kernel.group(6).container, kernel.group(7).container);
        }
    }

    @Test
    void closeTearsDownInOrderAndReleasesEverything() {
        HostMemory ram = vfio.allocate(MIB2);
        IommuDomain d = vfio.newDomain();
        AssignedDevice dev = d.openDevice(VF0, 6);
        d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
        d.close();
        assertFalse(dev.isOpen());
        assertEquals(0, kernel.mappedBytes());
        assertNull(kernel.group(6).container);
        assertFalse(kernel.group(6).open);
        ram.close();
        assertEquals(0, kernel.openFds());
        assertThrows(IllegalStateException.class, () -> d.openDevice(VF0, 6));
        d.close(); // idempotent
    }

    @Test
    void groupCanBeReopenedByANewDomainAfterClose() {
        domainWithDevice().close();
        try (IommuDomain d = domainWithDevice()) {
            assertNotNull(d.devices().get(0));
        }
    }
}
