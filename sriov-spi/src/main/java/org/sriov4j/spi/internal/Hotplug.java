package org.sriov4j.spi.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.GuestHook;
import org.sriov4j.GuestPlugActuator;
import org.sriov4j.HookVerdict;
import org.sriov4j.HotplugContext;
import org.sriov4j.HotplugException;
import org.sriov4j.HotplugOperation;
import org.sriov4j.HotplugPhase;
import org.sriov4j.PciAddress;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.UnplugOutcome;
import org.sriov4j.spi.AssignmentSteps;
import org.sriov4j.spi.Rollback;

/**
 * Plugs functions into running guests and unplugs them, with the {@link GuestHook}s around the backend's action
 * (two-phase, with veto, abort in reverse order; see {@link GuestHook}). The action is the backend's own
 * {@link AssignmentSteps} (Xen: {@code xl pci-attach}/{@code pci-detach}) or, for a backend without them (kvm-vfio),
 * the VMM's {@link GuestPlugActuator}. Every hook call and actuator call runs on a daemon thread of its own, waited
 * for at most its time limit; one that overruns is interrupted and abandoned.
 */
final class Hotplug {

    private static final System.Logger LOG = System.getLogger(Hotplug.class.getName());

    private final List<GuestHook> hooks;
    private final Supplier<Optional<AssignmentSteps>> steps;
    private final Optional<GuestPlugActuator> actuator;
    private final Duration actuatorLimit;
    private final Supplier<String> backendId;
    private final Events events;

    Hotplug(SriovConfig config, Supplier<Optional<AssignmentSteps>> steps, Supplier<String> backendId,
            Events events) {
        this(ordered(config.hooks(), config.loadGuestHooks() ? loaded() : List.of()), steps, config.plugActuator(),
                config.plugTimeLimit(), backendId, events);
    }

    Hotplug(List<GuestHook> hooks, Supplier<Optional<AssignmentSteps>> steps, Optional<GuestPlugActuator> actuator,
            Duration actuatorLimit, Supplier<String> backendId, Events events) {
        this.hooks = List.copyOf(hooks);
        this.steps = steps;
        this.actuator = actuator;
        this.actuatorLimit = actuatorLimit;
        this.backendId = backendId;
        this.events = events;
    }

    /** The hooks in plug order: by {@link GuestHook#order()}, registered before loaded, then by name. */
    static List<GuestHook> ordered(List<GuestHook> registered, List<GuestHook> loaded) {
        List<GuestHook> sortedLoaded = new ArrayList<>(loaded);
        sortedLoaded.sort(Comparator.comparing(GuestHook::name));
        List<GuestHook> all = new ArrayList<>(registered);
        all.addAll(sortedLoaded);
        all.sort(Comparator.comparingInt(GuestHook::order)); // stable: registration order, then loaded by name
        return List.copyOf(all);
    }

    private static List<GuestHook> loaded() {
        List<GuestHook> out = new ArrayList<>();
        ServiceLoader.load(GuestHook.class, Hotplug.class.getClassLoader()).forEach(out::add);
        return out;
    }

    /** The hooks, in plug order. */
    List<GuestHook> hooks() {
        return hooks;
    }

    /** Whether this host can plug functions into guests: the backend's own steps, or a VMM's actuator. */
    boolean canPlug() {
        return steps.get().isPresent() || actuator.isPresent();
    }

    /** What is missing when {@link #canPlug()} is false. */
    String missing() {
        return "backend " + backendId.get() + " does not attach devices to guests itself: give the VMM's plug actuator"
                + " (e.g. its QMP device_add/device_del) with SriovConfig.builder().plugActuator(...)";
    }

    /** Whether a guest exists, as the backend or the actuator can tell (true when neither can). */
    boolean guestExists(String guest) {
        Optional<AssignmentSteps> s = steps.get();
        if (s.isPresent()) {
            return s.get().guestExists(guest);
        }
        return actuator.map(a -> a.guestExists(guest)).orElse(true);
    }

    /**
     * Plugs {@code f} into {@code guest}: prepare (in order), the action, commit (in order).
     *
     * @throws HotplugException if a hook vetoed, threw or overran
     * @throws SriovException if the action failed (the backend's exception); the hooks prepared were aborted
     */
    void plug(PciAddress f, String guest) {
        run(new HotplugContext(HotplugOperation.PLUG, f, guest, backendId.get(), false));
    }

    /**
     * Unplugs {@code f} from {@code guest}: prepare (reverse order), the action, commit (reverse order). Forced (in
     * recovery): vetoes and hook failures are logged and ignored; only the action's failure counts.
     */
    void unplug(PciAddress f, String guest, boolean forced) {
        run(new HotplugContext(HotplugOperation.UNPLUG, f, guest, backendId.get(), forced));
    }

    private void run(HotplugContext c) {
        List<GuestHook> order = c.operation() == HotplugOperation.PLUG ? hooks : reversed(hooks);
        List<GuestHook> prepared = new ArrayList<>();
        for (GuestHook h : order) {
            HookVerdict v;
            try {
                v = call(h, HotplugPhase.PREPARE, c, () -> h.prepare(c));
            } catch (HotplugException e) {
                if (c.forced()) {
                    LOG.log(System.Logger.Level.WARNING, "forced {0}: {1}", c.operation(), e.getMessage());
                    continue;
                }
                throw abortAll(c, prepared, e);
            }
            if (v.vetoed()) {
                emit(c, HotplugPhase.VETO, h.name(), v.reason());
                if (c.forced()) {
                    LOG.log(System.Logger.Level.WARNING, "forced {0} of {1}: the veto of hook {2} is ignored ({3})",
                            c.operation(), c.device(), h.name(), v.reason());
                    continue;
                }
                throw abortAll(c, prepared, new HotplugException(c.operation(), c.device(),
                        HotplugException.Kind.VETOED, h.name(), HotplugPhase.PREPARE, v.reason(), null));
            }
            prepared.add(h);
            emit(c, HotplugPhase.PREPARE, h.name(), "");
        }
        try {
            action(c.operation(), c.device(), c.guest(), actuatorLimit);
        } catch (RuntimeException e) {
            throw abortAll(c, prepared, e);
        }
        emit(c, HotplugPhase.ACTION, null, actionName(c.operation()));
        for (GuestHook h : prepared) {
            try {
                commit(h, c);
            } catch (HotplugException e) {
                if (c.forced()) {
                    LOG.log(System.Logger.Level.WARNING, "forced {0}: {1}", c.operation(), e.getMessage());
                    continue;
                }
                RollbackOutcome undo = undoAction(c);
                throw abortAll(c, prepared, new HotplugException(c.operation(), c.device(), e.kind(), e.hook(),
                        HotplugPhase.COMMIT, e.reason() + "; " + undo.describe(), e.getCause(), undo));
            }
        }
    }

    /** Runs one hook's commit and reports it. */
    private void commit(GuestHook h, HotplugContext c) {
        call(h, HotplugPhase.COMMIT, c, () -> {
            h.commit(c);
            return null;
        });
        emit(c, HotplugPhase.COMMIT, h.name(), "");
    }

    /** Undoes the action after a failed commit, through the engine's one rollback mechanism. */
    private RollbackOutcome undoAction(HotplugContext c) {
        HotplugOperation reverse = c.operation() == HotplugOperation.PLUG ? HotplugOperation.UNPLUG
                : HotplugOperation.PLUG;
        Rollback rb = new Rollback(c.operation().name(), c.device());
        rb.done("undone with " + actionName(reverse), () -> {
            action(reverse, c.device(), c.guest(), actuatorLimit);
            emit(c, HotplugPhase.ABORT, null, actionName(reverse) + " (undo)");
        });
        return rb.undoAll();
    }

    /**
     * Unplugs {@code f} because the host wants it back, within {@code grace}; on failure or overrun runs the fallback
     * (surprise removal).
     */
    UnplugOutcome requested(PciAddress f, String guest, Duration grace, Runnable surpriseRemoval) {
        HotplugContext c = new HotplugContext(HotplugOperation.UNPLUG, f, guest, backendId.get(), true);
        long deadline = System.nanoTime() + grace.toNanos();
        List<GuestHook> prepared = new ArrayList<>();
        for (GuestHook h : reversed(hooks)) {
            try {
                HookVerdict v = call(h, HotplugPhase.PREPARE, c, () -> h.prepare(c));
                if (v.vetoed()) {
                    emit(c, HotplugPhase.VETO, h.name(), v.reason() + " (ignored: the host takes the device back)");
                    LOG.log(System.Logger.Level.WARNING, "{0}: the veto of hook {1} is ignored, the host takes the "
                            + "device back ({2})", f, h.name(), v.reason());
                    continue;
                }
                prepared.add(h);
                emit(c, HotplugPhase.PREPARE, h.name(), "");
            } catch (HotplugException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}: {1} (ignored: the host takes the device back)", f,
                        e.getMessage());
            }
        }
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        RuntimeException failure = null;
        if (canPlug()) {
            try {
                action(HotplugOperation.UNPLUG, f, guest, left);
            } catch (RuntimeException e) {
                failure = e;
            }
        } else {
            failure = new SriovException("detach from guest", f, Errno.EOPNOTSUPP, null, missing(), null);
        }
        if (failure == null) {
            emit(c, HotplugPhase.ACTION, null, actionName(HotplugOperation.UNPLUG));
            for (GuestHook h : prepared) {
                try {
                    commit(h, c);
                } catch (HotplugException e) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: {1} (ignored: the device is out of the guest)", f,
                            e.getMessage());
                }
            }
            return UnplugOutcome.EJECTED;
        }
        String why = failure.getMessage();
        LOG.log(System.Logger.Level.WARNING, "{0}: guest {1} did not give the device up within {2} ms ({3}): surprise"
                + " removal, its VFIO device is closed under it", f, guest, grace.toMillis(), why);
        try {
            surpriseRemoval.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "surprise removal of " + f + " failed", e);
        }
        emit(c, HotplugPhase.SURPRISE_REMOVAL, null, "the guest did not eject it within " + grace.toMillis()
                + " ms: " + why);
        abortAll(c, prepared, failure);
        return UnplugOutcome.SURPRISE_REMOVAL;
    }

    /** Aborts the prepared hooks in reverse order; returns {@code cause} with abort failures suppressed. */
    private RuntimeException abortAll(HotplugContext c, List<GuestHook> prepared, RuntimeException cause) {
        for (GuestHook h : reversed(prepared)) {
            try {
                call(h, HotplugPhase.ABORT, c, () -> {
                    h.abort(c);
                    return null;
                });
                emit(c, HotplugPhase.ABORT, h.name(), "");
            } catch (HotplugException e) {
                LOG.log(System.Logger.Level.WARNING, e.getMessage());
                cause.addSuppressed(e);
            }
        }
        return cause;
    }

    private void action(HotplugOperation op, PciAddress f, String guest, Duration limit) {
        Optional<AssignmentSteps> s = steps.get();
        if (s.isPresent()) {
            if (op == HotplugOperation.PLUG) {
                s.get().attachToGuest(f, guest);
            } else {
                s.get().detachFromGuest(f, guest);
            }
            return;
        }
        GuestPlugActuator a = actuator.orElseThrow(() -> new SriovException(
                op == HotplugOperation.PLUG ? Lifecycle.ATTACH : Lifecycle.DETACH_GUEST, f, Errno.EOPNOTSUPP, null,
                missing(), null));
        String what = op == HotplugOperation.PLUG ? "plug" : "unplug";
        try {
            bounded("sriov4j-actuator-" + f, limit, () -> {
                if (op == HotplugOperation.PLUG) {
                    a.plug(f, guest);
                } else {
                    a.unplug(f, guest, limit);
                }
                return null;
            });
        } catch (TimeoutException e) {
            throw new SriovException(op == HotplugOperation.PLUG ? Lifecycle.ATTACH : Lifecycle.DETACH_GUEST, f,
                    Errno.ETIMEDOUT, null, "the plug actuator's " + what + " did not return within " + limit.toMillis()
                    + " ms (its thread was interrupted and abandoned)", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SriovException se) {
                throw se;
            }
            throw new SriovException(op == HotplugOperation.PLUG ? Lifecycle.ATTACH : Lifecycle.DETACH_GUEST, f,
                    Errno.EIO, null, "the plug actuator's " + what + " failed: " + cause, cause);
        }
    }

    private String actionName(HotplugOperation op) {
        if (steps.get().isPresent()) {
            return op == HotplugOperation.PLUG ? "backend attach (xl pci-attach)" : "backend detach (xl pci-detach)";
        }
        return op == HotplugOperation.PLUG ? "actuator plug" : "actuator unplug";
    }

    /** Calls a hook on a thread of its own, bounded by its time limit; any failure is a {@link HotplugException}. */
    private static <T> T call(GuestHook h, HotplugPhase phase, HotplugContext c, Callable<T> body) {
        Duration limit = h.timeLimit();
        try {
            return bounded("sriov4j-hook-" + h.name(), limit, body);
        } catch (TimeoutException e) {
            throw new HotplugException(c.operation(), c.device(), HotplugException.Kind.HOOK_TIMED_OUT, h.name(),
                    phase, "did not return within " + limit.toMillis() + " ms (its thread was interrupted and "
                    + "abandoned)", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new HotplugException(c.operation(), c.device(), HotplugException.Kind.HOOK_FAILED, h.name(), phase,
                    String.valueOf(cause), cause);
        }
    }

    /**
     * Runs {@code body} on a new daemon thread and waits at most {@code limit}; on overrun the thread is interrupted
     * and left to end on its own.
     */
    static <T> T bounded(String threadName, Duration limit, Callable<T> body)
            throws TimeoutException, ExecutionException {
        FutureTask<T> task = new FutureTask<>(body);
        Thread t = new Thread(task, threadName);
        t.setDaemon(true);
        t.start();
        try {
            return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new ExecutionException(e);
        }
    }

    private void emit(HotplugContext c, HotplugPhase phase, @Nullable String hook, String detail) {
        events.emit(new SriovEvent.HotplugStep(c.device(), c.guest(), c.operation(), phase,
                Optional.ofNullable(hook), detail));
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> r = new ArrayList<>(list);
        java.util.Collections.reverse(r);
        return r;
    }
}
