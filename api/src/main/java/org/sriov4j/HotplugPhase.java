package org.sriov4j;

/** A step of a plug or unplug, as {@link SriovEvent.HotplugStep} reports it (see {@link GuestHook}). */
public enum HotplugPhase {
    /** A hook's {@link GuestHook#prepare prepare} agreed. */
    PREPARE,
    /** A hook's {@link GuestHook#prepare prepare} vetoed; nothing was changed. */
    VETO,
    /** The backend's action ran: {@code xl pci-attach}/{@code pci-detach}, or the VMM's {@link GuestPlugActuator}. */
    ACTION,
    /** A hook's {@link GuestHook#commit commit} ran. */
    COMMIT,
    /** A hook's {@link GuestHook#abort abort} ran because a later step failed. */
    ABORT,
    /**
     * The guest did not give the device up within the grace period of a kernel request, and the device was taken
     * from it without its consent (its VFIO device closed): see {@link Lease#detachFromGuest(java.time.Duration,
     * Runnable)}.
     */
    SURPRISE_REMOVAL
}
