package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/** Container, group and device descriptors on the fake kernel: the ioctl paths and the close order. */
class VfioHandlesTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    FakeVfioKernel kernel;

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        kernel.addGroup(6, true, new FakeDevice("0000:01:10.0", 0x8086, 0x10ca));
        kernel.addGroup(9, false, new FakeDevice("0000:03:00.0", 0x8086, 0x100e));
    }

    private static Errno errnoOf(Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        assertFalse(e.rejectedBeforeKernel());
        return e.errno().orElseThrow();
    }

    @Test
    void containerReportsApiVersionZeroAndType1v2() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/")) {
            assertEquals(0, c.apiVersion());
            assertTrue(c.checkExtension(VfioAbi.TYPE1V2_IOMMU));
            assertTrue(c.checkExtension(VfioAbi.TYPE1_IOMMU));
            assertFalse(c.checkExtension(VfioAbi.NOIOMMU_IOMMU));
        }
    }

    @Test
    void setIommuNeedsAGroupAndWorksOnce() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 6)) {
            assertEquals(Errno.EINVAL, errnoOf(() -> c.setIommu(VfioAbi.TYPE1V2_IOMMU)));
            g.setContainer(c);
            c.setIommu(VfioAbi.TYPE1V2_IOMMU);
            assertEquals(Errno.EINVAL, errnoOf(() -> c.setIommu(VfioAbi.TYPE1V2_IOMMU)));
            g.unsetContainer();
        }
    }

    @Test
    void iommuRequestsBeforeSetIommuAreEinval() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/")) {
            assertEquals(Errno.EINVAL, errnoOf(c::iommuInfo));
            assertEquals(Errno.EINVAL, errnoOf(() -> c.mapDma(0, 0x7f0000000000L, 4096, 3)));
        }
    }

    @Test
    void iommuInfoFollowsTheCapabilityChainAfterGrowingTheBuffer() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 6)) {
            g.setContainer(c);
            c.setIommu(VfioAbi.TYPE1V2_IOMMU);
            ContainerFd.IommuInfo info = c.iommuInfo();
            assertEquals(0x40201000L, info.pageSizes());
            assertEquals(2, info.iovaRanges().size());
            assertEquals(new IovaRange(0xfef00000L, 0xffffffffffffL), info.iovaRanges().get(1));
            assertEquals(65535, info.dmaAvailable());
            g.unsetContainer();
        }
    }

    @Test
    void groupStatusShowsViabilityAndContainer() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 6);
                GroupFd bad = GroupFd.open(kernel, "/dev/", 9)) {
            assertEquals(VfioAbi.GROUP_FLAGS_VIABLE, g.status());
            assertEquals(0, bad.status());
            g.setContainer(c);
            assertEquals(VfioAbi.GROUP_FLAGS_VIABLE | VfioAbi.GROUP_FLAGS_CONTAINER_SET, g.status());
            g.unsetContainer();
        }
    }

    @Test
    void openingAGroupTwiceIsEbusyAndAMissingGroupEnoent() {
        try (GroupFd g = GroupFd.open(kernel, "/dev/", 6)) {
            assertEquals(Errno.EBUSY, errnoOf(() -> GroupFd.open(kernel, "/dev/", 6)));
        }
        GroupFd.open(kernel, "/dev/", 6).close(); // free again after close
        assertEquals(Errno.ENOENT, errnoOf(() -> GroupFd.open(kernel, "/dev/", 42)));
    }

    @Test
    void aNonViableGroupCannotJoinAContainer() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 9)) {
            assertEquals(Errno.EPERM, errnoOf(() -> g.setContainer(c)));
            assertEquals(Errno.EINVAL, errnoOf(() -> g.device(PciAddress.parse("0000:03:00.0"))));
            assertTrue(c.groups().isEmpty());
        }
    }

    @Test
    void setContainerTwiceAndUnsetWithoutContainerAreEinval() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 6)) {
            assertEquals(Errno.EINVAL, errnoOf(g::unsetContainer));
            g.setContainer(c);
            assertEquals(Errno.EINVAL, errnoOf(() -> g.setContainer(c)));
            g.unsetContainer();
        }
    }

    @Test
    void getDeviceFdNeedsTheIommuAndAKnownName() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 6)) {
            g.setContainer(c);
            assertEquals(Errno.EINVAL, errnoOf(() -> g.device(VF0)));
            c.setIommu(VfioAbi.TYPE1V2_IOMMU);
            assertEquals(Errno.ENODEV, errnoOf(() -> g.device(PciAddress.parse("0000:01:10.2"))));
            try (DeviceFd d = g.device(VF0)) {
                assertTrue(d.info().pci());
            }
            g.unsetContainer();
        }
    }

    @Test
    void aGroupRefusesToDetachOrCloseWhileItsDeviceIsOpen() {
        ContainerFd c = ContainerFd.open(kernel, "/dev/");
        GroupFd g = GroupFd.open(kernel, "/dev/", 6);
        g.setContainer(c);
        c.setIommu(VfioAbi.TYPE1V2_IOMMU);
        DeviceFd d = g.device(VF0);
        assertThrows(IllegalStateException.class, g::unsetContainer);
        assertThrows(IllegalStateException.class, g::close);
        assertThrows(IllegalStateException.class, c::close);
        d.close();
        assertThrows(IllegalStateException.class, c::close, "the group is still attached");
        g.close(); // unsets the container first
        assertTrue(c.groups().isEmpty());
        c.close();
        assertEquals(0, kernel.openFds());
    }

    @Test
    void theKernelItselfRefusesUnsetWhileADeviceIsOpen() {
        ContainerFd c = ContainerFd.open(kernel, "/dev/");
        GroupFd g = GroupFd.open(kernel, "/dev/", 6);
        g.setContainer(c);
        c.setIommu(VfioAbi.TYPE1V2_IOMMU);
        DeviceFd d = g.device(VF0);
        assertEquals(-FakeVfioKernel.EBUSY, kernel.ioctl(g.fd(), VfioAbi.GROUP_UNSET_CONTAINER, 0));
        d.close();
        g.close();
        c.close();
    }

    @Test
    void detachingTheLastGroupReleasesTheIommuAndItsMappings() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/")) {
            GroupFd g = GroupFd.open(kernel, "/dev/", 6);
            g.setContainer(c);
            c.setIommu(VfioAbi.TYPE1V2_IOMMU);
            long addr = kernel.mmap(4096, 3, LinuxSyscalls.MAP_PRIVATE | LinuxSyscalls.MAP_ANONYMOUS, -1, 0);
            c.mapDma(0x10000000L, addr, 4096, 3);
            g.close();
            assertFalse(c.iommuSet());
            assertEquals(0, kernel.mappedBytes());
            assertEquals(Errno.EINVAL, errnoOf(c::iommuInfo));
        }
    }

    @Test
    void requestsOnTheWrongDescriptorKindFail() {
        try (ContainerFd c = ContainerFd.open(kernel, "/dev/"); GroupFd g = GroupFd.open(kernel, "/dev/", 6)) {
            ByteBuffer b = VfioAbi.struct(VfioAbi.DeviceInfo.SIZE);
            assertEquals(-FakeVfioKernel.EINVAL, kernel.ioctl(c.fd(), VfioAbi.DEVICE_GET_INFO, b));
            assertEquals(-FakeVfioKernel.ENOTTY, kernel.ioctl(g.fd(), VfioAbi.DEVICE_GET_INFO, b));
            assertEquals(-FakeVfioKernel.EBADF, kernel.ioctl(99, VfioAbi.GET_API_VERSION, 0));
        }
    }

    @Test
    void closedHandlesRefuseFurtherUse() {
        ContainerFd c = ContainerFd.open(kernel, "/dev/");
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, c::apiVersion);
    }
}
