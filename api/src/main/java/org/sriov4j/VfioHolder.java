package org.sriov4j;

import java.util.Objects;

/**
 * A process that holds, or may hold, a function's VFIO device open, so that unbinding the function from vfio-pci
 * would block until it closes it. Reported by {@link DeviceInUseException}; the rule that finds them is described in
 * the repository's {@code docs/vfio-holders.md}.
 *
 * @param pid the process id (in the PID namespace of the {@code /proc} that was read)
 * @param command its command ({@code /proc/PID/comm}), or {@code ?} if it could not be read
 * @param evidence what was seen
 */
public record VfioHolder(long pid, String command, Evidence evidence) {

    /** What ties the process to the function, strongest first. */
    public enum Evidence {
        /** A VFIO device fd whose {@code fdinfo} names the function ({@code vfio-device-syspath}, newer kernels). */
        DEVICE_SYSPATH,
        /** The function's VFIO device cdev ({@code /dev/vfio/devices/vfioN}) is open. */
        DEVICE_CDEV,
        /** The function's group ({@code /dev/vfio/N}) and a VFIO device fd are open. */
        GROUP_AND_DEVICE_FD,
        /**
         * A VFIO device fd that cannot be tied to a device (its {@code fdinfo} names none and the process has not
         * the function's group open): it may be this function's, so the process counts as a possible holder of every
         * vfio-pci function.
         */
        UNATTRIBUTED_DEVICE_FD
    }

    /**
     * Checks the values.
     *
     * @param pid the process id
     * @param command its command
     * @param evidence what was seen
     */
    public VfioHolder {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(evidence, "evidence");
        if (pid <= 0) {
            throw new IllegalArgumentException("not a pid: " + pid);
        }
    }

    /**
     * Whether the process certainly holds this function's device (rather than possibly).
     *
     * @return false only for {@link Evidence#UNATTRIBUTED_DEVICE_FD}
     */
    public boolean certain() {
        return evidence != Evidence.UNATTRIBUTED_DEVICE_FD;
    }

    @Override
    public String toString() {
        String what = switch (evidence) {
            case DEVICE_SYSPATH -> "has its VFIO device open";
            case DEVICE_CDEV -> "has its VFIO device cdev open";
            case GROUP_AND_DEVICE_FD -> "has its IOMMU group and a VFIO device open";
            case UNATTRIBUTED_DEVICE_FD -> "may hold it: has a VFIO device open that cannot be attributed";
        };
        return "pid " + pid + " (" + command + ") " + what;
    }
}
