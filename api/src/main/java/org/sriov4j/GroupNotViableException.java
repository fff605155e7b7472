package org.sriov4j;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A function cannot be handed to a guest because another member of its IOMMU group is on a host driver: the
 * IOMMU cannot isolate the one from the other, so the kernel would refuse to open the group (VFIO's "group is not
 * viable"). The message names every offending device and its driver; unbind them, or detach them too.
 */
public final class GroupNotViableException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The IOMMU group number. */
    private final int group;
    /** Each offending device and the driver it is on. */
    private final TreeMap<PciAddress, String> offenders;

    /**
     * Creates the exception.
     *
     * @param operation what was being done, e.g. {@code "detach"}
     * @param device the function asked for
     * @param group its IOMMU group
     * @param offenders each other member of the group that is on a host driver, with that driver
     * @param stubDriver the driver every member must be on, or have none
     */
    public GroupNotViableException(String operation, PciAddress device, int group, Map<PciAddress, String> offenders,
            String stubDriver) {
        super(operation, device, null, null, describe(group, offenders, stubDriver), null);
        this.group = group;
        this.offenders = new TreeMap<>(offenders);
    }

    private static String describe(int group, Map<PciAddress, String> offenders, String stubDriver) {
        StringBuilder b = new StringBuilder("IOMMU group ").append(group).append(" is not viable: ");
        String sep = "";
        for (Map.Entry<PciAddress, String> e : new TreeMap<>(offenders).entrySet()) {
            b.append(sep).append(e.getKey()).append(" is on ").append(e.getValue());
            sep = ", ";
        }
        return b.append(" (every device of the group must be on ").append(stubDriver)
                .append(" or have no driver; detach or unbind ").append(offenders.size() == 1 ? "it" : "them")
                .append(" first)").toString();
    }

    /**
     * The IOMMU group.
     *
     * @return its number
     */
    public int group() {
        return group;
    }

    /**
     * The members of the group that are on host drivers.
     *
     * @return each offending device with its driver, sorted by address
     */
    public Map<PciAddress, String> offenders() {
        return Map.copyOf(offenders);
    }

    /**
     * The driver of one offending device.
     *
     * @param device a member of the group
     * @return its driver, if it is one of the offenders
     */
    public Optional<String> offender(PciAddress device) {
        return Optional.ofNullable(offenders.get(device));
    }
}
