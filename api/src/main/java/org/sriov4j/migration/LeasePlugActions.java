package org.sriov4j.migration;

import java.util.Map;
import java.util.Objects;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;

/**
 * {@link PlanStep.Action#UNPLUG} and {@link PlanStep.Action#PLUG} steps through leases: an unplug is
 * {@link Lease#detachFromGuest()} of the source VF's lease, a plug {@link Lease#attachToGuest(String)} of the
 * destination VF's lease; each undo is the opposite call. The hot-plug hooks and the backend's action (Xen:
 * {@code xl pci-detach}/{@code pci-attach}) run inside those calls. Both hosts' leases are given, so this runs in a
 * process that holds both (one host, or a test); across hosts, each side binds its own leases and steps.
 */
public final class LeasePlugActions implements StepActions {
    private final Map<PciAddress, Lease> leases;
    private final String sourceDomain;
    private final String destinationDomain;

    /**
     * Creates the actions.
     *
     * @param leases the source VFs' and the destination VFs' leases, by VF address
     * @param sourceDomain the guest's name in the source's hypervisor (for a re-plug on rollback)
     * @param destinationDomain the guest's name in the destination's hypervisor
     */
    public LeasePlugActions(Map<PciAddress, Lease> leases, String sourceDomain, String destinationDomain) {
        this.leases = Map.copyOf(leases);
        this.sourceDomain = Objects.requireNonNull(sourceDomain, "sourceDomain");
        this.destinationDomain = Objects.requireNonNull(destinationDomain, "destinationDomain");
    }

    private Lease lease(PciAddress vf) {
        return leaseOf(leases, vf);
    }

    /** The lease given for {@code vf}; shared with {@link LeaseNetActions}. */
    static Lease leaseOf(Map<PciAddress, Lease> leases, PciAddress vf) {
        Lease l = leases.get(vf);
        if (l == null) {
            throw new IllegalArgumentException("no lease given for " + vf);
        }
        return l;
    }

    @Override
    public void perform(PlanStep step, DevicePlan device) {
        switch (step.action()) {
            case UNPLUG -> lease(step.device()).detachFromGuest();
            case PLUG -> lease(step.device()).attachToGuest(destinationDomain);
            default -> throw new IllegalArgumentException("LeasePlugActions carries out UNPLUG and PLUG, not "
                    + step.action());
        }
    }

    @Override
    public void undo(PlanStep step, DevicePlan device) {
        switch (step.action()) {
            case UNPLUG -> {
                Lease l = lease(step.device());
                if (l.attachedTo().isEmpty()) {
                    l.attachToGuest(sourceDomain);
                }
            }
            case PLUG -> lease(step.device()).detachFromGuest();
            default -> {
            }
        }
    }
}
