package org.sriov4j;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A function was not unbound from vfio-pci because its VFIO device is open: the kernel would block the unbind (and
 * the {@code sriov_numvfs} write that removes a VF) until every device fd is closed. {@link #errno()} is
 * {@link Errno#EBUSY}; nothing was changed. {@link #holders()} names the processes that hold it or may hold it
 * (empty when the device is open but no holder is visible, e.g. one in another PID namespace). Close the device in
 * the VMM (or stop the guest), then retry; {@link SriovConfig.Builder#holderWait(java.time.Duration)} waits a while
 * for that instead of refusing at once.
 */
public final class DeviceInUseException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The holders found. */
    private final List<VfioHolder> holders;

    /**
     * Creates the exception.
     *
     * @param operation what was being done
     * @param device the function whose device is open
     * @param holders the processes that hold it or may hold it
     * @param detail more, e.g. how long it waited; may be empty
     */
    public DeviceInUseException(String operation, PciAddress device, List<VfioHolder> holders, String detail) {
        super(operation, device, Errno.EBUSY, null, describe(device, holders, detail), null);
        this.holders = List.copyOf(holders);
    }

    private static String describe(PciAddress device, List<VfioHolder> holders, String detail) {
        String who = holders.isEmpty() ? "no process that holds it is visible"
                : holders.stream().map(VfioHolder::toString).collect(Collectors.joining("; "));
        return "its VFIO device is open and unbinding it from vfio-pci would block until it is closed: " + who
                + "; nothing was changed" + (detail.isEmpty() ? "" : " (" + detail + ")");
    }

    /**
     * The processes that hold the device open (or may: see {@link VfioHolder#certain()}).
     *
     * @return the holders, certain ones first, then by pid
     */
    public List<VfioHolder> holders() {
        return holders;
    }
}
