package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

class AssignedDeviceTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    FakeVfioKernel kernel;
    FakeDevice fakeDevice;
    VfioSystem vfio;
    IommuDomain domain;
    AssignedDevice dev;

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        // BAR0 16 KiB whole; BAR3 32 KiB with the MSI-X table page 0x1000-0x1fff left out
        fakeDevice = new FakeDevice("0000:01:10.0", 0x8086, 0x10ca).bar(0, 0x4000)
                .bar(3, 0x8000, new long[] {0, 0x1000}, new long[] {0x2000, 0x6000});
        kernel.addGroup(6, true, fakeDevice);
        vfio = new VfioSystem(kernel, "/dev/");
        domain = vfio.newDomain();
        dev = domain.openDevice(VF0, 6);
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    private static VfioException error(Errno errno, Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        assertEquals(errno, e.errno().orElseThrow(), e.getMessage());
        return e;
    }

    @Test
    void deviceInfoHasNineRegionsFiveIrqsAndReset() {
        assertTrue(dev.info().pci());
        assertTrue(dev.info().resetSupported());
        assertEquals(9, dev.info().regionCount());
        assertEquals(5, dev.info().irqCount());
        assertEquals(VF0, dev.address());
        assertEquals(6, dev.iommuGroup());
    }

    @Test
    void configSpaceIsReadAndWrittenAtTheConfigRegionOffset() {
        assertEquals(0x8086, dev.readConfig16(0));
        assertEquals(0x10ca, dev.readConfig16(2));
        assertEquals(0x10ca8086, dev.readConfig32(0));
        dev.writeConfig16(4, 0x0006);
        assertEquals(0x0006, dev.readConfig16(4));
        RegionInfo config = dev.region(RegionInfo.PCI_CONFIG);
        assertEquals(7L << 40, config.offset());
        assertEquals(4096, config.size());
        assertThrows(IllegalArgumentException.class, () -> dev.readConfig32(4094));
    }

    @Test
    void unknownRegionAndIrqIndexesAreEinval() {
        error(Errno.EINVAL, () -> dev.region(9));
        error(Errno.EINVAL, () -> dev.region(8)); // VGA, on a NIC
        error(Errno.EINVAL, () -> dev.irq(5));
        assertEquals(0, dev.region(1).size(), "an unimplemented BAR has size 0");
    }

    @Test
    void wholeBarIsMappedWhenThereIsNoSparseCapability() {
        try (BarMapping bar0 = dev.mapRegion(0)) {
            assertEquals(1, bar0.parts().size());
            bar0.at(0x8).putInt(0x12345678);
            assertEquals(0x12345678, dev.readRegion(0, 8, 4).getInt(0), "mmap and pread see the same BAR");
        }
        assertEquals(0, kernel.mmapCount());
    }

    @Test
    void sparseMmapAreasAreHonoured() {
        RegionInfo bar3 = dev.region(3);
        assertEquals(List.of(new RegionInfo.Area(0, 0x1000), new RegionInfo.Area(0x2000, 0x6000)),
                bar3.sparseAreas());
        try (BarMapping m = dev.mapRegion(3)) {
            assertEquals(2, m.parts().size());
            m.at(0x2004).putInt(7);
            assertEquals(7, dev.readRegion(3, 0x2004, 4).getInt(0));
            assertThrows(IllegalArgumentException.class, () -> m.at(0x1000), "the MSI-X table is not mapped");
        }
        // the kernel refuses an mmap across the hole
        VfioException e = error(Errno.EINVAL, () -> dev.fd().mmap((3L << 40), 0x8000, 3));
        assertFalse(e.rejectedBeforeKernel());
    }

    @Test
    void unmappableRegionsAreRejected() {
        error(Errno.EINVAL, () -> dev.mapRegion(1));
        error(Errno.EINVAL, () -> dev.mapRegion(RegionInfo.PCI_CONFIG));
    }

    @Test
    void msixEventfdsAreSignalledByALoopbackTriggerAndUnboundOnDisable() {
        IrqInfo msix = dev.irq(IrqInfo.MSIX);
        assertEquals(3, msix.count());
        assertTrue(msix.eventfd());
        assertFalse(msix.noResize(), "6.12 allocates MSI-X vectors dynamically");
        assertFalse(msix.maskable());
        List<EventFd> fds = List.of(vfio.newEventFd(), vfio.newEventFd(), vfio.newEventFd());
        dev.enableInterrupts(IrqInfo.MSIX, fds);
        dev.triggerInterrupt(IrqInfo.MSIX, 2);
        assertEquals(0, fds.get(0).read());
        assertEquals(1, fds.get(2).read());
        dev.disableInterrupts(IrqInfo.MSIX);
        dev.triggerInterrupt(IrqInfo.MSIX, 2);
        assertEquals(0, fds.get(2).read(), "no longer bound");
        fds.forEach(EventFd::close);
    }

    @Test
    void moreEventfdsThanVectorsAreRejected() {
        List<EventFd> fds = List.of(vfio.newEventFd(), vfio.newEventFd(), vfio.newEventFd(), vfio.newEventFd());
        VfioException e = error(Errno.EINVAL, () -> dev.enableInterrupts(IrqInfo.MSIX, fds));
        assertTrue(e.rejectedBeforeKernel());
    }

    @Test
    void onlyOneInterruptModeAtATime() {
        fakeDevice.irqCounts[IrqInfo.MSI] = 1;
        EventFd a = vfio.newEventFd();
        dev.enableInterrupts(IrqInfo.MSIX, List.of(a));
        VfioException e = error(Errno.EINVAL, () -> dev.enableInterrupts(IrqInfo.MSI, List.of(a)));
        assertFalse(e.rejectedBeforeKernel());
        dev.disableInterrupts(IrqInfo.MSIX);
        dev.enableInterrupts(IrqInfo.MSI, List.of(a));
    }

    @Test
    void aDescriptorThatIsNoEventfdIsRefusedByTheKernel() {
        int notAnEventfd = dev.fd().fd();
        error(Errno.EINVAL, () -> dev.fd().setIrqs("enable", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.MSIX, 0, 1, new int[] {notAnEventfd}, null));
        error(Errno.EBADF, () -> dev.fd().setIrqs("enable", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.MSIX, 0, 1, new int[] {999}, null));
        error(Errno.EINVAL, () -> dev.fd().setIrqs("two actions", VfioAbi.IRQ_SET_DATA_NONE
                | VfioAbi.IRQ_SET_ACTION_TRIGGER | VfioAbi.IRQ_SET_ACTION_MASK, IrqInfo.MSIX, 0, 1, null, null));
        error(Errno.EINVAL, () -> dev.fd().setIrqs("beyond count", VfioAbi.IRQ_SET_DATA_NONE
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.MSIX, 2, 2, null, null));
    }

    @Test
    void masking() {
        // MSI-X is not maskable through VFIO: refused before the kernel, and the kernel says ENOTTY too
        VfioException e = error(Errno.ENOTTY, () -> dev.mask(IrqInfo.MSIX, 0));
        assertTrue(e.rejectedBeforeKernel());
        error(Errno.ENOTTY, () -> dev.fd().setIrqs("mask", VfioAbi.IRQ_SET_DATA_NONE | VfioAbi.IRQ_SET_ACTION_MASK,
                IrqInfo.MSIX, 0, 1, null, null));
        fakeDevice.irqCounts[IrqInfo.INTX] = 1;
        dev.mask(IrqInfo.INTX, 0);
        assertTrue(fakeDevice.intxMasked.get(0));
        dev.unmask(IrqInfo.INTX, 0);
        assertFalse(fakeDevice.intxMasked.get(0));
    }

    @Test
    void resetIsPassedToTheKernelOnlyWhenSupported() {
        dev.reset();
        assertEquals(1, fakeDevice.resets);
        fakeDevice.resetSupported = false;
        try (IommuDomain other = vfio.newDomain()) {
            domain.close();
            AssignedDevice noReset = other.openDevice(VF0, 6);
            VfioException e = error(Errno.EINVAL, noReset::reset);
            assertTrue(e.rejectedBeforeKernel());
            error(Errno.EINVAL, noReset.fd()::reset);
        }
    }

    @Test
    void migrationProbeSaysClearlyWhenUnsupported() {
        MigrationSupport m = dev.migration();
        assertFalse(m.supported());
        assertTrue(m.reason().contains("does not implement migration"), m.reason());
    }

    @Test
    void migrationProbeReportsTheDriversFlags() {
        fakeDevice.migrationFlags = VfioAbi.MIGRATION_STOP_COPY | VfioAbi.MIGRATION_P2P;
        MigrationSupport m = dev.migration();
        assertTrue(m.supported());
        assertTrue(m.stopCopy());
        assertTrue(m.p2p());
        assertFalse(m.preCopy());
    }

    @Test
    void closingTheDeviceDisablesItsInterruptsAndUnmapsItsBars() {
        EventFd a = vfio.newEventFd();
        dev.enableInterrupts(IrqInfo.MSIX, List.of(a));
        dev.mapRegion(0);
        dev.close();
        assertEquals(-1, fakeDevice.enabledIrqIndex);
        assertEquals(0, kernel.mmapCount());
        assertFalse(dev.isOpen());
        assertThrows(IllegalStateException.class, () -> dev.readConfig32(0));
        assertTrue(domain.devices().isEmpty());
        a.close();
    }

    @Test
    void eventfdCountsSignals() {
        try (EventFd e = vfio.newEventFd()) {
            assertEquals(0, e.read());
            e.signal();
            e.signal();
            assertEquals(2, e.read());
        }
    }

    @Test
    void regionReadsOutsideTheRegionAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> dev.readRegion(0, 0x4000, 4));
        assertThrows(IllegalArgumentException.class, () -> dev.writeRegion(0, -1, ByteBuffer.allocate(4)));
    }
}
