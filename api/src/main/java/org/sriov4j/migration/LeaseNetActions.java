package org.sriov4j.migration;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;

/**
 * {@link PlanStep.Action#APPLY_NET_CONFIG} steps through the destination VFs' leases: the step applies the device
 * plan's {@link DevicePlan#applyOnDestination()} with {@link Lease#configureVf(VfNetConfig)} (the vendor plugin's
 * known refusals checked before anything changes, a setting the kernel refuses rolling back the ones before it);
 * its undo sets back the VF's settings as they were before the step. Whatever the steps changed, the VF's settings
 * from before its lease are restored when the lease ends (the ledger keeps them), however it ends.
 *
 * <pre>{@code
 * try (Lease dst = destination.lease(report.chosen().orElseThrow().vf(), "vm-42")) {
 *     StepActions net = new LeaseNetActions(destination, Map.of(dst.device(), dst));
 *     MigrationExecutor.execute(plan, StepActions.routing(Map.of(Action.APPLY_NET_CONFIG, net, ...)));
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one executor runs a plan's steps one after the other.
 */
public final class LeaseNetActions implements StepActions {
    private final SriovHost host;
    private final Map<PciAddress, Lease> leases;
    private final Map<PciAddress, VfNetConfig> before = new HashMap<>();

    /**
     * Creates the actions.
     *
     * @param host the destination host (it reads a VF's settings before they change, for the undo)
     * @param leases the destination VFs' leases, by VF address
     */
    public LeaseNetActions(SriovHost host, Map<PciAddress, Lease> leases) {
        this.host = Objects.requireNonNull(host, "host");
        this.leases = Map.copyOf(leases);
    }

    private Lease lease(PciAddress vf) {
        return LeasePlugActions.leaseOf(leases, vf);
    }

    /**
     * Applies the device plan's settings to the step's VF through its lease.
     *
     * @param step an {@link PlanStep.Action#APPLY_NET_CONFIG} step
     * @param device its device plan
     * @throws IllegalArgumentException for another action, or a VF without a lease
     * @throws org.sriov4j.VfNetConfigException if a setting is refused (the settings changed before it are set back)
     */
    @Override
    public void perform(PlanStep step, DevicePlan device) {
        if (step.action() != PlanStep.Action.APPLY_NET_CONFIG) {
            throw new IllegalArgumentException("LeaseNetActions carries out APPLY_NET_CONFIG, not " + step.action());
        }
        Lease l = lease(step.device());
        VfNetConfig changes = device.applyOnDestination();
        if (changes.isEmpty()) {
            return;
        }
        VfNetConfig was = host.vfNetConfig(step.device()).only(changes.settings());
        l.configureVf(changes); // all or nothing: a refused setting sets back the ones before it
        before.put(step.device(), was);
    }

    /**
     * Sets back the settings a completed step changed (a step that failed changed nothing that is left).
     *
     * @param step the step
     * @param device its device plan
     */
    @Override
    public void undo(PlanStep step, DevicePlan device) {
        if (step.action() != PlanStep.Action.APPLY_NET_CONFIG) {
            return;
        }
        VfNetConfig was = before.remove(step.device());
        if (was != null && !was.isEmpty()) {
            lease(step.device()).configureVf(was);
        }
    }
}
