package org.sriov4j.migration;

import java.util.List;
import java.util.Map;
import org.sriov4j.SriovException;

/**
 * A migration step failed; {@link MigrationExecutor} undid it and the steps before it. The message names the failed
 * step, what was undone and what could not be.
 */
public final class MigrationAbortedException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The step that failed. */
    private final PlanStep failedStep;
    /** The steps undone, in the order they were undone (the failed step first). */
    private final List<PlanStep> undone;
    /** Steps whose undo failed, with the failure's message. */
    private final Map<Integer, String> undoFailures;

    /**
     * Creates the exception.
     *
     * @param failedStep the step that failed
     * @param undone the steps undone, in order
     * @param undoFailures the numbers of steps whose undo failed, with why
     * @param detail the whole story for people
     * @param cause the failure of the step
     */
    public MigrationAbortedException(PlanStep failedStep, List<PlanStep> undone, Map<Integer, String> undoFailures,
            String detail, Throwable cause) {
        super("migration step " + failedStep.number() + " " + failedStep.side() + " " + failedStep.action(),
                failedStep.device(), cause instanceof SriovException s ? s.errno().orElse(null) : null, null, detail,
                cause);
        this.failedStep = failedStep;
        this.undone = List.copyOf(undone);
        this.undoFailures = Map.copyOf(undoFailures);
    }

    /**
     * The step that failed.
     *
     * @return the step
     */
    public PlanStep failedStep() {
        return failedStep;
    }

    /**
     * The steps that were undone successfully, in the order they were undone.
     *
     * @return the steps
     */
    public List<PlanStep> undone() {
        return undone;
    }

    /**
     * The steps whose undo failed, by number, with the reason: what is left as it is.
     *
     * @return step number to reason; empty when everything was restored
     */
    public Map<Integer, String> undoFailures() {
        return undoFailures;
    }

    /**
     * Whether everything was restored.
     *
     * @return true if no undo failed
     */
    public boolean fullyRolledBack() {
        return undoFailures.isEmpty();
    }
}
