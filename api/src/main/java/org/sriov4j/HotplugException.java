package org.sriov4j;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A plug or unplug was stopped by a {@link GuestHook}: it vetoed, threw, or overran its time limit. Nothing was
 * changed: the hooks already prepared were aborted (in reverse order) and, when the backend's action had run, it was
 * undone; {@link #detail()} says what was restored. {@link #errno()} is {@link Errno#EPERM} for a veto,
 * {@link Errno#ETIMEDOUT} for an overrun and {@link Errno#EIO} for a hook that threw (its exception is the cause).
 */
public final class HotplugException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** Why the operation stopped. */
    public enum Kind {
        /** A hook's prepare returned {@link HookVerdict#veto(String)}. */
        VETOED,
        /** A hook threw. */
        HOOK_FAILED,
        /** A hook did not return within its {@link GuestHook#timeLimit()}. */
        HOOK_TIMED_OUT
    }

    /** Why the operation stopped. */
    private final Kind kind;
    /** The hook's name. */
    private final String hook;
    /** The hook's phase that stopped it. */
    private final HotplugPhase phase;
    /** Plug or unplug. */
    private final HotplugOperation hotplugOperation;
    /** The reason without the hook's name. */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param operation plug or unplug
     * @param device the function
     * @param kind why it stopped
     * @param hook the hook's {@link GuestHook#name()}
     * @param phase the hook's phase that stopped it ({@link HotplugPhase#PREPARE} or {@link HotplugPhase#COMMIT})
     * @param detail the reason: a veto's, what the hook threw, or its time limit; and what was restored
     * @param cause what the hook threw, if it threw
     */
    public HotplugException(HotplugOperation operation, PciAddress device, Kind kind, String hook, HotplugPhase phase,
            String detail, @Nullable Throwable cause) {
        this(operation, device, kind, hook, phase, detail, cause, null);
    }

    /**
     * Creates the exception of a hotplug whose action was undone (a hook failed in commit).
     *
     * @param operation plug or unplug
     * @param device the function
     * @param kind why it stopped
     * @param hook the hook's {@link GuestHook#name()}
     * @param phase the hook's phase that stopped it
     * @param detail the reason, and what was restored
     * @param cause what the hook threw, if it threw
     * @param rollback whether the action was undone, if it was tried
     */
    public HotplugException(HotplugOperation operation, PciAddress device, Kind kind, String hook, HotplugPhase phase,
            String detail, @Nullable Throwable cause, @Nullable RollbackOutcome rollback) {
        super(operation == HotplugOperation.PLUG ? "attach to guest" : "detach from guest", device, errno(kind), null,
                "hook " + hook + " " + verb(kind) + " in " + phase.name().toLowerCase(java.util.Locale.ROOT)
                        + (detail.isEmpty() ? "" : ": " + detail), cause, rollback);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.hook = Objects.requireNonNull(hook, "hook");
        this.phase = Objects.requireNonNull(phase, "phase");
        this.hotplugOperation = Objects.requireNonNull(operation, "operation");
        this.reason = detail;
    }

    private static Errno errno(Kind kind) {
        return switch (kind) {
            case VETOED -> Errno.EPERM;
            case HOOK_TIMED_OUT -> Errno.ETIMEDOUT;
            case HOOK_FAILED -> Errno.EIO;
        };
    }

    private static String verb(Kind kind) {
        return switch (kind) {
            case VETOED -> "vetoed";
            case HOOK_TIMED_OUT -> "timed out";
            case HOOK_FAILED -> "failed";
        };
    }

    /**
     * Why the operation stopped.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The hook that stopped it.
     *
     * @return its {@link GuestHook#name()}
     */
    public String hook() {
        return hook;
    }

    /**
     * The phase of the hook that stopped it.
     *
     * @return {@link HotplugPhase#PREPARE} or {@link HotplugPhase#COMMIT}
     */
    public HotplugPhase phase() {
        return phase;
    }

    /**
     * Why, without the hook's name: a veto's reason, what the hook threw, or the time limit it overran (and what was
     * restored).
     *
     * @return the reason
     */
    public String reason() {
        return reason;
    }

    /**
     * Plug or unplug.
     *
     * @return the operation
     */
    public HotplugOperation hotplugOperation() {
        return hotplugOperation;
    }
}
