package org.sriov4j;

import java.time.Duration;

/**
 * Code that runs around plugging a function into a running guest and unplugging it: a VMM's bookkeeping, a
 * vendor's firmware handshake, a monitoring system's notice. Two-phase, with a veto:
 *
 * <ul>
 *   <li><b>Plug</b>: every hook's {@link #prepare} in {@link #order()} (any may {@linkplain HookVerdict#veto veto});
 *       then the backend's action ({@code xl pci-attach} on Xen, the VMM's {@link GuestPlugActuator} on kvm-vfio);
 *       then every hook's {@link #commit}. If a hook vetoes, throws or overruns its {@link #timeLimit()}, or the
 *       action fails, {@link #abort} runs for the hooks already prepared, in reverse order, and the function is where
 *       it was (not attached; the ledger as before).</li>
 *   <li><b>Unplug</b> mirrors it: prepare in reverse order, the action ({@code xl pci-detach}, the actuator's
 *       unplug), commit in reverse order; a failure aborts the prepared hooks and leaves the function attached.</li>
 * </ul>
 *
 * <p>Register hooks with {@link SriovConfig.Builder#hook(GuestHook)}; a module that ships hooks declares them as
 * {@link java.util.ServiceLoader} providers of this interface ({@code provides org.sriov4j.GuestHook with ...} or
 * {@code META-INF/services/org.sriov4j.GuestHook}) and the engine finds them when the host is opened (unless
 * {@link SriovConfig.Builder#loadGuestHooks(boolean)} turns that off). All hooks run sorted by {@link #order()}, then
 * registered ones before loaded ones, then by {@link #name()}. Every phase is reported as a
 * {@link SriovEvent.HotplugStep}.
 *
 * <p>Each call runs on a thread of its own and is waited for at most {@link #timeLimit()}. A hook that overruns is
 * treated as a failure (the operation is aborted, {@link HotplugException.Kind#HOOK_TIMED_OUT}); its thread is
 * interrupted and abandoned: it is a daemon thread that may go on running until the hook returns, and whatever the
 * hook does or returns after that is ignored. A hook should therefore be quick and idempotent, and {@link #abort}
 * must cope with a prepare that is still running.
 *
 * <pre>{@code
 * final class AuditHook implements GuestHook {
 *     public String name() { return "audit"; }
 *     public HookVerdict prepare(HotplugContext c) {
 *         return maintenance.isOn() ? HookVerdict.veto("maintenance window") : HookVerdict.proceed();
 *     }
 *     public void commit(HotplugContext c) { log.info(c.operation() + " " + c.device() + " " + c.guest()); }
 * }
 * SriovHost host = SriovHost.open(SriovConfig.builder().hook(new AuditHook()).build());
 * }</pre>
 */
public interface GuestHook {

    /** The time limit of each call unless a hook says otherwise. */
    Duration DEFAULT_TIME_LIMIT = Duration.ofSeconds(10);

    /**
     * The hook's name, for errors, events and logs.
     *
     * @return the name; default: the class name
     */
    default String name() {
        return getClass().getName();
    }

    /**
     * Where the hook runs among the others: lower first on plug (last on unplug).
     *
     * @return the order; default 0
     */
    default int order() {
        return 0;
    }

    /**
     * How long each call of this hook may take.
     *
     * @return the limit; default {@link #DEFAULT_TIME_LIMIT}
     */
    default Duration timeLimit() {
        return DEFAULT_TIME_LIMIT;
    }

    /**
     * Called before the backend's action. Returning a veto stops the operation before anything is changed (except in
     * a {@linkplain HotplugContext#forced() forced} unplug, where the veto is logged and ignored). Throwing fails the
     * operation as a veto does.
     *
     * @param context the operation
     * @return {@link HookVerdict#proceed()} or {@link HookVerdict#veto(String)}
     */
    HookVerdict prepare(HotplugContext context);

    /**
     * Called after the backend's action succeeded. A commit that throws or overruns fails the operation: the action
     * is undone (unplugged again after a plug, plugged again after an unplug) and the prepared hooks are aborted.
     *
     * @param context the operation
     */
    default void commit(HotplugContext context) {
    }

    /**
     * Called, for a hook whose prepare agreed, when a later step failed: undo what prepare did. Failures here are
     * logged and added to the operation's exception as suppressed; they do not stop the other aborts.
     *
     * @param context the operation
     */
    default void abort(HotplugContext context) {
    }
}
