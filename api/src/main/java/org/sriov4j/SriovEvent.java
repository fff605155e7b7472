package org.sriov4j;

import java.util.Objects;
import java.util.Optional;

/**
 * Something a {@link SriovHost} changed on the host, delivered to {@linkplain SriovHost#subscribe subscribers}
 * after the change is complete, on the thread that made it (and one check: {@link DriverChecked}). Only changes made
 * through that host object are reported (not those of other processes).
 */
public sealed interface SriovEvent {

    /**
     * The function the event is about.
     *
     * @return its address
     */
    PciAddress device();

    /**
     * A VF appeared.
     *
     * @param device the VF
     * @param pf its PF
     * @param index its VF index
     */
    record VfCreated(PciAddress device, PciAddress pf, int index) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the VF
         * @param pf its PF
         * @param index its VF index
         */
        public VfCreated {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(pf, "pf");
        }
    }

    /**
     * A VF went away.
     *
     * @param device the VF
     * @param pf its PF
     * @param index its VF index
     */
    record VfRemoved(PciAddress device, PciAddress pf, int index) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the VF
         * @param pf its PF
         * @param index its VF index
         */
        public VfRemoved {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(pf, "pf");
        }
    }

    /**
     * A function was moved from its host driver onto the stub driver.
     *
     * @param device the function
     * @param originalDriver the driver it was on; empty if none
     * @param stubDriver the driver it is on now
     */
    record Detached(PciAddress device, Optional<String> originalDriver, String stubDriver) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the function
         * @param originalDriver the driver it was on; empty if none
         * @param stubDriver the driver it is on now
         */
        public Detached {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(originalDriver, "originalDriver");
            Objects.requireNonNull(stubDriver, "stubDriver");
        }
    }

    /**
     * A function was given back to the host.
     *
     * @param device the function
     * @param driver the driver it is on now; empty if none (as it was before it was detached)
     */
    record Reattached(PciAddress device, Optional<String> driver) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the function
         * @param driver the driver it is on now
         */
        public Reattached {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(driver, "driver");
        }
    }

    /**
     * A function was leased to a guest.
     *
     * @param device the function
     * @param guest the guest
     * @param managed whether the lease detached it and will give it back
     */
    record Leased(PciAddress device, String guest, boolean managed) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the function
         * @param guest the guest
         * @param managed whether the lease is managed
         */
        public Leased {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(guest, "guest");
        }
    }

    /**
     * A lease's guest VF driver was judged by the PF's vendor compatibility matrix
     * ({@link LeaseOptions#guestVfDriver()}), before anything changed. The only event that reports a check rather than
     * a change: a {@link Leased} event follows unless the verdict refused the lease (INCOMPATIBLE, or UNKNOWN with
     * {@link LeaseOptions#strictCompatibility()}).
     *
     * @param device the function about to be leased
     * @param guest the guest
     * @param verdict the matrix's answer
     * @param refused whether the verdict refused the lease
     */
    record DriverChecked(PciAddress device, String guest, CompatibilityVerdict verdict, boolean refused)
            implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the function
         * @param guest the guest
         * @param verdict the answer
         * @param refused whether it refused the lease
         */
        public DriverChecked {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(guest, "guest");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /**
     * A lease ended.
     *
     * @param device the function
     * @param guest the guest that had it
     */
    record Released(PciAddress device, String guest) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the function
         * @param guest the guest that had it
         */
        public Released {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(guest, "guest");
        }
    }

    /**
     * A step of plugging a function into a running guest or unplugging it (see {@link GuestHook}): a hook's prepare,
     * veto, commit or abort, the backend's action, or a surprise removal.
     *
     * @param device the function
     * @param guest the guest
     * @param operation plug or unplug
     * @param phase the step
     * @param hook the hook's name for hook steps; empty for {@link HotplugPhase#ACTION} and
     *     {@link HotplugPhase#SURPRISE_REMOVAL}
     * @param detail what happened (e.g. a veto's reason, the action taken); may be empty
     */
    record HotplugStep(PciAddress device, String guest, HotplugOperation operation, HotplugPhase phase,
            Optional<String> hook, String detail) implements SriovEvent {
        /**
         * Checks the values.
         *
         * @param device the function
         * @param guest the guest
         * @param operation plug or unplug
         * @param phase the step
         * @param hook the hook's name, if a hook's step
         * @param detail what happened
         */
        public HotplugStep {
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(guest, "guest");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(hook, "hook");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
