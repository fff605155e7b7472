package org.sriov4j;

/** How a function left its guest when the host asked for it back: {@link Lease#detachFromGuest(java.time.Duration, Runnable)}. */
public enum UnplugOutcome {
    /** It was attached to no guest: nothing to do. */
    NOT_ATTACHED,
    /** The guest ejected it within the grace period (an orderly unplug, hooks committed). */
    EJECTED,
    /**
     * The guest did not eject it in time (or the unplug failed): the fallback ran (its VFIO device was closed, a
     * surprise removal for the guest), reported as {@link HotplugPhase#SURPRISE_REMOVAL} and logged as a warning.
     */
    SURPRISE_REMOVAL
}
