package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/**
 * The documented refusals ({@link VfioError}) on the fake kernel, in the scenarios the real-kernel suite runs
 * (it/RealVfioIT): the same expectations, so the fake and Linux 6.12 agree. Also the way from a lease to an open
 * device through sysfs ({@link IommuDomain#openDevice(Lease)}), and its refusal of a function not on vfio-pci.
 */
class VfioErrorTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF1 = PciAddress.parse("0000:01:10.2");
    static final PciAddress NIC1 = PciAddress.parse("0000:04:01.0");
    static final long MIB2 = 2L << 20;

    @TempDir
    Path sysfs;
    FakeVfioKernel kernel;
    VfioSystem vfio;

    @BeforeEach
    void guestLikeHost() throws IOException {
        kernel = new FakeVfioKernel();
        kernel.addGroup(6, true, new FakeDevice(VF0.toString(), 0x8086, 0x10ca));
        kernel.addGroup(9, false, new FakeDevice(NIC1.toString(), 0x8086, 0x100e),
                new FakeDevice("0000:04:02.0", 0x8086, 0x100e));
        function(VF0, "vfio-pci", 6);
        function(VF1, "igbvf", 7);
        function(NIC1, "vfio-pci", 9);
        function(PciAddress.parse("0000:01:10.4"), null, 8);
        vfio = new VfioSystem(kernel, "/dev/", sysfs);
    }

    /** A sysfs function directory with driver and iommu_group links (relative, as the kernel makes them). */
    void function(PciAddress f, String driver, int group) throws IOException {
        Path dir = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(f.toString()));
        Files.createDirectories(sysfs.resolve("kernel/iommu_groups/" + group));
        Files.createSymbolicLink(dir.resolve("iommu_group"), Path.of("../../../../kernel/iommu_groups/" + group));
        if (driver != null) {
            Files.createDirectories(sysfs.resolve("bus/pci/drivers/" + driver));
            Files.createSymbolicLink(dir.resolve("driver"), Path.of("../../../../bus/pci/drivers/" + driver));
        }
    }

    static void expect(VfioError error, Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        assertTrue(error.matches(e), error + " expected: " + e.getMessage() + " errno=" + e.errnoNumber()
                + " before=" + e.rejectedBeforeKernel());
    }

    /** The fake kernel itself (bypassing sriov4j's validation) gives the errno sriov4j documents. */
    static void kernelSays(VfioError error, Runnable raw) {
        VfioException e = assertThrows(VfioException.class, raw::run);
        assertFalse(e.rejectedBeforeKernel());
        assertEquals(error.errno().orElseThrow().number(), e.errnoNumber().orElseThrow(), e.getMessage());
    }

    @Test
    void overlappingUnalignedAndOutsideMapsAreRefusedAsDocumented() {
        try (IommuDomain d = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
            d.openDevice(VF0);
            d.map(0x1000_0000L, ram.address(), MIB2, DmaAccess.READ_WRITE);
            expect(VfioError.OVERLAPPING_MAP, () -> d.map(0x1010_0000L, ram.address(), 4096, DmaAccess.READ_WRITE));
            expect(VfioError.UNALIGNED_MAP, () -> d.map(0x2000_0800L, ram.address(), 4096, DmaAccess.READ_WRITE));
            expect(VfioError.MAP_OUTSIDE_IOVA_RANGES, () -> d.map(0xfee0_0000L, ram.address(), 4096,
                    DmaAccess.READ_WRITE));
            kernelSays(VfioError.OVERLAPPING_MAP, () -> d.backing().map(0x1010_0000L, ram.address(), 4096, true,
                    true));
            kernelSays(VfioError.UNALIGNED_MAP, () -> d.backing().map(0x2000_0800L, ram.address(), 4096, true,
                    true));
            kernelSays(VfioError.MAP_OUTSIDE_IOVA_RANGES, () -> d.backing().map(0xfee0_0000L, ram.address(),
                    4096, true, true));
            assertEquals(MIB2, d.unmap(0x1000_0000L, MIB2));
        }
        assertEquals(0, kernel.openFds());
    }

    @Test
    void theSameGroupTwiceIsBusy() {
        try (IommuDomain a = vfio.newDomain(); IommuDomain b = vfio.newDomain()) {
            a.openDevice(VF0);
            expect(VfioError.GROUP_ALREADY_OPEN, () -> b.openDevice(VF0));
            expect(VfioError.GROUP_ALREADY_OPEN, () -> b.openDevice(VF0, 6));
            assertTrue(b.groups().isEmpty());
        }
        assertEquals(0, kernel.openFds());
    }

    @Test
    void aNonViableGroupIsRefusedAndLeftClosed() {
        try (IommuDomain d = vfio.newDomain()) {
            VfioException e = assertThrows(VfioException.class, () -> d.openDevice(NIC1));
            assertTrue(VfioError.GROUP_NOT_VIABLE.matches(e), e.getMessage());
            assertTrue(e.getMessage().contains("not viable"), e.getMessage());
            assertTrue(d.groups().isEmpty());
            assertFalse(kernel.group(9).open, "the group descriptor is closed again");
        }
        assertEquals(0, kernel.openFds());
    }

    @Test
    void aFunctionNotOnVfioPciIsRefusedBeforeAnythingIsOpened() {
        try (IommuDomain d = vfio.newDomain()) {
            int before = kernel.openFds();
            VfioException e = assertThrows(VfioException.class, () -> d.openDevice(VF1));
            assertTrue(VfioError.NOT_BOUND_TO_VFIO_PCI.matches(e), e.getMessage());
            assertTrue(e.getMessage().contains("bound to igbvf, not vfio-pci"), e.getMessage());
            assertTrue(e.getMessage().contains("0000:01:10.2"), e.getMessage());
            e = assertThrows(VfioException.class, () -> d.openDevice(PciAddress.parse("0000:01:10.4")));
            assertTrue(e.getMessage().contains("bound to no driver"), e.getMessage());
            e = assertThrows(VfioException.class, () -> d.openDevice(PciAddress.parse("0000:01:11.6")));
            assertTrue(VfioError.NOT_BOUND_TO_VFIO_PCI.matches(e) && e.getMessage().contains("no such PCI function"),
                    e.getMessage());
            assertEquals(before, kernel.openFds());
        }
    }

    @Test
    void iommuGroupIsReadFromSysfs() {
        assertEquals(6, vfio.iommuGroup(VF0));
        assertEquals(9, vfio.iommuGroup(NIC1));
    }

    @Test
    void aHeldLeaseOpensItsDeviceAndAnEndedOneIsRefused() {
        TestLease lease = new TestLease(VF0);
        try (IommuDomain d = vfio.newDomain()) {
            AssignedDevice dev = d.openDevice(lease);
            assertEquals(VF0, dev.address());
            assertEquals(6, dev.iommuGroup());
            assertEquals(0x10ca8086, dev.readConfig32(0));
            dev.close();
            lease.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.openDevice(lease));
            assertTrue(e.getMessage().contains("ended"), e.getMessage());
        }
        assertEquals(0, kernel.openFds());
    }

    @Test
    void theKindIsCarriedNotInferredFromTheErrno() {
        try (IommuDomain d = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
            d.openDevice(VF0);
            VfioException outside = assertThrows(VfioException.class, () -> d.map(0xfee0_0000L, ram.address(), 4096,
                    DmaAccess.READ_WRITE));
            VfioException unaligned = assertThrows(VfioException.class, () -> d.map(0x2000_0800L, ram.address(),
                    4096, DmaAccess.READ_WRITE));
            assertEquals(outside.errno(), unaligned.errno(), "both EINVAL");
            assertEquals(VfioError.MAP_OUTSIDE_IOVA_RANGES, outside.kind());
            assertEquals(VfioError.UNALIGNED_MAP, unaligned.kind());
            assertFalse(VfioError.UNALIGNED_MAP.matches(outside));
            assertFalse(VfioError.MAP_OUTSIDE_IOVA_RANGES.matches(unaligned));
            VfioException zero = assertThrows(VfioException.class, () -> d.map(0x2000_0000L, ram.address(), 0,
                    DmaAccess.READ_WRITE));
            assertEquals(VfioError.INVALID_REQUEST, zero.kind());
            VfioException nothing = assertThrows(VfioException.class, () -> d.unmap(0x3000_0000L, 4096));
            assertEquals(VfioError.NOT_MAPPED, nothing.kind());
            assertEquals(Errno.ENOENT, nothing.errno().orElseThrow());
            // a kernel EINVAL that is not a bind refusal is not DEVICE_ALREADY_BOUND
            VfioException raw = assertThrows(VfioException.class, () -> d.backing().map(0x2000_0800L, ram.address(),
                    4096, true, true));
            assertEquals(Errno.EINVAL, raw.errno().orElseThrow());
            assertEquals(VfioError.SYSTEM_CALL_FAILED, raw.kind());
            assertFalse(VfioError.DEVICE_ALREADY_BOUND.matches(raw));
        }
        assertFalse(VfioError.OVERLAPPING_MAP.matches(new IllegalStateException()));
    }

    @Test
    void aFunctionWithoutAnIommuGroupIsNoIommuNotANotBoundRefusal() throws IOException {
        PciAddress lonely = PciAddress.parse("0000:05:00.0");
        Path dir = Files.createDirectories(sysfs.resolve("bus/pci/devices").resolve(lonely.toString()));
        Files.createDirectories(sysfs.resolve("bus/pci/drivers/vfio-pci"));
        Files.createSymbolicLink(dir.resolve("driver"), Path.of("../../../../bus/pci/drivers/vfio-pci"));
        VfioException e = assertThrows(VfioException.class, () -> vfio.iommuGroup(lonely));
        assertEquals(VfioError.NO_IOMMU, e.kind());
        assertTrue(e.rejectedBeforeKernel());
        assertEquals(Errno.ENODEV, e.errno().orElseThrow());
        assertEquals(VfioError.NOT_BOUND_TO_VFIO_PCI, assertThrows(VfioException.class,
                () -> vfio.iommuGroup(VF1)).kind());
    }

    @Test
    void aContainerWithoutType1IsNoIommuAndLeavesNothingOpen() {
        kernel.type1Offered = false;
        VfioException e = assertThrows(VfioException.class, () -> vfio.newDomain());
        assertEquals(VfioError.NO_IOMMU, e.kind());
        assertTrue(e.getMessage().contains("no type1v2 IOMMU"), e.getMessage());
        assertEquals(0, kernel.openFds());
    }

    @Test
    void theBusyGroupAndTheNonViableGroupHaveTheirKinds() {
        try (IommuDomain a = vfio.newDomain(); IommuDomain b = vfio.newDomain()) {
            a.openDevice(VF0);
            VfioException busy = assertThrows(VfioException.class, () -> b.openDevice(VF0));
            assertEquals(VfioError.GROUP_ALREADY_OPEN, busy.kind());
            assertFalse(busy.rejectedBeforeKernel(), "the kernel's open said EBUSY");
            assertEquals(VfioError.GROUP_NOT_VIABLE, assertThrows(VfioException.class, () -> b.openDevice(NIC1))
                    .kind());
        }
    }

    @Test
    void aMessageSaysEachFactOnce() {
        try (IommuDomain a = vfio.newDomain(); IommuDomain b = vfio.newDomain()) {
            a.openDevice(VF0);
            String busy = assertThrows(VfioException.class, () -> b.openDevice(VF0)).getMessage();
            assertEquals(1, count(busy, "EBUSY"), busy);
            assertEquals(1, count(busy, "/dev/vfio/6"), busy);
            assertEquals(1, count(busy, "failed"), busy);
            String notBound = assertThrows(VfioException.class, () -> b.openDevice(VF1)).getMessage();
            assertEquals(1, count(notBound, "0000:01:10.2"), notBound);
            assertEquals(1, count(notBound, "ENODEV"), notBound);
            assertFalse(notBound.contains("vfio: vfio"), notBound);
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /** A lease whose release only marks it ended. */
    static final class TestLease implements Lease {
        final PciAddress device;
        boolean held = true;

        TestLease(PciAddress device) {
            this.device = device;
        }

        @Override
        public PciAddress device() {
            return device;
        }

        @Override
        public String guest() {
            return "vm";
        }

        @Override
        public boolean managed() {
            return true;
        }

        @Override
        public boolean isHeld() {
            return held;
        }

        /** Refused, as by the engine on kvm-vfio: the VMM attaches the device itself. */
        @Override
        public void attachToGuest(String domain) {
            throw new SriovException("attach to guest", device, Errno.EOPNOTSUPP, null,
                    "the VMM attaches the device (VFIO)", null);
        }

        /** A no-op: the lease is attached to no guest. */
        @Override
        public void detachFromGuest() {
        }

        @Override
        public void close() {
            held = false;
        }
    }
}
