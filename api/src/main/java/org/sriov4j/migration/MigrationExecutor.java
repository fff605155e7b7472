package org.sriov4j.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link MigrationPlan} step by step through {@link StepActions}. When a step fails, it undoes that step
 * (which may have done part of its work) and then every step before it, in reverse order: the source's VFs are
 * plugged back in and back in RUNNING, the destination's VFs reset and their settings restored; then it throws a
 * {@link MigrationAbortedException} that says which step failed, what was undone and what could not be.
 *
 * <pre>{@code
 * MigrationPlan plan = MigrationPlanner.plan("vm-42", moves);
 * try {
 *     MigrationExecutor.execute(plan, StepActions.routing(Map.of(
 *             Action.APPLY_NET_CONFIG, new LeaseNetActions(destinationHost, destinationLeases),
 *             Action.UNPLUG, plugActions, Action.PLUG, plugActions,
 *             Action.RESUMING, transfer, Action.PRE_COPY, transfer, Action.STOP_COPY, transfer,
 *             Action.RESUME, transfer)));
 * } catch (MigrationAbortedException e) {
 *     log.warn(e.getMessage());   // the guest still runs on the source with its devices
 * }
 * }</pre>
 */
public final class MigrationExecutor {

    private MigrationExecutor() {
    }

    /**
     * Runs every step in order.
     *
     * @param plan the plan
     * @param actions what carries out the steps
     * @return the steps carried out (all of them)
     * @throws MigrationAbortedException if a step failed (after the rollback)
     */
    public static List<PlanStep> execute(MigrationPlan plan, StepActions actions) {
        List<PlanStep> done = new ArrayList<>();
        for (PlanStep step : plan.steps()) {
            try {
                actions.perform(step, plan.deviceOf(step));
            } catch (RuntimeException e) {
                throw rollBack(plan, actions, step, done, e);
            }
            done.add(step);
        }
        return done;
    }

    private static MigrationAbortedException rollBack(MigrationPlan plan, StepActions actions, PlanStep failed,
            List<PlanStep> done, RuntimeException cause) {
        List<PlanStep> toUndo = new ArrayList<>();
        toUndo.add(failed);
        for (int i = done.size() - 1; i >= 0; i--) {
            toUndo.add(done.get(i));
        }
        List<PlanStep> undone = new ArrayList<>();
        Map<Integer, String> failures = new LinkedHashMap<>();
        for (PlanStep s : toUndo) {
            try {
                actions.undo(s, plan.deviceOf(s));
                undone.add(s);
            } catch (RuntimeException e) {
                failures.put(s.number(), String.valueOf(e.getMessage()));
                cause.addSuppressed(e);
            }
        }
        StringBuilder b = new StringBuilder("step ").append(failed.number()).append(" (").append(failed.side())
                .append(' ').append(failed.action()).append(' ').append(failed.device()).append(") failed: ")
                .append(cause.getMessage()).append("; undone: ");
        if (undone.isEmpty()) {
            b.append("nothing");
        }
        for (int i = 0; i < undone.size(); i++) {
            PlanStep s = undone.get(i);
            b.append(i == 0 ? "" : ", ").append(s.number()).append(' ').append(s.side()).append(' ')
                    .append(s.action()).append(' ').append(s.device());
        }
        if (failures.isEmpty()) {
            b.append("; everything was restored");
        } else {
            b.append("; NOT restored: ").append(failures);
        }
        return new MigrationAbortedException(failed, undone, failures, b.toString(), cause);
    }
}
