package org.sriov4j;

import java.util.List;

/**
 * An IOMMU group: the smallest set of PCI functions the IOMMU can isolate from the rest of the host. A function
 * can be given to a guest only together with every other member of its group.
 *
 * @param number the group number ({@code /sys/kernel/iommu_groups/N})
 * @param devices every member, sorted
 */
public record IommuGroup(int number, List<PciAddress> devices) {

    /**
     * Checks the fields and copies the list.
     *
     * @param number the group number ({@code /sys/kernel/iommu_groups/N})
     * @param devices every member, sorted
     * @throws IllegalArgumentException if the number is negative
     */
    public IommuGroup {
        if (number < 0) {
            throw new IllegalArgumentException("negative IOMMU group number: " + number);
        }
        devices = devices.stream().sorted().toList();
    }
}
