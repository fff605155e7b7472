package org.sriov4j.migration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The rule for every field of a {@link DeviceProfile} ({@link DeviceProfile#comparableFields()} names them). The
 * defaults (docs/device-profile.md has the table and the reasons):
 *
 * <ul>
 *   <li>{@link FieldRule#MUST_MATCH}: {@code device.*} (ids, subsystem, revision, class, VF driver family, BAR layout,
 *       MSI-X count), {@code pf.vendorId}, {@code pf.deviceId}, {@code pf.driver}, {@code pf.firmwareVersion},
 *       {@code source.backend}, and any {@code vendor.*} field a vendor plugin adds;</li>
 *   <li>{@link FieldRule#CARRIED_OVER}: {@code net} and every {@code net.*} field;</li>
 *   <li>{@link FieldRule#IGNORED}: {@code source.address}, {@code source.iommuGroup}, {@code source.numaNode}
 *       (unless {@link DestinationOptions#pinNuma()}), {@code source.iommuInterface}, {@code pf.address},
 *       {@code pf.driverVersion} and {@code pf.driverOrigin} (judged by the vendor's compatibility matrix instead),
 *       {@code vfioMigration} (it decides the migration method, not the fit).</li>
 * </ul>
 *
 * <p>A vendor plugin can change or add rules for its PFs ({@code VendorPlugin.profileRules}). Immutable.
 */
public final class ProfileRules {
    private static final ProfileRules DEFAULTS;

    static {
        Map<String, FieldRule> m = new LinkedHashMap<>();
        for (String f : new String[] {"source.address", "source.iommuGroup", "source.numaNode",
                "source.iommuInterface", "pf.address", "pf.driverVersion", "pf.driverOrigin", "vfioMigration"}) {
            m.put(f, FieldRule.IGNORED);
        }
        for (String f : new String[] {"source.backend", "device.vendorId", "device.deviceId",
                "device.subsystemVendorId", "device.subsystemDeviceId", "device.revision", "device.classCode",
                "device.vfDriver", "device.bars", "device.msixVectors", "pf.vendorId", "pf.deviceId", "pf.driver",
                "pf.firmwareVersion"}) {
            m.put(f, FieldRule.MUST_MATCH);
        }
        for (String f : new String[] {"net", "net.mac", "net.vlan", "net.qos", "net.vlanProtocol", "net.spoofCheck",
                "net.trust", "net.linkState", "net.minTxRateMbps", "net.maxTxRateMbps"}) {
            m.put(f, FieldRule.CARRIED_OVER);
        }
        DEFAULTS = new ProfileRules(m);
    }

    private final Map<String, FieldRule> rules;

    private ProfileRules(Map<String, FieldRule> rules) {
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    /**
     * The default rules.
     *
     * @return the rules
     */
    public static ProfileRules defaults() {
        return DEFAULTS;
    }

    /**
     * The rule of a field: the one set for it, else {@link FieldRule#MUST_MATCH} for {@code vendor.*} fields and any
     * field this version does not know (refuse rather than guess).
     *
     * @param field a dotted field name, e.g. {@code device.revision}
     * @return its rule
     */
    public FieldRule ruleFor(String field) {
        FieldRule r = rules.get(field);
        if (r != null) {
            return r;
        }
        if (field.startsWith("net.")) {
            return FieldRule.CARRIED_OVER;
        }
        return FieldRule.MUST_MATCH;
    }

    /**
     * These rules with one changed or added.
     *
     * @param field the dotted field name
     * @param rule its rule
     * @return the new rules
     */
    public ProfileRules with(String field, FieldRule rule) {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(rule, "rule");
        Map<String, FieldRule> m = new LinkedHashMap<>(rules);
        m.put(field, rule);
        return new ProfileRules(m);
    }

    /**
     * These rules with several changed or added.
     *
     * @param changes field to rule
     * @return the new rules
     */
    public ProfileRules with(Map<String, FieldRule> changes) {
        Map<String, FieldRule> m = new LinkedHashMap<>(rules);
        changes.forEach((k, v) -> m.put(Objects.requireNonNull(k, "field"), Objects.requireNonNull(v, "rule")));
        return new ProfileRules(m);
    }

    /**
     * Every field with an explicit rule.
     *
     * @return field to rule, in definition order
     */
    public Map<String, FieldRule> asMap() {
        return rules;
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
