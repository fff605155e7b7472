package org.sriov4j.spi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovException;

/**
 * The one rollback mechanism of sriov4j's multi-step changes (the engine's detach and VF network settings, a
 * backend's own steps): record each completed step with its undo; when a later step fails, undo them newest first
 * and get a typed {@link RollbackOutcome} of what was restored and what could not be. Not thread-safe: one per
 * change.
 *
 * <p>Example: <pre>{@code
 * Rollback rb = new Rollback("detach", vf);
 * write(override, "vfio-pci");
 * rb.done("cleared driver_override", () -> write(override, "\n"));
 * try {
 *     bind(vf);
 * } catch (RuntimeException e) {
 *     throw rb.fail(e, "bind vfio-pci");   // undoes, and says once what failed and what was restored
 * }
 * }</pre>
 */
public final class Rollback {

    /** Undoes one completed step. */
    @FunctionalInterface
    public interface Undo {
        /** Runs the undo; throws when it cannot. */
        void run();
    }

    /** A completed step; its description is made only if the undo is reported. */
    private record Done(Supplier<String> describe, Undo undo) {
        String description() {
            return describe.get();
        }
    }

    private final String operation;
    private final PciAddress device;
    private final Deque<Done> done = new ArrayDeque<>();

    /**
     * Starts an empty rollback.
     *
     * @param operation the change, e.g. {@code "detach"}; the operation of the exception {@link #fail} makes
     * @param device the function changed
     */
    public Rollback(String operation, PciAddress device) {
        this.operation = operation;
        this.device = device;
    }

    /**
     * Records a completed step.
     *
     * @param description what the undo does, e.g. {@code "rebound igbvf"}
     * @param undo how to undo it
     */
    public void done(String description, Undo undo) {
        done.push(new Done(() -> description, undo));
    }

    /**
     * Records a completed step whose description is made only when the rollback reports it (for steps cheap
     * enough that making the text at each success would cost more than the step).
     *
     * @param description makes what the undo does, e.g. {@code "mac 00:00:00:00:00:00"}
     * @param undo how to undo it
     */
    public void done(Supplier<String> description, Undo undo) {
        done.push(new Done(description, undo));
    }

    /**
     * Undoes every recorded step, newest first, trying each even when one fails; the rollback is empty afterwards.
     *
     * @return what was restored and what could not be
     */
    public RollbackOutcome undoAll() {
        List<String> restored = new ArrayList<>();
        List<String> notRestored = new ArrayList<>();
        while (!done.isEmpty()) {
            Done d = done.pop();
            try {
                d.undo().run();
                restored.add(d.description());
            } catch (RuntimeException e) {
                notRestored.add(d.description() + " (" + e.getMessage() + ")");
            }
        }
        return new RollbackOutcome(restored, notRestored);
    }

    /**
     * Undoes every recorded step and returns the exception to throw: it names the change, carries the failure's
     * errno and path and the {@link RollbackOutcome}, and says each fact once ("bind vfio-pci failed: EIO ... at
     * path; restored: ..."), not the failure's whole message again.
     *
     * @param failure what failed
     * @param step which step failed, e.g. {@code "bind vfio-pci"}
     * @return the exception, with {@code failure} as its cause
     */
    public SriovException fail(RuntimeException failure, String step) {
        RollbackOutcome outcome = undoAll();
        return new SriovException(operation, device, errnoOf(failure), pathOf(failure),
                detail(step, failure, operation, device, outcome), failure, outcome);
    }

    /**
     * The detail of a rollback exception: the failed step, what of the failure its errno and path do not already say
     * (its operation when it differs from the step, its own detail), and the outcome.
     *
     * @param step the failed step
     * @param failure what failed
     * @param operation the change
     * @param device the function changed
     * @param outcome the rollback's outcome
     * @return the detail
     */
    public static String detail(String step, RuntimeException failure, String operation, PciAddress device,
            RollbackOutcome outcome) {
        StringBuilder b = new StringBuilder(step).append(" failed");
        String cause = causeText(failure, operation, device, step);
        if (!cause.isEmpty()) {
            b.append(" (").append(cause).append(')');
        }
        return b.append("; ").append(outcome.describe()).toString();
    }

    /** The failure without the facts the wrapping exception carries itself (errno, path, the same operation). */
    private static String causeText(RuntimeException failure, String operation, PciAddress device, String step) {
        if (failure instanceof SriovException s) {
            String op = s.operation();
            boolean sameOp = op.equals(operation) || op.equals(step);
            String who = s.device().filter(d -> !d.equals(device)).map(d -> " " + d).orElse("");
            String detail = s.detail();
            if (sameOp && who.isEmpty()) {
                return detail;
            }
            return op + who + (detail.isEmpty() ? "" : ": " + detail);
        }
        String m = failure.getMessage();
        return m == null ? failure.getClass().getSimpleName() : m;
    }

    private static @Nullable Errno errnoOf(RuntimeException e) {
        return e instanceof SriovException s ? s.errno().orElse(null) : null;
    }

    private static @Nullable String pathOf(RuntimeException e) {
        return e instanceof SriovException s ? s.path().orElse(null) : null;
    }
}
