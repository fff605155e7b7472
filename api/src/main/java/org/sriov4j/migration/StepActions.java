package org.sriov4j.migration;

import java.util.EnumMap;
import java.util.Map;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;

/**
 * What carries out the steps of a {@link MigrationPlan} for {@link MigrationExecutor}: the VMM's side of the
 * migration. sriov4j ships bindings for parts of it: {@link LeasePlugActions} (unplug/plug through
 * {@link org.sriov4j.Lease#detachFromGuest()} and {@link org.sriov4j.Lease#attachToGuest(String)}, which run the
 * hot-plug hooks), {@link LeaseNetActions} (the destination VF's network settings through
 * {@link org.sriov4j.Lease#configureVf}) and, in {@code sriov4j-vfio}, {@code VfioStateTransfer} (the VFIO migration steps through
 * {@code DeviceMigration}). {@link #routing(Map)} puts several together.
 */
public interface StepActions {

    /**
     * Carries out a step. Return only when it is done.
     *
     * @param step the step
     * @param device the device plan it belongs to
     * @throws RuntimeException if it failed; the executor then undoes this step and the ones before
     */
    void perform(PlanStep step, DevicePlan device);

    /**
     * Undoes a step that was carried out, or that failed part-way (so it must cope with a step that did nothing or
     * only part of its work, and be safe to call once in either case).
     *
     * @param step the step
     * @param device the device plan it belongs to
     * @throws RuntimeException if it could not be undone; the executor reports it and goes on undoing the others
     */
    void undo(PlanStep step, DevicePlan device);

    /**
     * Sends each action to its own actions; a step whose action has none fails with {@code EOPNOTSUPP} (and its
     * undo does nothing).
     *
     * @param byAction the actions for each plan action
     * @return the routing actions
     */
    static StepActions routing(Map<PlanStep.Action, StepActions> byAction) {
        Map<PlanStep.Action, StepActions> map = byAction.isEmpty() ? new EnumMap<>(PlanStep.Action.class)
                : new EnumMap<>(byAction);
        return new StepActions() {
            @Override
            public void perform(PlanStep step, DevicePlan device) {
                StepActions a = map.get(step.action());
                if (a == null) {
                    throw new SriovException("migration step " + step.number() + " " + step.action(), step.device(),
                            Errno.EOPNOTSUPP, null, "nothing carries out " + step.action() + " steps", null);
                }
                a.perform(step, device);
            }

            @Override
            public void undo(PlanStep step, DevicePlan device) {
                StepActions a = map.get(step.action());
                if (a != null) {
                    a.undo(step, device);
                }
            }
        };
    }
}
