package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;

/**
 * The VF lifecycle through the library: detach to the host's stub driver ({@code vfio-pci}, {@code pciback}), reattach to exactly the
 * original driver, exclusive leases (managed and unmanaged), PF/VF exclusion and recovery, checked against raw
 * sysfs and {@code /dev/vfio}.
 */
public abstract class LifecycleContract extends HostContract {

    /** The stub driver of the kvm-vfio backend; the kits use {@link #stub()}, the host's. */
    protected static final String STUB = "vfio-pci";

    /**
     * The stub driver of the host under test ({@link ContractHost#stubDriver()}).
     *
     * @return e.g. {@code vfio-pci} or {@code pciback}
     */
    protected final String stub() {
        return host.stubDriver();
    }

    /** Creates the kit. */
    protected LifecycleContract() {
    }

    private @Nullable SriovHost second;

    /** A second library host on the same host and state directory: stands for another process. */
    protected final SriovHost second() {
        SriovHost s = second;
        if (s == null) {
            s = host.open();
            second = s;
        }
        return s;
    }

    @AfterEach
    final void closeSecond() {
        if (second != null) {
            second.close();
        }
        // put every VF of the PFs under test back before HostContract disables them
        try (SriovHost h = host.open()) {
            h.recover().keptDetached().forEach(h::reattach);
        }
    }

    private PciAddress vfOnHostDriver() {
        Assumptions.assumeTrue(pf().vfDriver().isPresent(), "no host VF driver");
        return sriov.enableVfs(pf().address(), 2).vfs().get(0);
    }

    private PciAddress unboundVf() {
        return sriov.enableVfs(pf().address(), 2, VfEnableOptions.builder().driversAutoprobe(false).build())
                .vfs().get(0);
    }

    private Optional<String> groupNode(PciAddress f) {
        return host.sysfs().linkName(dev(f) + "/iommu_group").map(g -> "vfio/" + g);
    }

    @Test
    void detachMovesAVfToTheStubDriverAndReattachGivesItBackToItsDriver() {
        PciAddress vf = vfOnHostDriver();
        PciFunction detached = sriov.detach(vf);
        assertEquals(Optional.of(stub()), detached.driver());
        assertEquals(Optional.of(stub()), driverOf(vf));
        groupNode(vf).ifPresent(n -> assertTrue(host.devices().exists(n), n + " missing after detach"));
        PciFunction back = sriov.reattach(vf);
        assertEquals(pf().vfDriver(), back.driver());
        assertEquals(pf().vfDriver(), driverOf(vf));
        assertEquals("(null)", read(dev(vf) + "/driver_override"));
        groupNode(vf).ifPresent(n -> assertFalse(host.devices().exists(n), n + " still there after reattach"));
    }

    @Test
    void aVfThatHadNoDriverIsLeftUnboundWithItsOverrideRestored() {
        PciAddress vf = unboundVf();
        write(dev(vf) + "/driver_override", "sriov4j-none");
        sriov.detach(vf);
        assertEquals(Optional.of(stub()), driverOf(vf));
        sriov.reattach(vf);
        assertEquals(Optional.empty(), driverOf(vf));
        assertEquals("sriov4j-none", read(dev(vf) + "/driver_override"));
    }

    @Test
    void detachingTwiceChangesNothingTheSecondTime() {
        PciAddress vf = vfOnHostDriver();
        sriov.detach(vf);
        sriov.detach(vf);
        assertEquals(Optional.of(stub()), driverOf(vf));
        sriov.reattach(vf);
        assertEquals(pf().vfDriver(), driverOf(vf), "the second detach lost the original driver");
    }

    @Test
    void aDetachedVfSurvivesTheHostObjectAndAnotherHostReattachesIt() {
        PciAddress vf = vfOnHostDriver();
        sriov.detach(vf);
        sriov.close(); // idempotent: the kit's clean-up closes it again
        assertEquals(Optional.of(stub()), driverOf(vf));
        second().reattach(vf);
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void aManagedLeaseDetachesAndClosingItGivesTheVfBack() {
        PciAddress vf = vfOnHostDriver();
        try (Lease lease = sriov.lease(vf, "guest-a")) {
            assertTrue(lease.managed());
            assertTrue(lease.isHeld());
            assertEquals(vf, lease.device());
            assertEquals("guest-a", lease.guest());
            assertEquals(Optional.of(stub()), driverOf(vf));
        }
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void aLeaseOfADetachedVfLeavesItDetachedWhenItEnds() {
        PciAddress vf = vfOnHostDriver();
        sriov.detach(vf);
        Lease lease = sriov.lease(vf, "guest-a");
        assertFalse(lease.managed());
        lease.close();
        assertFalse(lease.isHeld());
        assertEquals(Optional.of(stub()), driverOf(vf));
        sriov.reattach(vf);
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void aLeasedVfCannotBeLeasedAgainFromThisOrAnotherHost() {
        PciAddress vf = unboundVf();
        try (Lease lease = sriov.lease(vf, "guest-a")) {
            LeaseUnavailableException mine = assertThrows(LeaseUnavailableException.class,
                    () -> sriov.lease(vf, "guest-b"));
            assertEquals(Optional.of(Errno.EBUSY), mine.errno());
            LeaseUnavailableException other = assertThrows(LeaseUnavailableException.class,
                    () -> second().lease(vf, "guest-b"));
            assertTrue(other.holder().orElse("").contains("guest-a"), other.getMessage());
        }
        try (Lease again = second().lease(vf, "guest-b")) {
            assertTrue(again.isHeld());
        }
    }

    @Test
    void closingALeaseTwiceIsHarmless() {
        PciAddress vf = unboundVf();
        Lease lease = sriov.lease(vf, "guest-a");
        lease.close();
        lease.close();
        assertEquals(Optional.empty(), driverOf(vf));
    }

    @Test
    void aLeasedVfCannotBeDetachedOrReattachedByAnotherHost() {
        PciAddress vf = vfOnHostDriver();
        try (Lease lease = sriov.lease(vf, "guest-a")) {
            assertThrows(LeaseUnavailableException.class, () -> second().reattach(vf));
            assertThrows(LeaseUnavailableException.class, () -> second().detach(vf));
            assertEquals(Optional.of(stub()), driverOf(vf));
        }
    }

    @Test
    void thePfOfALeasedVfCannotChangeItsVfsOrBeLeased() {
        PciAddress vf = unboundVf();
        try (Lease lease = sriov.lease(vf, "guest-a")) {
            assertThrows(LeaseUnavailableException.class, () -> second().enableVfs(pf().address(), 3));
            assertThrows(LeaseUnavailableException.class, () -> second().disableVfs(pf().address()));
            assertThrows(LeaseUnavailableException.class, () -> second().lease(pf().address(), "guest-b"));
            assertVfCount(pf(), 2);
        }
        assertEquals(3, second().enableVfs(pf().address(), 3).numVfs());
    }

    @Test
    void recoverOnACleanHostDoesNothing() {
        assertTrue(sriov.recover().clean(), "nothing to recover");
    }

    @Test
    void recoverLeavesAnotherHostsLiveLeaseAlone() {
        PciAddress vf = vfOnHostDriver();
        try (Lease lease = second().lease(vf, "guest-a")) {
            var report = sriov.recover();
            assertTrue(report.stillHeld().contains(vf), report.toString());
            assertEquals(Optional.of(stub()), driverOf(vf));
        }
    }
}
