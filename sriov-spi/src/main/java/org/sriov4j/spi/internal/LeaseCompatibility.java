package org.sriov4j.spi.internal;

import java.util.Objects;
import java.util.Optional;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.IncompatibleVfDriverException;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovEvent;

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
    static final class JudgedLease extends ForwardingLease {
        private final CompatibilityVerdict verdict;

        JudgedLease(Lease lease, CompatibilityVerdict verdict) {
            super(lease);
            this.verdict = Objects.requireNonNull(verdict, "verdict");
        }

        @Override
        public Optional<CompatibilityVerdict> compatibility() {
            return Optional.of(verdict);
        }

        @Override
        public String toString() {
            String s = delegate().toString();
            return s.endsWith("]") ? s.substring(0, s.length() - 1) + ", " + verdict.result() + "]" : s;
        }
    }
}
