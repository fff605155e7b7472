package org.sriov4j.vfio;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Lease;
import org.sriov4j.SriovException;
import org.sriov4j.UnplugOutcome;

/**
 * Gives a leased device back when the kernel asks for it: a VMM's answer to the VFIO REQ interrupt, with one call.
 * When something on the host unbinds the function from vfio-pci (an operator's {@code unbind}, {@code sriov_numvfs}
 * 0, a driver unload), the kernel signals REQ and blocks that unbind until every descriptor of the device is
 * closed. On {@link DeviceNotification.Kind#REQUEST} this handler, on a thread of its own
 * ({@code sriov4j-request-DDDD:BB:DD.F}):
 *
 * <ol>
 *   <li>unplugs the function from its guest through the {@link org.sriov4j.GuestHook}s and the VMM's
 *       {@link org.sriov4j.GuestPlugActuator} ({@link Lease#detachFromGuest(Duration, Runnable)}: hooks' prepare in
 *       reverse order, the actuator asks the guest to eject it, commit), bounded by the grace period;</li>
 *   <li>if the guest has not ejected it by then (or the unplug failed): the documented fallback, a <b>surprise
 *       removal</b>: the device is closed under the guest, reported as a
 *       {@link org.sriov4j.HotplugPhase#SURPRISE_REMOVAL} event and a warning in the log;</li>
 *   <li>closes the {@link AssignedDevice} (its last descriptor: the kernel's unbind completes);</li>
 *   <li>ends the lease ({@link Lease#close()}: a managed function goes back to its original host driver).</li>
 * </ol>
 *
 * <p>It also registers itself with {@link Lease#onDeviceRequest(Runnable)}, so that sriov4j's own release of the
 * function, when {@link org.sriov4j.SriovConfig#holderWait()} lets it wait, closes the device first instead of
 * refusing.
 *
 * <pre>{@code
 * Lease lease = host.lease(vf, "vm-42");
 * AssignedDevice nic = domain.openDevice(lease);
 * lease.attachToGuest("vm-42");                                  // QMP device_add through the plug actuator
 * try (DeviceRequests requests = DeviceRequests.handle(nic, lease, Duration.ofSeconds(10))) {
 *     ... // the guest runs; an operator's unbind of the VF now unplugs it cleanly instead of hanging
 * }
 * }</pre>
 *
 * <p>ERROR notifications go to the optional listener given to {@link #handle(AssignedDevice, Lease, Duration,
 * Consumer)}. Closing this handle stops watching (the device and lease stay as they are).
 */
public final class DeviceRequests implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeviceRequests.class.getName());

    private final AssignedDevice device;
    private final Lease lease;
    private final Duration grace;
    private final Consumer<DeviceNotification> others;
    private final CountDownLatch handled = new CountDownLatch(1);
    private @Nullable DeviceNotifications notifications;
    private @Nullable AutoCloseable registration;
    private volatile @Nullable UnplugOutcome outcome;
    private volatile @Nullable RuntimeException failure;
    private boolean started;

    private DeviceRequests(AssignedDevice device, Lease lease, Duration grace, Consumer<DeviceNotification> others) {
        this.device = device;
        this.lease = lease;
        this.grace = grace;
        this.others = others;
    }

    /**
     * Starts handling the kernel's requests for {@code device}.
     *
     * @param device the open device of the leased function (it must not be watched already)
     * @param lease its lease
     * @param grace how long the guest may take to eject it before the surprise removal
     * @return the running handler
     * @throws IllegalArgumentException if the device is not the leased function, or {@code grace} is not positive
     * @throws IllegalStateException if the device is closed or already watched
     * @throws VfioException if the kernel refuses to bind the REQ eventfd
     */
    public static DeviceRequests handle(AssignedDevice device, Lease lease, Duration grace) {
        return handle(device, lease, grace, n -> { });
    }

    /**
     * As {@link #handle(AssignedDevice, Lease, Duration)}, with a listener for the device's other notifications
     * (ERROR), called on the watcher thread.
     *
     * @param device the open device of the leased function
     * @param lease its lease
     * @param grace how long the guest may take to eject it
     * @param others called with every notification that is not a REQUEST
     * @return the running handler
     */
    public static DeviceRequests handle(AssignedDevice device, Lease lease, Duration grace,
            Consumer<DeviceNotification> others) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(others, "others");
        if (!device.address().equals(lease.device())) {
            throw new IllegalArgumentException("device " + device.address() + " is not the leased " + lease.device());
        }
        if (grace.isZero() || grace.isNegative()) {
            throw new IllegalArgumentException("grace period must be positive: " + grace);
        }
        DeviceRequests r = new DeviceRequests(device, lease, grace, others);
        r.notifications = device.watch(r::notified);
        r.registration = lease.onDeviceRequest(r::closeDevice);
        return r;
    }

    private void notified(DeviceNotification n) {
        if (n.kind() != DeviceNotification.Kind.REQUEST) {
            others.accept(n);
            return;
        }
        synchronized (this) {
            if (started) {
                return; // the kernel repeats the request until the device is closed
            }
            started = true;
        }
        Thread t = new Thread(this::giveBack, "sriov4j-request-" + device.address());
        t.setDaemon(true);
        t.start();
    }

    private void giveBack() {
        try {
            UnplugOutcome o = lease.isHeld() ? lease.detachFromGuest(grace, this::closeDevice)
                    : UnplugOutcome.NOT_ATTACHED;
            outcome = o;
            LOG.log(System.Logger.Level.INFO, "{0}: the host asked for the device back; guest unplug: {1}",
                    device.address(), o);
            closeDevice();
            lease.close();
        } catch (RuntimeException e) {
            failure = e;
            LOG.log(System.Logger.Level.WARNING, "giving " + device.address() + " back on the kernel's request failed",
                    e);
            closeDevice(); // whatever else failed, the kernel's unbind must not wait for us
        } finally {
            handled.countDown();
        }
    }

    private void closeDevice() {
        try {
            device.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + device.address() + " failed", e);
        }
    }

    /**
     * Waits until a request has been handled (the device closed and the lease ended).
     *
     * @param timeout at most this long
     * @return true when it has been handled
     */
    public boolean awaitHandled(Duration timeout) {
        try {
            return handled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * How the guest gave the function up, once a request has been handled.
     *
     * @return the outcome, or empty before (or when handling failed: see {@link #failure()})
     */
    public Optional<UnplugOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    /**
     * What went wrong while handling a request (the device was closed all the same).
     *
     * @return the failure, or empty
     */
    public Optional<SriovException> failure() {
        RuntimeException f = failure;
        if (f == null) {
            return Optional.empty();
        }
        return Optional.of(f instanceof SriovException s ? s
                : new SriovException("give back on request", device.address(), null, null, f.toString(), f));
    }

    /** Stops watching; the device and the lease stay as they are. Idempotent. */
    @Override
    public void close() {
        DeviceNotifications n;
        AutoCloseable reg;
        synchronized (this) {
            n = notifications;
            reg = registration;
            notifications = null;
            registration = null;
        }
        try {
            if (reg != null) {
                reg.close();
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "unregistering the device request handler failed", e);
        }
        if (n != null) {
            n.close();
        }
    }
}
