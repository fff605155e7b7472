package org.sriov4j.spi.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.IncompatibleVfDriverException;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovEvent;
import org.sriov4j.UnplugOutcome;
import org.sriov4j.VfNetConfig;

/**
 * The lease-time driver compatibility check ({@link org.sriov4j.LeaseOptions#guestVfDriver()}): the PF's vendor
 * matrix judges the guest's VF driver before anything on the host changes, and the lease keeps the verdict.
 */
final class LeaseCompatibility {
    private static final String OP = "lease";
    private static final System.Logger LOG = System.getLogger(LeaseCompatibility.class.getName());

    private LeaseCompatibility() {
    }

    /**
     * Judges the guest's VF driver for a lease of {@code vf}: emits {@link SriovEvent.DriverChecked}, refuses an
     * INCOMPATIBLE verdict (and an UNKNOWN one when strict), logs an UNKNOWN one as a warning.
     *
     * @return the verdict, when it does not refuse
     * @throws IncompatibleVfDriverException if it refuses; nothing was changed
     * @throws org.sriov4j.SriovException if {@code vf} is not a VF (ENODEV) or the matrix cannot be read
     */
    static CompatibilityVerdict judge(DestinationChecker checker, Events events, PciAddress vf, String guest,
            GuestVfDriver driver, boolean strict) {
        CompatibilityVerdict v = checker.compatibility(vf, driver);
        boolean refused = v.refuses(strict);
        events.emit(new SriovEvent.DriverChecked(vf, guest, v, refused));
        if (refused) {
            throw new IncompatibleVfDriverException(OP, vf, v, strict);
        }
        if (v.result() == DriverCompatibility.UNKNOWN) {
            LOG.log(System.Logger.Level.WARNING, "lease of {0} to {1}: {2}", vf, guest, v);
        }
        return v;
    }

    /** A lease that carries the verdict its guest VF driver got; everything else is the lease's. */
    static final class JudgedLease implements Lease {
        private final Lease lease;
        private final CompatibilityVerdict verdict;

        JudgedLease(Lease lease, CompatibilityVerdict verdict) {
            this.lease = Objects.requireNonNull(lease, "lease");
            this.verdict = Objects.requireNonNull(verdict, "verdict");
        }

        @Override
        public Optional<CompatibilityVerdict> compatibility() {
            return Optional.of(verdict);
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
            String s = lease.toString();
            return s.endsWith("]") ? s.substring(0, s.length() - 1) + ", " + verdict.result() + "]" : s;
        }
    }
}
