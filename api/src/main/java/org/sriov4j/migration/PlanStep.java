package org.sriov4j.migration;

import java.util.Objects;
import org.sriov4j.PciAddress;

/**
 * One step of a {@link MigrationPlan}.
 *
 * @param number its position in the plan, from 1
 * @param side the host it runs on
 * @param action what it does
 * @param device the VF it acts on (on the source: the guest's VF; on the destination: the chosen VF)
 * @param description a sentence for people
 */
public record PlanStep(int number, Side side, Action action, PciAddress device, String description) {

    /** Which host a step runs on. */
    public enum Side {
        /** The host the guest leaves. */
        SOURCE,
        /** The host the guest moves to. */
        DESTINATION
    }

    /** What a step does. Each has an undo, run when a later step fails ({@link MigrationExecutor}). */
    public enum Action {
        /** Destination: apply the carried-over network settings to the chosen VF. Undo: restore its settings. */
        APPLY_NET_CONFIG,
        /** Destination: VFIO migration STOP → RESUMING (ready to take the state). Undo: back to RUNNING (reset). */
        RESUMING,
        /**
         * Source: take the VF out of the running guest through the hot-plug hooks (with a failover standby, traffic
         * moves to the virtio-net device). Undo: plug it back in.
         */
        UNPLUG,
        /** Source: VFIO migration RUNNING → PRE_COPY, stream the initial state. Undo: back to RUNNING. */
        PRE_COPY,
        /**
         * Source: VFIO migration → STOP_COPY, stream the rest of the state to its end, then STOP. Undo: back to
         * RUNNING.
         */
        STOP_COPY,
        /** Destination: VFIO migration RESUMING → STOP → RUNNING with the state loaded. Undo: reset. */
        RESUME,
        /** Destination: plug the chosen VF into the guest through the hot-plug hooks. Undo: unplug it. */
        PLUG
    }

    /**
     * Checks the fields.
     *
     * @param number from 1
     * @param side the side
     * @param action the action
     * @param device the VF
     * @param description a sentence
     * @throws IllegalArgumentException if the number is below 1
     */
    public PlanStep {
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(description, "description");
        if (number < 1) {
            throw new IllegalArgumentException("steps are numbered from 1: " + number);
        }
    }

    @Override
    public String toString() {
        return number + ". " + side + " " + action + " " + device + ": " + description;
    }
}
