package org.sriov4j.migration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.migration.DevicePlan.Method;
import org.sriov4j.migration.PlanStep.Action;
import org.sriov4j.migration.PlanStep.Side;

/**
 * Makes a {@link MigrationPlan} from the source's profiles and the destination's chosen candidates. A pure function:
 * it looks at nothing but its arguments.
 *
 * <p>Per VF, <b>state transfer</b> (VFIO migration v2) when both hosts' backends offer
 * {@link BackendFeature#LIVE_MIGRATION_STATE_TRANSFER} and both devices' profiles say they have a migration driver
 * with STOP_COPY; otherwise <b>unplug before, re-plug after</b>, with the VF paired with a standby virtio-net device
 * when its MAC is given. The steps, in order (each phase for every VF, in the order given):
 * <ol>
 *   <li>destination: {@link Action#APPLY_NET_CONFIG} (every VF with settings to carry over), {@link Action#RESUMING}
 *       (state transfer);</li>
 *   <li>source: {@link Action#UNPLUG} (unplug/re-plug), then {@link Action#PRE_COPY} (state transfer with PRE_COPY
 *       on both ends) — the VMM copies the guest's memory after these;</li>
 *   <li>source: {@link Action#STOP_COPY} (state transfer; the guest is stopped);</li>
 *   <li>destination: {@link Action#RESUME} (state transfer), {@link Action#PLUG} (unplug/re-plug).</li>
 * </ol>
 */
public final class MigrationPlanner {

    private MigrationPlanner() {
    }

    /**
     * One VF to move.
     *
     * @param source its profile on the source (with {@link DeviceProfile#vfioMigration()} known when the VMM has
     *     the device open)
     * @param destination the candidate the destination chose ({@link DestinationReport#chosen()})
     * @param sourceFeatures the source backend's features
     * @param destinationFeatures the destination backend's features
     * @param failoverStandbyMac the MAC of the guest's standby virtio-net device (a unicast address); empty: no
     *     failover pair
     */
    public record Move(DeviceProfile source, Candidate destination, Set<BackendFeature> sourceFeatures,
            Set<BackendFeature> destinationFeatures, Optional<MacAddress> failoverStandbyMac) {

        /**
         * Checks the fields and copies the sets.
         *
         * @param source the source profile
         * @param destination the chosen candidate
         * @param sourceFeatures source features
         * @param destinationFeatures destination features
         * @param failoverStandbyMac the standby's MAC
         * @throws IllegalArgumentException if the candidate does not fit or the MAC is not unicast
         */
        public Move {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
            sourceFeatures = Set.copyOf(sourceFeatures);
            destinationFeatures = Set.copyOf(destinationFeatures);
            Objects.requireNonNull(failoverStandbyMac, "failoverStandbyMac");
            failoverStandbyMac.ifPresent(VfNetConfig.builder()::mac); // a VF's MAC: unicast
            if (!destination.fits()) {
                throw new IllegalArgumentException("candidate " + destination.vf() + " does not fit the profile of "
                        + source.address());
            }
        }
    }

    /**
     * Plans the move of a guest's VFs.
     *
     * @param guest the guest's name
     * @param moves the VFs, each with its chosen destination
     * @return the plan
     * @throws IllegalArgumentException if there is no move, or two moves share a source or destination VF
     */
    public static MigrationPlan plan(String guest, List<Move> moves) {
        Objects.requireNonNull(guest, "guest");
        if (moves.isEmpty()) {
            throw new IllegalArgumentException("nothing to move");
        }
        Set<Object> seen = new HashSet<>();
        List<DevicePlan> devices = new ArrayList<>();
        for (Move m : moves) {
            if (!seen.add("s" + m.source().address()) || !seen.add("d" + m.destination().vf())) {
                throw new IllegalArgumentException("two moves share " + m.source().address() + " or "
                        + m.destination().vf());
            }
            devices.add(devicePlan(m));
        }
        List<PlanStep> steps = new ArrayList<>();
        for (int i = 0; i < moves.size(); i++) {
            DevicePlan d = devices.get(i);
            if (!d.applyOnDestination().isEmpty()) {
                add(steps, Side.DESTINATION, Action.APPLY_NET_CONFIG, d, "apply " + words(d.applyOnDestination())
                        + (d.failoverStandbyMac().isPresent() ? " (the MAC is the failover standby's)" : ""));
            }
        }
        for (DevicePlan d : devices) {
            if (d.method() == Method.STATE_TRANSFER) {
                add(steps, Side.DESTINATION, Action.RESUMING, d, "VFIO migration STOP -> RESUMING, ready for "
                        + d.source() + "'s state");
            }
        }
        for (DevicePlan d : devices) {
            if (d.method() == Method.UNPLUG_REPLUG) {
                add(steps, Side.SOURCE, Action.UNPLUG, d, "unplug from guest " + guest + " through the hot-plug hooks"
                        + (d.failoverStandbyMac().isPresent() ? "; traffic continues on the standby virtio-net "
                                + d.failoverStandbyMac().get() : "; the guest has no network on this device until "
                                + "the re-plug"));
            }
        }
        for (int i = 0; i < moves.size(); i++) {
            DevicePlan d = devices.get(i);
            if (d.method() == Method.STATE_TRANSFER && preCopy(moves.get(i))) {
                add(steps, Side.SOURCE, Action.PRE_COPY, d, "VFIO migration RUNNING -> PRE_COPY, stream the "
                        + "initial state while the guest runs");
            }
        }
        for (DevicePlan d : devices) {
            if (d.method() == Method.STATE_TRANSFER) {
                add(steps, Side.SOURCE, Action.STOP_COPY, d, "VFIO migration -> STOP_COPY with the guest stopped, "
                        + "stream the state to its end, then STOP");
            }
        }
        for (DevicePlan d : devices) {
            if (d.method() == Method.STATE_TRANSFER) {
                add(steps, Side.DESTINATION, Action.RESUME, d, "VFIO migration RESUMING -> STOP -> RUNNING with "
                        + "the state loaded");
            }
        }
        for (DevicePlan d : devices) {
            if (d.method() == Method.UNPLUG_REPLUG) {
                add(steps, Side.DESTINATION, Action.PLUG, d, "plug into guest " + guest
                        + " through the hot-plug hooks" + (d.failoverStandbyMac().isPresent()
                                ? "; the guest's failover driver moves traffic back to the VF" : ""));
            }
        }
        return new MigrationPlan(guest, devices, steps);
    }

    private static boolean preCopy(Move m) {
        return m.source().vfioMigration().map(DeviceProfile.VfioMigration::preCopy).orElse(false)
                && m.destination().profile().vfioMigration().map(DeviceProfile.VfioMigration::preCopy).orElse(false);
    }

    private static void add(List<PlanStep> steps, Side side, Action action, DevicePlan d, String description) {
        steps.add(new PlanStep(steps.size() + 1, side, action, side == Side.SOURCE ? d.source() : d.destination(),
                description));
    }

    private static DevicePlan devicePlan(Move m) {
        String why = stateTransferRefusal(m);
        Method method = why.isEmpty() ? Method.STATE_TRANSFER : Method.UNPLUG_REPLUG;
        VfNetConfig wanted = m.source().net().orElse(VfNetConfig.none());
        if (method == Method.UNPLUG_REPLUG && m.failoverStandbyMac().isPresent()) {
            wanted = wanted.toBuilder().mac(m.failoverStandbyMac().get()).build();
        }
        VfNetConfig apply = changes(wanted, m.destination().profile().net());
        String reason = why.isEmpty() ? "both devices have a VFIO migration driver with STOP_COPY and both backends "
                + "transfer device state" : why;
        return new DevicePlan(m.source().address(), m.destination().vf(), method, reason, apply,
                method == Method.UNPLUG_REPLUG ? m.failoverStandbyMac() : Optional.empty());
    }

    /**
     * The settings of {@code wanted} that the destination VF does not have already (all of them when its settings are
     * unknown): a setting it has is not set again (e.g. igb refuses any link-state request, even "auto", and a VF
     * whose link state is already auto needs none).
     *
     * @param wanted the settings the destination VF is to have
     * @param current the destination VF's settings, as its profile says; empty: unknown
     * @return the settings to change
     */
    static VfNetConfig changes(VfNetConfig wanted, Optional<VfNetConfig> current) {
        if (current.isEmpty()) {
            return wanted;
        }
        java.util.EnumSet<VfNetConfig.Setting> differ = java.util.EnumSet.noneOf(VfNetConfig.Setting.class);
        for (VfNetConfig.Setting s : wanted.settings()) {
            if (!wanted.only(java.util.EnumSet.of(s)).equals(current.get().only(java.util.EnumSet.of(s)))) {
                differ.add(s);
            }
        }
        return wanted.only(differ);
    }

    /** A configuration in {@code ip link} words: {@code mac 52:54:00:00:00:42, vlan 100 qos 3 proto 802.1Q}. */
    static String words(VfNetConfig c) {
        String s = c.toString();
        return s.substring(s.indexOf('[') + 1, s.length() - 1);
    }

    /** Why state transfer is not possible; empty when it is. */
    private static String stateTransferRefusal(Move m) {
        if (!m.sourceFeatures().contains(BackendFeature.LIVE_MIGRATION_STATE_TRANSFER)) {
            return m.source().backend().map(b -> "the source backend " + b + " does not transfer device state")
                    .orElse("the source backend is unknown");
        }
        if (!m.destinationFeatures().contains(BackendFeature.LIVE_MIGRATION_STATE_TRANSFER)) {
            return m.destination().profile().backend().map(b -> "the destination backend " + b
                    + " does not transfer device state").orElse("the destination backend is unknown");
        }
        Optional<DeviceProfile.VfioMigration> src = m.source().vfioMigration();
        Optional<DeviceProfile.VfioMigration> dst = m.destination().profile().vfioMigration();
        if (src.isEmpty()) {
            return "the source device's VFIO migration capability is unknown (profile made without the device open)";
        }
        if (!src.get().stateTransfer()) {
            return "the source device has no VFIO migration driver with STOP_COPY";
        }
        if (dst.isEmpty()) {
            return "the destination device's VFIO migration capability is unknown (checked without the device open)";
        }
        if (!dst.get().stateTransfer()) {
            return "the destination device has no VFIO migration driver with STOP_COPY";
        }
        return "";
    }
}
