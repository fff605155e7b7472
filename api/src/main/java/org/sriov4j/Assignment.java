package org.sriov4j;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One function sriov4j has taken from the host, as its ledger records it: what it was on, what it is on, who
 * holds it. Listed by {@link SriovHost#assignments()}.
 *
 * @param device the function
 * @param phase where it is in its lifecycle
 * @param originalDriver the driver it was on before; empty if none (what reattach restores)
 * @param stubDriver the driver it was detached to
 * @param managed whether its lease gives it back to the host when it ends
 * @param guest the guest it is (or was last) leased to, if any
 * @param ownerPid the process that recorded the last change; not necessarily alive, nor the holder (see {@code lease})
 * @param heldBy who holds its lock now (a lease, or a change in progress), as the holder described itself; empty if
 *     no live process holds it
 * @param attachedTo the hypervisor guest (Xen domain) it is attached to through {@link Lease#attachToGuest(String)}
 *     or {@link SriovHost#attachToGuest(PciAddress, String)}; empty if none
 * @param lease what keeps its lease alive, if it is leased now: a {@link LeaseHolder.Kind#TAKER} lease with the pid
 *     and start time of the process the kernel names as the owner of the function's lock (never what a lock file
 *     says), a {@link LeaseHolder.Kind#PROCESS} lease whose process runs, or a {@link LeaseHolder.Kind#DURABLE}
 *     one; empty if it is not leased (or its lease is over: its holder is gone)
 */
public record Assignment(PciAddress device, Phase phase, Optional<String> originalDriver, String stubDriver,
        boolean managed, Optional<String> guest, OptionalLong ownerPid, Optional<String> heldBy,
        Optional<String> attachedTo, Optional<LeaseHolder> lease) {

    /** Where a function is in its lifecycle. */
    public enum Phase {
        /** A detach began (and, if no live process holds the function, was interrupted). */
        DETACHING,
        /** On the stub driver. */
        DETACHED,
        /** Being given back (or interrupted while being given back). */
        REATTACHING
    }

    /**
     * Checks the values.
     *
     * @param device the function
     * @param phase where it is in its lifecycle
     * @param originalDriver the driver it was on before
     * @param stubDriver the driver it was detached to
     * @param managed whether its lease gives it back
     * @param guest the guest it was leased to
     * @param ownerPid the process that recorded the last change
     * @param heldBy who holds its lock now
     * @param attachedTo the hypervisor guest it is attached to
     * @param lease what keeps its lease alive, if it is leased now
     */
    public Assignment {
        Objects.requireNonNull(attachedTo, "attachedTo");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(originalDriver, "originalDriver");
        Objects.requireNonNull(stubDriver, "stubDriver");
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(ownerPid, "ownerPid");
        Objects.requireNonNull(heldBy, "heldBy");
    }

    /**
     * An assignment that is not leased now.
     *
     * @param device the function
     * @param phase where it is in its lifecycle
     * @param originalDriver the driver it was on before
     * @param stubDriver the driver it was detached to
     * @param managed whether its lease gives it back
     * @param guest the guest it was leased to
     * @param ownerPid the process that recorded the last change
     * @param heldBy who holds its lock now
     * @param attachedTo the hypervisor guest it is attached to
     */
    public Assignment(PciAddress device, Phase phase, Optional<String> originalDriver, String stubDriver,
            boolean managed, Optional<String> guest, OptionalLong ownerPid, Optional<String> heldBy,
            Optional<String> attachedTo) {
        this(device, phase, originalDriver, stubDriver, managed, guest, ownerPid, heldBy, attachedTo,
                Optional.empty());
    }

    /**
     * An assignment attached to no hypervisor guest and not leased now.
     *
     * @param device the function
     * @param phase where it is in its lifecycle
     * @param originalDriver the driver it was on before
     * @param stubDriver the driver it was detached to
     * @param managed whether its lease gives it back
     * @param guest the guest it was leased to
     * @param ownerPid the process that recorded the last change
     * @param heldBy who holds its lock now
     */
    public Assignment(PciAddress device, Phase phase, Optional<String> originalDriver, String stubDriver,
            boolean managed, Optional<String> guest, OptionalLong ownerPid, Optional<String> heldBy) {
        this(device, phase, originalDriver, stubDriver, managed, guest, ownerPid, heldBy, Optional.empty());
    }
}
