package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/** ERR/REQ notifications ({@link AssignedDevice#watch}) on the fake kernel. */
class DeviceNotificationsTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    FakeVfioKernel kernel;
    FakeDevice fakeDevice;
    /** SET_IRQS and close calls, in order, as the kernel saw them. */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    VfioSystem vfio;
    IommuDomain domain;
    AssignedDevice dev;
    final BlockingQueue<DeviceNotification> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        fakeDevice = new FakeDevice("0000:01:10.0", 0x8086, 0x10ca).bar(0, 0x4000);
        kernel.addGroup(6, true, fakeDevice);
        vfio = new VfioSystem(recording(kernel), "/dev/");
        domain = vfio.newDomain();
        dev = domain.openDevice(VF0, 6);
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    /** The fake behind a proxy that records SET_IRQS (index, data type, count, eventfd) and close calls. */
    private LinuxSyscalls recording(FakeVfioKernel target) {
        return (LinuxSyscalls) Proxy.newProxyInstance(LinuxSyscalls.class.getClassLoader(),
                new Class<?>[] {LinuxSyscalls.class}, (proxy, method, args) -> {
                    if (method.getName().equals("ioctl") && args.length == 3 && args[2] instanceof ByteBuffer b
                            && (Long) args[1] == VfioAbi.DEVICE_SET_IRQS) {
                        ByteBuffer l = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                        int flags = l.getInt(VfioAbi.IrqSet.FLAGS);
                        int count = l.getInt(VfioAbi.IrqSet.COUNT);
                        calls.add("SET_IRQS index " + l.getInt(VfioAbi.IrqSet.INDEX)
                                + ((flags & VfioAbi.IRQ_SET_DATA_EVENTFD) != 0 && l.capacity() > VfioAbi.IrqSet.DATA
                                        ? " eventfd " + l.getInt(VfioAbi.IrqSet.DATA) : " none count " + count));
                    } else if (method.getName().equals("close")) {
                        calls.add("close " + args[0]);
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private DeviceNotification next() throws InterruptedException {
        DeviceNotification n = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(n, "no notification within 5 s");
        return n;
    }

    @Test
    void watchBindsOneEventfdToErrAndOneToReqAndSaysSo() {
        try (DeviceNotifications w = dev.watch(received::add)) {
            assertEquals(Set.of(DeviceNotification.Kind.ERROR, DeviceNotification.Kind.REQUEST), w.enabled());
            assertTrue(w.unavailable().isEmpty());
            assertTrue(w.isOpen());
            assertEquals("sriov4j-notify-0000:01:10.0", w.threadName());
            assertNotNull(fakeDevice.errTrigger);
            assertNotNull(fakeDevice.reqTrigger);
            assertTrue(fakeDevice.triggers.isEmpty(), "ERR/REQ are not MSI-X vectors");
        }
        assertNull(fakeDevice.errTrigger, "closing the handle unbinds ERR");
        assertNull(fakeDevice.reqTrigger, "and REQ");
    }

    @Test
    void aRequestFromTheHostReachesTheListenerAsRequest() throws Exception {
        try (DeviceNotifications w = dev.watch(received::add)) {
            assertTrue(kernel.requestRelease(fakeDevice));
            DeviceNotification n = next();
            assertEquals(new DeviceNotification(VF0, DeviceNotification.Kind.REQUEST, 1), n);
            assertTrue(w.isOpen());
        }
    }

    @Test
    void anAerErrorReachesTheListenerAsError() throws Exception {
        try (DeviceNotifications w = dev.watch(received::add)) {
            assertTrue(kernel.reportError(fakeDevice));
            assertEquals(new DeviceNotification(VF0, DeviceNotification.Kind.ERROR, 1), next());
        }
    }

    @Test
    void aLoopbackTriggerOfErrAndReqIsDeliveredToo() throws Exception {
        try (DeviceNotifications w = dev.watch(received::add)) {
            dev.triggerInterrupt(IrqInfo.REQ, 0);
            assertEquals(DeviceNotification.Kind.REQUEST, next().kind());
            dev.triggerInterrupt(IrqInfo.ERR, 0);
            assertEquals(DeviceNotification.Kind.ERROR, next().kind());
        }
    }

    @Test
    void signalsThatArriveWhileTheListenerRunsAreCoalescedIntoOneNotificationWithTheirCount() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (DeviceNotifications w = dev.watch(n -> {
            received.add(n);
            inListener.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            kernel.requestRelease(fakeDevice);
            assertTrue(inListener.await(5, TimeUnit.SECONDS));
            kernel.requestRelease(fakeDevice); // the kernel repeats the request (every 10 s on the real one)
            kernel.requestRelease(fakeDevice);
            release.countDown();
            assertEquals(1, next().count());
            assertEquals(2, next().count());
        }
    }

    @Test
    void aDeviceWithoutErrIsWatchedForRequestsOnly() throws Exception {
        fakeDevice.irqCounts[IrqInfo.ERR] = 0; // not PCI Express: the kernel has no ERR index
        VfioException e = assertThrows(VfioException.class, () -> dev.irq(IrqInfo.ERR));
        assertEquals(Errno.EINVAL, e.errno().orElseThrow(), "GET_IRQ_INFO of ERR is EINVAL on a non-PCIe device");
        try (DeviceNotifications w = dev.watch(received::add)) {
            assertEquals(Set.of(DeviceNotification.Kind.REQUEST), w.enabled());
            assertTrue(w.unavailable().get(DeviceNotification.Kind.ERROR).contains("PCI Express"),
                    w.unavailable().toString());
            assertNull(fakeDevice.errTrigger);
            assertFalse(kernel.reportError(fakeDevice));
            assertTrue(kernel.requestRelease(fakeDevice));
            assertEquals(DeviceNotification.Kind.REQUEST, next().kind());
        }
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("SET_IRQS index 3")), calls.toString());
    }

    @Test
    void anIndexWithCountZeroIsSkippedWithItsReason() {
        fakeDevice.irqCounts[IrqInfo.REQ] = 0;
        try (DeviceNotifications w = dev.watch(received::add)) {
            assertEquals(Set.of(DeviceNotification.Kind.ERROR), w.enabled());
            assertEquals("the device reports 0 REQ vector(s)", w.unavailable().get(DeviceNotification.Kind.REQUEST));
        }
    }

    @Test
    void closeUnbindsTheTriggersThenStopsTheWatcherThenClosesTheEventfdsInThatOrder() {
        DeviceNotifications w = dev.watch(received::add);
        int err = fakeDevice.errTrigger;
        int req = fakeDevice.reqTrigger;
        int before = kernel.openFds();
        calls.clear();
        w.close();
        assertFalse(w.isOpen());
        assertTrue(w.awaitStopped(0), "close() returns after the watcher ended");
        assertEquals(before - 3, kernel.openFds(), "ERR, REQ and wake eventfds closed");
        assertEquals("SET_IRQS index 3 none count 0", calls.get(0), calls + " err " + err + " req " + req);
        assertEquals("SET_IRQS index 4 none count 0", calls.get(1));
        assertEquals("close " + err, calls.get(2));
        assertEquals("close " + req, calls.get(3));
        assertTrue(calls.get(4).startsWith("close "), "then the wake eventfd: " + calls);
        assertEquals(5, calls.size(), calls.toString());
        w.close(); // idempotent
        assertEquals(5, calls.size());
    }

    @Test
    void closingTheDeviceStopsWatchingBeforeTheDescriptorIsClosed() {
        DeviceNotifications w = dev.watch(received::add);
        int deviceFd = dev.fd().fd();
        calls.clear();
        dev.close();
        assertFalse(w.isOpen());
        assertTrue(w.awaitStopped(0));
        assertEquals("SET_IRQS index 3 none count 0", calls.get(0), calls + " device fd " + deviceFd);
        assertEquals("SET_IRQS index 4 none count 0", calls.get(1));
        assertEquals("close " + deviceFd, calls.get(calls.size() - 1), "the device descriptor last: " + calls);
        assertTrue(domain.devices().isEmpty());
    }

    @Test
    void theListenerMayCloseTheDeviceOnRequest() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        DeviceNotifications w = dev.watch(n -> {
            try {
                dev.close();
                received.add(n);
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                closed.countDown();
            }
        });
        int before = kernel.openFds();
        kernel.requestRelease(fakeDevice);
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertNull(failure.get());
        assertEquals(DeviceNotification.Kind.REQUEST, next().kind());
        assertFalse(dev.isOpen());
        assertFalse(w.isOpen());
        assertTrue(w.awaitStopped(5000), "the watcher ends once the listener returns");
        assertEquals(before - 4, kernel.openFds(), "device descriptor and the three eventfds closed");
        assertEquals(0, kernel.group(6).openDevices);
        dev.close(); // again, from the test thread: nothing left to do
    }

    @Test
    void afterTheHostTookTheReleasedDeviceBackTheDomainStillClosesCleanly() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        DeviceNotifications watch = dev.watch(n -> {
            dev.close();
            closed.countDown();
        });
        kernel.requestRelease(fakeDevice);
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertTrue(watch.awaitStopped(5000), "closed from its listener, the watcher closes its eventfds on its way out");
        kernel.removeGroup(6); // the unbind completes: 6.12 detaches the group from the container itself
        domain.close(); // UNSET_CONTAINER is EINVAL now; the group counts as detached, nothing is left open
        assertEquals(0, kernel.openFds());
        assertTrue(domain.groups().isEmpty());
    }

    @Test
    void theListenerMayCloseItsOwnHandle() throws Exception {
        AtomicReference<DeviceNotifications> handle = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        handle.set(dev.watch(n -> {
            handle.get().close();
            done.countDown();
        }));
        kernel.reportError(fakeDevice);
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertTrue(handle.get().awaitStopped(5000));
        assertNull(fakeDevice.errTrigger);
        assertTrue(dev.isOpen(), "only the watch ended");
        try (DeviceNotifications again = dev.watch(received::add)) {
            assertTrue(again.isOpen(), "a new watch is possible once the first handle is closed");
        }
    }

    @Test
    void noNotificationIsDeliveredAfterClose() throws Exception {
        DeviceNotifications w = dev.watch(received::add);
        w.close();
        assertFalse(kernel.requestRelease(fakeDevice), "REQ is unbound");
        dev.triggerInterrupt(IrqInfo.MSIX, 0);
        assertNull(received.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheWatcher() throws Exception {
        try (DeviceNotifications w = dev.watch(n -> {
            received.add(n);
            throw new IllegalStateException("listener bug");
        })) {
            kernel.requestRelease(fakeDevice);
            next();
            kernel.reportError(fakeDevice);
            assertEquals(DeviceNotification.Kind.ERROR, next().kind());
        }
    }

    @Test
    void aSecondWatchWhileTheFirstIsOpenIsRefused() {
        try (DeviceNotifications w = dev.watch(received::add)) {
            assertThrows(IllegalStateException.class, () -> dev.watch(received::add));
        }
    }

    @Test
    void watchingAClosedDeviceIsRefused() {
        dev.close();
        assertThrows(IllegalStateException.class, () -> dev.watch(received::add));
    }

    @Test
    void msixVectorsAndTheNotificationEventfdsDoNotDisturbEachOther() throws Exception {
        EventFd vector0 = vfio.newEventFd();
        dev.enableInterrupts(IrqInfo.MSIX, List.of(vector0));
        try (DeviceNotifications w = dev.watch(received::add)) {
            dev.triggerInterrupt(IrqInfo.MSIX, 0);
            assertEquals(1, vector0.read(), "binding REQ did not replace MSI-X vector 0");
            assertNull(received.poll(100, TimeUnit.MILLISECONDS));
        }
        dev.triggerInterrupt(IrqInfo.MSIX, 0);
        assertEquals(1, vector0.read(), "unbinding REQ left MSI-X alone");
        dev.disableInterrupts(IrqInfo.MSIX);
        vector0.close();
    }

    @Test
    void theKernelsErrAndReqRulesHold() {
        EventFd e = vfio.newEventFd();
        int efd = e.fd();
        DeviceFd fd = dev.fd();
        // nothing bound yet: DATA_NONE count 0 (unbind) is EINVAL, as vfio_pci_set_ctx_trigger_single
        kernelError(Errno.EINVAL, () -> fd.setIrqs("unbind", VfioAbi.IRQ_SET_DATA_NONE
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 0, null, null));
        // one vector only
        kernelError(Errno.EINVAL, () -> fd.setIrqs("two", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 2, new int[] {efd, efd}, null));
        kernelError(Errno.EINVAL, () -> fd.setIrqs("start 1", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.ERR, 1, 1, new int[] {efd}, null));
        // DATA_EVENTFD with count 0
        kernelError(Errno.EINVAL, () -> fd.setIrqs("count 0", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 0, new int[0], null));
        // only TRIGGER: MASK and UNMASK are ENOTTY
        kernelError(Errno.ENOTTY, () -> fd.setIrqs("mask", VfioAbi.IRQ_SET_DATA_NONE
                | VfioAbi.IRQ_SET_ACTION_MASK, IrqInfo.ERR, 0, 1, null, null));
        kernelError(Errno.ENOTTY, () -> fd.setIrqs("unmask", VfioAbi.IRQ_SET_DATA_NONE
                | VfioAbi.IRQ_SET_ACTION_UNMASK, IrqInfo.REQ, 0, 1, null, null));
        // a descriptor that is not an eventfd, an unknown one
        kernelError(Errno.EINVAL, () -> fd.setIrqs("not eventfd", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 1, new int[] {fd.fd()}, null));
        kernelError(Errno.EBADF, () -> fd.setIrqs("bad fd", VfioAbi.IRQ_SET_DATA_EVENTFD
                | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 1, new int[] {999}, null));
        // bind, DATA_BOOL loopback, unbind with eventfd -1
        fd.setIrqs("bind", VfioAbi.IRQ_SET_DATA_EVENTFD | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 1,
                new int[] {efd}, null);
        fd.setIrqs("bool", VfioAbi.IRQ_SET_DATA_BOOL | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 1, null,
                new boolean[] {true});
        assertEquals(1, e.read());
        fd.setIrqs("unbind -1", VfioAbi.IRQ_SET_DATA_EVENTFD | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.REQ, 0, 1,
                new int[] {-1}, null);
        assertNull(fakeDevice.reqTrigger);
        // closing the device unbinds what is still bound
        fd.setIrqs("bind err", VfioAbi.IRQ_SET_DATA_EVENTFD | VfioAbi.IRQ_SET_ACTION_TRIGGER, IrqInfo.ERR, 0, 1,
                new int[] {efd}, null);
        dev.close();
        assertNull(fakeDevice.errTrigger);
        e.close();
    }

    private static void kernelError(Errno errno, Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        assertEquals(errno, e.errno().orElseThrow(), e.getMessage());
        assertFalse(e.rejectedBeforeKernel());
    }

    @Test
    void notificationsAreImmutableValuesWithACountOfAtLeastOne() {
        DeviceNotification n = new DeviceNotification(VF0, DeviceNotification.Kind.ERROR, 3);
        assertEquals(new DeviceNotification(VF0, DeviceNotification.Kind.ERROR, 3), n);
        assertThrows(IllegalArgumentException.class,
                () -> new DeviceNotification(VF0, DeviceNotification.Kind.ERROR, 0));
    }
}
