package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.DeviceInUseException;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.VfioHolder;

/**
 * The rule that finds the holders of a VFIO device before an unbind (docs/vfio-holders.md), on the simulated kernel
 * and its fake /proc: which evidence names which process, the kernel's {@code enable} count that clears a device
 * nobody has open, an open device with no visible holder, the wait option and this process's own device.
 */
class VfioHolderRuleTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    SriovHost host;
    List<PciAddress> vfs;

    SriovHost open(java.util.function.UnaryOperator<SriovConfig.Builder> c) {
        host = kernel.openHost(c);
        vfs = host.enableVfs(PF, 2).vfs();
        vfs.forEach(host::detach);
        return host;
    }

    @AfterEach
    void close() {
        if (host != null) {
            host.close();
        }
    }

    SimulatedProcess holding(PciAddress f, boolean keepGroup) {
        SimulatedProcess p = kernel.startProcess("qemu-system-x86");
        int g = p.openGroup(kernel.iommuGroupOf(f).orElseThrow());
        p.openDevice(f);
        if (!keepGroup) {
            p.close(g);
        }
        return p;
    }

    static VfioHolder only(DeviceInUseException e) {
        assertEquals(1, e.holders().size(), e.getMessage());
        return e.holders().get(0);
    }

    @Test
    void aProcessWithOnlyTheGroupOpenDoesNotBlockTheUnbind() {
        open(c -> c);
        SimulatedProcess p = kernel.startProcess("vfio-probe");
        p.openGroup(kernel.iommuGroupOf(vfs.get(0)).orElseThrow());
        host.reattach(vfs.get(0));
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs.get(0)));
    }

    @Test
    void theGroupAndADeviceFdMakeACertainHolderNamedWithPidAndCommand() {
        open(c -> c);
        SimulatedProcess p = holding(vfs.get(0), true);
        VfioHolder h = only(assertThrows(DeviceInUseException.class, () -> host.reattach(vfs.get(0))));
        assertEquals(new VfioHolder(p.pid(), "qemu-system-x86", VfioHolder.Evidence.GROUP_AND_DEVICE_FD), h);
    }

    @Test
    void onAKernelThatNamesNoDeviceEveryDeviceFdNotTiedToTheGroupMakesAPossibleHolder() {
        open(c -> c);
        SimulatedProcess p0 = holding(vfs.get(0), false); // closed its group: its device fd cannot be attributed
        SimulatedProcess p1 = holding(vfs.get(1), true); // another group: its device fd could still be vf0's
        DeviceInUseException e = assertThrows(DeviceInUseException.class, () -> host.reattach(vfs.get(0)));
        assertEquals(List.of(new VfioHolder(p0.pid(), "qemu-system-x86", VfioHolder.Evidence.UNATTRIBUTED_DEVICE_FD),
                new VfioHolder(p1.pid(), "qemu-system-x86", VfioHolder.Evidence.UNATTRIBUTED_DEVICE_FD)), e.holders());
        assertFalse(e.holders().get(0).certain());
    }

    @Test
    void aKernelThatNamesTheDeviceInFdinfoAttributesEveryDeviceFd() {
        kernel.fdinfoSyspath(true);
        open(c -> c);
        SimulatedProcess p0 = holding(vfs.get(0), false);
        holding(vfs.get(1), false);
        VfioHolder h = only(assertThrows(DeviceInUseException.class, () -> host.reattach(vfs.get(0))));
        assertEquals(new VfioHolder(p0.pid(), "qemu-system-x86", VfioHolder.Evidence.DEVICE_SYSPATH), h);
    }

    @Test
    void anOpenDeviceCdevNamesItsHolder() {
        kernel = SimulatedKernel.builder().qemuQ35().vfioCdev(true).intel82576("0000:01:00.0")
                .loadDrivers("igbvf", "vfio-pci").build();
        open(c -> c);
        SimulatedProcess p = kernel.startProcess("cloud-hypervisor");
        p.openDeviceCdev(vfs.get(0));
        VfioHolder h = only(assertThrows(DeviceInUseException.class, () -> host.reattach(vfs.get(0))));
        assertEquals(VfioHolder.Evidence.DEVICE_CDEV, h.evidence());
        assertEquals("cloud-hypervisor", h.command());
    }

    @Test
    void anOpenDeviceWithNoVisibleHolderIsRefusedAllTheSame() throws Exception {
        open(c -> c);
        SimulatedProcess p = holding(vfs.get(0), true);
        SimulatedKernel.deleteTree(kernel.procRoot().resolve(Long.toString(p.pid()))); // another PID namespace
        assertFalse(Files.exists(kernel.procRoot().resolve(Long.toString(p.pid()))));
        DeviceInUseException e = assertThrows(DeviceInUseException.class, () -> host.reattach(vfs.get(0)));
        assertTrue(e.holders().isEmpty());
        assertTrue(e.getMessage().contains("no process in"), e.getMessage());
        assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vfs.get(0)));
    }

    @Test
    void theHolderWaitLetsAReattachFinishOnceTheHolderExits() throws Exception {
        open(c -> c.holderWait(Duration.ofSeconds(5)));
        SimulatedProcess p = holding(vfs.get(0), true);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            p.exit();
        });
        t.start();
        host.reattach(vfs.get(0));
        t.join();
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs.get(0)));
    }

    @Test
    void theHolderWaitEndsInARefusalThatSaysHowLongItWaited() {
        open(c -> c.holderWait(Duration.ofMillis(300)));
        holding(vfs.get(0), true);
        DeviceInUseException e = assertThrows(DeviceInUseException.class, () -> host.reattach(vfs.get(0)));
        assertTrue(e.getMessage().contains("waited 300 ms"), e.getMessage());
    }

    @Test
    void whenThisProcessHoldsTheDeviceTheWaitFirstAsksItsOwnUserToCloseIt() {
        open(c -> c.holderWait(Duration.ofSeconds(2)));
        host.reattach(vfs.get(0));
        Lease lease = host.lease(vfs.get(0), "vm-1"); // managed: its end unbinds from vfio-pci
        SimulatedProcess self = kernel.startProcess("java", ProcessHandle.current().pid());
        self.openGroup(kernel.iommuGroupOf(vfs.get(0)).orElseThrow());
        self.openDevice(vfs.get(0));
        AtomicBoolean asked = new AtomicBoolean();
        lease.onDeviceRequest(() -> {
            asked.set(true);
            self.exit();
        });
        lease.close();
        assertTrue(asked.get());
        assertEquals(Optional.of("igbvf"), kernel.driverOf(vfs.get(0)));
    }

    @Test
    void withoutAWaitThisProcessesOwnDeviceIsRefusedLikeAnyOther() {
        open(c -> c);
        host.reattach(vfs.get(0));
        Lease lease = host.lease(vfs.get(0), "vm-1");
        SimulatedProcess self = kernel.startProcess("java", ProcessHandle.current().pid());
        self.openGroup(kernel.iommuGroupOf(vfs.get(0)).orElseThrow());
        self.openDevice(vfs.get(0));
        AtomicBoolean asked = new AtomicBoolean();
        lease.onDeviceRequest(() -> asked.set(true));
        assertThrows(DeviceInUseException.class, lease::close);
        assertFalse(asked.get());
        self.exit();
        assertEquals(List.of(vfs.get(0)), host.recover().restored());
    }
}
