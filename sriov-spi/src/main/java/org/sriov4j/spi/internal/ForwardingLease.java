package org.sriov4j.spi.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;
import org.sriov4j.UnplugOutcome;
import org.sriov4j.VfNetConfig;

/**
 * A lease that forwards every {@link Lease} method to another lease; subclasses override only what they add. Every
 * method of {@code Lease}, the defaults included, is forwarded here (ForwardingLeaseTest checks it), so a method
 * added to {@code Lease} cannot silently fall back to its default in one of the engine's wrappers.
 */
abstract class ForwardingLease implements Lease {
    private final Lease lease;

    ForwardingLease(Lease lease) {
        this.lease = Objects.requireNonNull(lease, "lease");
    }

    /** The lease this one forwards to. */
    final Lease delegate() {
        return lease;
    }

    @Override
    public PciAddress device() {
        return lease.device();
    }

    @Override
    public String guest() {
        return lease.guest();
    }

    @Override
    public boolean managed() {
        return lease.managed();
    }

    @Override
    public boolean isHeld() {
        return lease.isHeld();
    }

    @Override
    public LeaseHolder holder() {
        return lease.holder();
    }

    @Override
    public Optional<CompatibilityVerdict> compatibility() {
        return lease.compatibility();
    }

    @Override
    public VfNetConfig configureVf(VfNetConfig changes) {
        return lease.configureVf(changes);
    }

    @Override
    public void attachToGuest(String domain) {
        lease.attachToGuest(domain);
    }

    @Override
    public void detachFromGuest() {
        lease.detachFromGuest();
    }

    @Override
    public UnplugOutcome detachFromGuest(Duration grace, Runnable surpriseRemoval) {
        return lease.detachFromGuest(grace, surpriseRemoval);
    }

    @Override
    public AutoCloseable onDeviceRequest(Runnable release) {
        return lease.onDeviceRequest(release);
    }

    @Override
    public Optional<String> attachedTo() {
        return lease.attachedTo();
    }

    @Override
    public void close() {
        lease.close();
    }

    @Override
    public String toString() {
        return lease.toString();
    }
}
