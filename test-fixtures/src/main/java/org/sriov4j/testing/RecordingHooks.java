package org.sriov4j.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sriov4j.GuestHook;
import org.sriov4j.GuestPlugActuator;
import org.sriov4j.HookVerdict;
import org.sriov4j.HotplugContext;
import org.sriov4j.PciAddress;

/**
 * Guest hooks and a plug actuator that write what they are asked into one list, in the order asked, for tests of
 * hot-plug wiring (a VMM's, or the library's on a simulated or a real host):
 *
 * <pre>{@code
 * RecordingHooks rec = new RecordingHooks();
 * SriovHost host = kernel.openHost(c -> c.plugActuator(rec.actuator()).hook(rec.hook("net", 1))
 *         .loadGuestHooks(false));
 * ...
 * lease.attachToGuest("vm-1");
 * assertEquals(List.of("net.prepare PLUG", "device_add vm-1", "net.commit PLUG"), rec.calls());
 * }</pre>
 *
 * <p>A hook named {@code N} writes {@code "N.prepare OP"}, {@code "N.commit OP"} and {@code "N.abort OP"} (OP the
 * {@link org.sriov4j.HotplugOperation}) and always proceeds. The actuator writes {@code "device_add GUEST"} and
 * {@code "device_del GUEST"}; after {@link #guestNeverEjects(boolean) guestNeverEjects(true)} its unplug blocks until
 * the library interrupts it (or {@code neverEjectsFor} passes), as with a guest that never acknowledges a removal.
 * Thread-safe: the library may call hooks from its own threads.
 */
public final class RecordingHooks {

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Duration neverEjectsFor;
    private volatile boolean guestNeverEjects;

    /** Hooks whose "never ejecting" guest blocks an unplug for at most two minutes. */
    public RecordingHooks() {
        this(Duration.ofMinutes(2));
    }

    /**
     * Hooks whose "never ejecting" guest blocks an unplug for at most {@code neverEjectsFor}.
     *
     * @param neverEjectsFor how long an unplug blocks after {@code guestNeverEjects(true)}; positive
     * @throws IllegalArgumentException if it is zero or negative
     */
    public RecordingHooks(Duration neverEjectsFor) {
        if (neverEjectsFor.isNegative() || neverEjectsFor.isZero()) {
            throw new IllegalArgumentException("neverEjectsFor must be positive: " + neverEjectsFor);
        }
        this.neverEjectsFor = neverEjectsFor;
    }

    /**
     * A hook that records its calls and always proceeds.
     *
     * @param name the hook's name, the first word of what it records
     * @param order its {@link GuestHook#order()}: lower runs first on plug, last on unplug
     * @return the hook
     */
    public GuestHook hook(String name, int order) {
        return new GuestHook() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public HookVerdict prepare(HotplugContext c) {
                calls.add(name + ".prepare " + c.operation());
                return HookVerdict.proceed();
            }

            @Override
            public void commit(HotplugContext c) {
                calls.add(name + ".commit " + c.operation());
            }

            @Override
            public void abort(HotplugContext c) {
                calls.add(name + ".abort " + c.operation());
            }
        };
    }

    /**
     * The plug actuator (the VMM's {@code device_add}/{@code device_del}) that records its calls.
     *
     * @return the actuator; the same object each time is not promised
     */
    public GuestPlugActuator actuator() {
        return new GuestPlugActuator() {
            @Override
            public void plug(PciAddress device, String guest) {
                calls.add("device_add " + guest);
            }

            @Override
            public void unplug(PciAddress device, String guest, Duration limit) {
                calls.add("device_del " + guest);
                if (guestNeverEjects) {
                    try {
                        Thread.sleep(neverEjectsFor.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("no DEVICE_DELETED from " + guest + " within " + limit, e);
                    }
                }
            }
        };
    }

    /**
     * Makes the guest ignore (or, with {@code false}, again acknowledge) removal requests: the actuator's unplug blocks.
     *
     * @param neverEjects whether unplug blocks
     */
    public void guestNeverEjects(boolean neverEjects) {
        this.guestNeverEjects = neverEjects;
    }

    /**
     * What was recorded so far, oldest first.
     *
     * @return a copy
     */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** Forgets what was recorded. */
    public void clear() {
        calls.clear();
    }
}
