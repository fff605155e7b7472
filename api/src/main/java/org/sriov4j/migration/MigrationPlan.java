package org.sriov4j.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sriov4j.PciAddress;
import org.sriov4j.internal.json.Json;

/**
 * The ordered steps that move a guest's VFs to a destination, made by {@link MigrationPlanner} and run by
 * {@link MigrationExecutor}. Data: print it ({@link #describe()}) or send it ({@link #toJson()}).
 *
 * @param guest the guest
 * @param devices how each VF moves
 * @param steps every step, in order
 */
public record MigrationPlan(String guest, List<DevicePlan> devices, List<PlanStep> steps) {

    /**
     * Checks the fields and copies the lists.
     *
     * @param guest the guest
     * @param devices the devices
     * @param steps the steps
     * @throws IllegalArgumentException if the steps are not numbered 1, 2, 3... or a step's device is in no device
     *     plan
     */
    public MigrationPlan {
        Objects.requireNonNull(guest, "guest");
        devices = List.copyOf(devices);
        steps = List.copyOf(steps);
        for (int i = 0; i < steps.size(); i++) {
            PlanStep s = steps.get(i);
            if (s.number() != i + 1) {
                throw new IllegalArgumentException("step " + (i + 1) + " is numbered " + s.number());
            }
            if (devicePlanOf(devices, s).isEmpty()) {
                throw new IllegalArgumentException("step " + s.number() + " acts on " + s.device()
                        + ", which no device plan has on the " + s.side());
            }
        }
    }

    private static Optional<DevicePlan> devicePlanOf(List<DevicePlan> devices, PlanStep step) {
        for (DevicePlan d : devices) {
            PciAddress a = step.side() == PlanStep.Side.SOURCE ? d.source() : d.destination();
            if (a.equals(step.device())) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The device plan a step belongs to.
     *
     * @param step a step of this plan
     * @return its device plan
     * @throws IllegalArgumentException if the step is not of this plan
     */
    public DevicePlan deviceOf(PlanStep step) {
        return devicePlanOf(devices, step).orElseThrow(() -> new IllegalArgumentException("not a step of this plan: "
                + step));
    }

    /**
     * The plan as text: one line per device (method and reason), then one line per step.
     *
     * @return the text, ending with a newline
     */
    public String describe() {
        StringBuilder b = new StringBuilder("migration plan for guest ").append(guest).append('\n');
        for (DevicePlan d : devices) {
            b.append("  ").append(d.source()).append(" -> ").append(d.destination()).append(": ")
                    .append(d.method()).append(" (").append(d.reason()).append(")\n");
            d.failoverStandbyMac().ifPresent(m -> b.append("    failover: paired with the standby virtio-net ")
                    .append(m).append("; the guest's traffic uses it between unplug and re-plug\n"));
        }
        for (PlanStep s : steps) {
            b.append("  ").append(s).append('\n');
        }
        return b.toString();
    }

    /**
     * The plan as JSON: {@code {"guest", "devices": [{"source", "destination", "method", "reason",
     * "applyOnDestination", "failoverStandbyMac"}], "steps": [{"number", "side", "action", "device",
     * "description"}]}}; {@code applyOnDestination} has the settings to change, named and typed as the profile's
     * {@code net} members.
     *
     * @return the JSON text, indented
     */
    public String toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("guest", guest);
        List<Object> ds = new ArrayList<>();
        for (DevicePlan d : devices) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", d.source().toString());
            m.put("destination", d.destination().toString());
            m.put("method", d.method().name());
            m.put("reason", d.reason());
            Map<String, Object> apply = ProfileJson.net(d.applyOnDestination());
            apply.values().removeIf(ProfileJson.UNKNOWN::equals); // only what is applied
            m.put("applyOnDestination", apply);
            m.put("failoverStandbyMac", d.failoverStandbyMac().<Object>map(Object::toString).orElse(Json.NULL));
            ds.add(m);
        }
        doc.put("devices", ds);
        List<Object> ss = new ArrayList<>();
        for (PlanStep s : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("number", (long) s.number());
            m.put("side", s.side().name());
            m.put("action", s.action().name());
            m.put("device", s.device().toString());
            m.put("description", s.description());
            ss.add(m);
        }
        doc.put("steps", ss);
        return Json.write(doc);
    }
}
