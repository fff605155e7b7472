package org.sriov4j.vfio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.sriov4j.Errno;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * The ERR and REQ notifications of an assigned device, watched: returned by
 * {@link AssignedDevice#watch(Consumer)}. While it is open, an eventfd is bound to each index the device has
 * ({@code VFIO_DEVICE_SET_IRQS} {@code DATA_EVENTFD | ACTION_TRIGGER}, one vector) and a daemon thread named
 * {@code sriov4j-notify-DDDD:BB:DD.F} polls them and calls the listener with a {@link DeviceNotification} each time the
 * kernel signals one.
 *
 * <p>The kernel offers REQ on every vfio-pci device and ERR only on PCI Express devices; an index the device does not
 * have is skipped: {@link #enabled()} says which are watched, {@link #unavailable()} why the others are not.
 *
 * <p>The listener runs on the watcher thread, one notification at a time, ERROR before REQUEST when both are pending.
 * It may close this handle, the device or its domain (the usual answer to {@link DeviceNotification.Kind#REQUEST});
 * an exception it throws is logged and watching goes on.
 *
 * <p>{@link #close()} (also called by {@link AssignedDevice#close()}) works in this order: it unbinds the eventfds
 * from the device ({@code DATA_NONE | ACTION_TRIGGER}, count 0; skipped when the device is already closed, which
 * unbinds them in the kernel), wakes the watcher through a separate eventfd, waits for the watcher to end (not when
 * called from the listener: the watcher then ends when the listener returns), and closes the eventfds.
 */
public final class DeviceNotifications implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceNotifications.class.getName());
    /** How long {@link #close()} waits for the watcher thread (a listener still running, for example). */
    static final long STOP_TIMEOUT_MILLIS = 5_000;

    private final AssignedDevice device;
    private final LinuxSyscalls sys;
    private final Consumer<DeviceNotification> listener;
    private final List<DeviceNotification.Kind> kinds;
    private final List<Integer> indexes;
    private final List<EventFd> eventfds;
    private final Map<DeviceNotification.Kind, String> unavailable;
    private final EventFd wake;
    private final Thread thread;
    private boolean closed;
    /** Set by {@link #close()} once the eventfds are unbound from the device: the watcher may stop. */
    private boolean released;
    private boolean ended;
    private boolean fdsClosed;

    private DeviceNotifications(AssignedDevice device, LinuxSyscalls sys, Consumer<DeviceNotification> listener,
            List<DeviceNotification.Kind> kinds, List<Integer> indexes, List<EventFd> eventfds,
            Map<DeviceNotification.Kind, String> unavailable, EventFd wake) {
        this.device = device;
        this.sys = sys;
        this.listener = listener;
        this.kinds = List.copyOf(kinds);
        this.indexes = List.copyOf(indexes);
        this.eventfds = List.copyOf(eventfds);
        this.unavailable = Collections.unmodifiableMap(new LinkedHashMap<>(unavailable));
        this.wake = wake;
        this.thread = new Thread(this::watch, "sriov4j-notify-" + device.address());
        this.thread.setDaemon(true);
    }

    /**
     * Binds an eventfd to ERR and to REQ (each when the device has it) and starts the watcher.
     *
     * @param device the device
     * @param fd its descriptor
     * @param listener the listener
     * @return the running handle
     */
    static DeviceNotifications start(AssignedDevice device, DeviceFd fd, Consumer<DeviceNotification> listener) {
        LinuxSyscalls sys = fd.sys();
        List<DeviceNotification.Kind> kinds = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        List<EventFd> eventfds = new ArrayList<>();
        Map<DeviceNotification.Kind, String> unavailable = new LinkedHashMap<>();
        EventFd wake = EventFd.create(sys);
        try {
            for (DeviceNotification.Kind kind : List.of(DeviceNotification.Kind.ERROR,
                    DeviceNotification.Kind.REQUEST)) {
                int index = kind == DeviceNotification.Kind.ERROR ? IrqInfo.ERR : IrqInfo.REQ;
                IrqInfo info;
                try {
                    info = fd.irqInfo(index);
                } catch (VfioException e) {
                    if (e.errnoNumber().orElse(0) != Errno.EINVAL.number()) {
                        throw e;
                    }
                    // vfio-pci: GET_IRQ_INFO of ERR is EINVAL on a device that is not PCI Express
                    unavailable.put(kind, "the kernel has no " + name(index) + " index for the device (EINVAL"
                            + (index == IrqInfo.ERR ? "; ERR exists only on PCI Express devices)" : ")"));
                    continue;
                }
                if (info.count() < 1 || !info.eventfd()) {
                    unavailable.put(kind, "the device reports " + info.count() + " " + name(index) + " vector(s)"
                            + (info.eventfd() ? "" : " without eventfd support"));
                    continue;
                }
                EventFd e = EventFd.create(sys);
                eventfds.add(e);
                fd.setIrqs("watch " + name(index), VfioAbi.IRQ_SET_DATA_EVENTFD | VfioAbi.IRQ_SET_ACTION_TRIGGER, index,
                        0, 1, new int[] {e.fd()}, null);
                kinds.add(kind);
                indexes.add(index);
            }
        } catch (RuntimeException e) {
            for (int index : indexes) {
                try {
                    disable(fd, index);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            eventfds.forEach(EventFd::close);
            wake.close();
            throw e;
        }
        DeviceNotifications n = new DeviceNotifications(device, sys, listener, kinds, indexes, eventfds, unavailable,
                wake);
        n.thread.start();
        return n;
    }

    private static String name(int index) {
        return index == IrqInfo.ERR ? "ERR" : "REQ";
    }

    static void disable(DeviceFd fd, int index) {
        fd.setIrqs("unwatch " + name(index), VfioAbi.IRQ_SET_DATA_NONE | VfioAbi.IRQ_SET_ACTION_TRIGGER, index, 0, 0,
                null, null);
    }

    /**
     * The notifications being watched.
     *
     * @return ERROR and/or REQUEST (empty when the device has neither index)
     */
    public Set<DeviceNotification.Kind> enabled() {
        return kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    /**
     * The notifications the device does not offer, each with the reason.
     *
     * @return kind to reason (empty when both are watched)
     */
    public Map<DeviceNotification.Kind, String> unavailable() {
        return unavailable;
    }

    /**
     * Whether the handle is still open.
     *
     * @return false once {@link #close()} was called
     */
    public synchronized boolean isOpen() {
        return !closed;
    }

    /** The watcher thread's name, e.g. {@code sriov4j-notify-0000:01:10.0}. */
    String threadName() {
        return thread.getName();
    }

    /**
     * Waits for the watcher thread to end.
     *
     * @param millis at most this long
     * @return true when it has ended
     */
    boolean awaitStopped(long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    private void watch() {
        int[] fds = new int[1 + eventfds.size()];
        fds[0] = wake.fd();
        for (int i = 0; i < eventfds.size(); i++) {
            fds[i + 1] = eventfds.get(i).fd();
        }
        short[] revents = new short[fds.length];
        try {
            while (!isReleased()) {
                int n = sys.poll(fds, LinuxSyscalls.POLLIN, revents, -1);
                if (n == -Errno.EINTR.number()) {
                    continue;
                }
                if (n < 0) {
                    LOG.log(System.Logger.Level.WARNING, "notifications of {0}: poll failed (errno {1}); no longer"
                            + " watching", device.address(), -n);
                    return;
                }
                for (int i = 1; i < fds.length; i++) {
                    if ((revents[i] & LinuxSyscalls.POLLIN) != 0) {
                        long count = eventfds.get(i - 1).read();
                        if (count > 0 && isOpen()) {
                            deliver(new DeviceNotification(device.address(), kinds.get(i - 1), count));
                        }
                    } else if (revents[i] != 0) {
                        LOG.log(System.Logger.Level.WARNING, "notifications of {0}: eventfd {1} reports poll events"
                                + " 0x{2}; no longer watching", device.address(), fds[i],
                                Integer.toHexString(revents[i]));
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "notifications of " + device.address() + " stopped", e);
        } finally {
            synchronized (this) {
                ended = true;
            }
            closeFdsIfDone();
        }
    }

    private synchronized boolean isReleased() {
        return released;
    }

    private void deliver(DeviceNotification n) {
        try {
            listener.accept(n);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a notification listener of " + device.address() + " failed on "
                    + n, e);
        }
    }

    /**
     * Closes the eventfds once both the device no longer uses them ({@link #close()} unbound them) and the watcher has
     * ended, whichever comes last.
     */
    private void closeFdsIfDone() {
        synchronized (this) {
            if (!released || !ended || fdsClosed) {
                return;
            }
            fdsClosed = true;
        }
        eventfds.forEach(EventFd::close);
        wake.close();
    }

    /**
     * Stops watching: unbinds the eventfds from the device, stops the watcher thread and closes the eventfds, in
     * that order. Idempotent; may be called from the listener. From another thread it waits for the watcher to end
     * (at most 5 seconds, e.g. while a listener is still running).
     *
     * @throws VfioException when the kernel refuses to unbind an eventfd (the rest is done anyway)
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failure = null;
        try {
            device.unbindNotifications(indexes);
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            released = true;
            if (!ended) {
                wake.signal();
            }
        }
        if (Thread.currentThread() != thread && !awaitStopped(STOP_TIMEOUT_MILLIS)) {
            LOG.log(System.Logger.Level.WARNING, "notifications of {0}: the watcher did not end within {1} ms (a"
                    + " listener still running?); it closes its eventfds when it ends", device.address(),
                    STOP_TIMEOUT_MILLIS);
        }
        closeFdsIfDone();
        device.notificationsClosed(this);
        if (failure != null) {
            throw failure;
        }
    }
}
