package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;
import org.sriov4j.vfio.testing.internal.HotResetDep;

/** {@link AssignedDevice#hotResetInfo()} on the fake kernel. */
class HotResetInfoTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF1 = PciAddress.parse("0000:01:10.2");

    FakeVfioKernel kernel;
    FakeDevice fakeDevice;
    /** The argsz of every GET_PCI_HOT_RESET_INFO and the kernel's answer. */
    final List<String> requests = new ArrayList<>();
    IommuDomain domain;
    AssignedDevice dev;

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        LinuxSyscalls recording = (LinuxSyscalls) java.lang.reflect.Proxy.newProxyInstance(
                LinuxSyscalls.class.getClassLoader(), new Class<?>[] {LinuxSyscalls.class}, (proxy, method, args) -> {
                    boolean info = method.getName().equals("ioctl") && args.length == 3
                            && (Long) args[1] == VfioAbi.DEVICE_GET_PCI_HOT_RESET_INFO
                            && args[2] instanceof ByteBuffer;
                    int argsz = info ? ((ByteBuffer) args[2]).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0) : 0;
                    Object r;
                    try {
                        r = method.invoke(kernel, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (info) {
                        requests.add(argsz + " -> " + r);
                    }
                    return r;
                });
        fakeDevice = new FakeDevice("0000:01:10.0", 0x8086, 0x10ca);
        kernel.addGroup(6, true, fakeDevice);
        domain = new VfioSystem(recording, "/dev/").newDomain();
        dev = domain.openDevice(VF0, 6);
        requests.clear(); // the same number is VFIO_IOMMU_GET_INFO on the container, asked while opening
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    @Test
    void theAffectedFunctionsComeWithTheirGroupsAfterAnEnospcRetry() {
        fakeDevice.hotReset = List.of(new HotResetDep(3, PF),
                new HotResetDep(6, VF0), new HotResetDep(7, VF1));
        HotResetInfo info = dev.hotResetInfo();
        assertTrue(info.resettable());
        assertEquals(List.of(new HotResetInfo.Dependent(PF, 3), new HotResetInfo.Dependent(VF0, 6),
                new HotResetInfo.Dependent(VF1, 7)), info.devices());
        assertEquals(Set.of(3, 6, 7), info.iommuGroups());
        assertFalse(info.iommufdDeviceIds());
        assertEquals(0, info.flags());
        assertEquals(List.of("12 -> -28", "36 -> 0"), requests, "header only: ENOSPC with count 3; then 12 + 3 * 8");
        assertTrue(info.reason().contains("3 function(s)"), info.reason());
    }

    @Test
    void aDeviceWithoutSlotOrBusResetIsNotResettable() {
        fakeDevice.hotReset = null;
        HotResetInfo info = dev.hotResetInfo();
        assertFalse(info.resettable());
        assertTrue(info.devices().isEmpty());
        assertTrue(info.iommuGroups().isEmpty());
        assertTrue(info.reason().contains("ENODEV"), info.reason());
        assertEquals(List.of("12 -> -19"), requests);
    }

    @Test
    void anAffectedFunctionWithoutIommuGroupMakesItNotResettable() {
        fakeDevice.hotReset = List.of(new HotResetDep(6, VF0),
                new HotResetDep(-1, PciAddress.parse("0000:01:00.1")));
        HotResetInfo info = dev.hotResetInfo();
        assertFalse(info.resettable());
        assertTrue(info.reason().contains("EPERM"), info.reason());
        assertEquals(List.of("12 -> -28", "28 -> -1"), requests, "the group is checked only for entries that fit");
    }

    @Test
    void theKernelFillsWhatFitsAndReportsTheFullCount() {
        fakeDevice.hotReset = List.of(new HotResetDep(3, PF),
                new HotResetDep(6, VF0));
        ByteBuffer b = VfioAbi.struct(VfioAbi.HotResetInfo.SIZE + VfioAbi.DependentDevice.SIZE);
        assertEquals(-Errno.ENOSPC.number(), kernel.ioctl(dev.fd().fd(), VfioAbi.DEVICE_GET_PCI_HOT_RESET_INFO, b));
        assertEquals(2, b.getInt(VfioAbi.HotResetInfo.COUNT));
        assertEquals(3, b.getInt(VfioAbi.HotResetInfo.DEVICES + VfioAbi.DependentDevice.GROUP_ID));
        assertEquals(1, b.get(VfioAbi.HotResetInfo.DEVICES + VfioAbi.DependentDevice.BUS));
        ByteBuffer small = VfioAbi.struct(8);
        assertEquals(-Errno.EINVAL.number(), kernel.ioctl(dev.fd().fd(), VfioAbi.DEVICE_GET_PCI_HOT_RESET_INFO,
                small), "argsz below the 12-byte header");
    }

    @Test
    void devfnIsSplitIntoSlotAndFunction() {
        PciAddress f = PciAddress.parse("0002:81:1f.7");
        fakeDevice.hotReset = List.of(new HotResetDep(40, f));
        assertEquals(List.of(new HotResetInfo.Dependent(f, 40)), dev.hotResetInfo().devices());
    }

    @Test
    void aClosedDeviceIsRefused() {
        dev.close();
        assertThrows(IllegalStateException.class, dev::hotResetInfo);
    }
}
