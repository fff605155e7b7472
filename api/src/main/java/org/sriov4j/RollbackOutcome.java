package org.sriov4j;

import java.util.List;
import java.util.Objects;

/**
 * What the undo of a failed multi-step change achieved: the completed steps that were undone, newest first, and
 * those that could not be, each with why. A {@link SriovException} from such a change carries it
 * ({@link SriovException#rollback()}); decide on it, not on the message.
 *
 * <p>Example: <pre>{@code
 * try {
 *     host.detach(vf);
 * } catch (SriovException e) {
 *     if (e.rollback().map(r -> !r.complete()).orElse(false)) {
 *         ... the function is left half-changed: e.rollback().get().notRestored() says what ...
 *     }
 * }
 * }</pre>
 *
 * @param restored the undone steps, e.g. {@code "rebound igbvf"}, in the order they were undone
 * @param notRestored the steps whose undo failed, each with the failure, e.g.
 *     {@code "cleared driver_override (EIO ...)"}
 */
public record RollbackOutcome(List<String> restored, List<String> notRestored) {

    /**
     * Creates an outcome.
     *
     * @param restored the undone steps
     * @param notRestored the steps that could not be undone, with why
     */
    public RollbackOutcome {
        restored = List.copyOf(Objects.requireNonNull(restored, "restored"));
        notRestored = List.copyOf(Objects.requireNonNull(notRestored, "notRestored"));
    }

    /**
     * Whether every completed step was undone (also when there was none): the system is as it was before.
     *
     * @return true when nothing is left half-done
     */
    public boolean complete() {
        return notRestored.isEmpty();
    }

    /**
     * The sentence the exception's message carries, e.g. {@code "restored: rebound igbvf"} or
     * {@code "nothing needed restoring"}, followed by {@code "; COULD NOT restore: ..."} when some undo failed.
     *
     * @return the text
     */
    public String describe() {
        String s = restored.isEmpty() ? "nothing needed restoring" : "restored: " + String.join(", ", restored);
        return notRestored.isEmpty() ? s : s + "; COULD NOT restore: " + String.join(", ", notRestored);
    }
}
