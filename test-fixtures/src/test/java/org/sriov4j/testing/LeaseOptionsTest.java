package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.Errno;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.IncompatibleVfDriverException;
import org.sriov4j.Lease;
import org.sriov4j.LeaseHolder;
import org.sriov4j.LeaseOptions;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;

/**
 * {@link LeaseOptions} on the simulated 82576 (in-tree igb whose version the simulator cannot report, so the igb
 * matrix answers UNKNOWN): the verdict is reported on the lease and as an event, strict refuses before anything
 * changes, the network identity and holder apply as with the older overloads, and a pool passes the options on.
 */
class LeaseOptionsTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final GuestVfDriver IGBVF = GuestVfDriver.parse("igbvf:6.12.118");
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:2a");

    SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    SriovHost host;
    List<PciAddress> vfs;
    List<SriovEvent> events = new ArrayList<>();

    @BeforeEach
    void twoVfs() {
        host = kernel.openHost();
        vfs = host.enableVfs(PF, 2).vfs();
        host.subscribe(events::add);
    }

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void anUnknownVerdictIsReportedOnTheLeaseAndAsAnEventButDoesNotRefuse() {
        try (Lease lease = host.lease(vfs.get(0), "vm-1", LeaseOptions.builder().guestVfDriver(IGBVF).build())) {
            assertEquals(DriverCompatibility.UNKNOWN, lease.compatibility().orElseThrow().result(),
                    "the simulator reports no igb version: " + lease.compatibility());
            assertEquals("igbvf:6.12.118", lease.compatibility().orElseThrow().vfDriver());
            assertTrue(lease.isHeld());
            assertEquals(vfs.get(0), lease.device());
            SriovEvent.DriverChecked checked = events.stream().filter(SriovEvent.DriverChecked.class::isInstance)
                    .map(SriovEvent.DriverChecked.class::cast).findFirst().orElseThrow();
            assertEquals(false, checked.refused());
            assertEquals(vfs.get(0), checked.device());
            assertEquals(0, events.indexOf(checked), "checked before anything changed: " + events);
            assertTrue(events.get(events.size() - 1) instanceof SriovEvent.Leased, events.toString());
        }
        assertTrue(host.assignments().isEmpty());
    }

    @Test
    void strictRefusesAnUnknownVerdictBeforeAnythingChanges() {
        Optional<String> driver = kernel.driverOf(vfs.get(0));
        IncompatibleVfDriverException e = assertThrows(IncompatibleVfDriverException.class, () -> host.lease(
                vfs.get(0), "vm-1", LeaseOptions.builder().guestVfDriver(IGBVF).strictCompatibility(true)
                        .net(VfNetConfig.builder().mac(MAC).build()).build()));
        assertEquals(DriverCompatibility.UNKNOWN, e.verdict().result());
        assertEquals(Optional.of(vfs.get(0)), e.device());
        assertTrue(e.getMessage().contains("strict"), e.getMessage());
        assertEquals(driver, kernel.driverOf(vfs.get(0)), "not detached");
        assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(vfs.get(0)).mac(), "no setting changed");
        assertTrue(host.assignments().isEmpty(), "nothing recorded");
        assertTrue(events.stream().noneMatch(SriovEvent.Leased.class::isInstance));
        assertTrue(events.stream().anyMatch(ev -> ev instanceof SriovEvent.DriverChecked c && c.refused()));
    }

    @Test
    void aGuestVfDriverForAFunctionThatIsNoVfIsRefusedWithEnodev() {
        SriovException e = assertThrows(SriovException.class, () -> host.lease(PF, "vm-1",
                LeaseOptions.builder().guestVfDriver(IGBVF).build()));
        assertEquals(Optional.of(Errno.ENODEV), e.errno());
        assertTrue(host.assignments().isEmpty());
    }

    @Test
    void strictWithoutAGuestDriverIsRefusedAsMeaningless() {
        assertThrows(IllegalArgumentException.class, () -> LeaseOptions.builder().strictCompatibility(true).build());
    }

    @Test
    void holderAndNetworkIdentityApplyAsTheOlderOverloadsDo() {
        try (Lease lease = host.lease(vfs.get(0), "vm-1", LeaseOptions.builder().holder(LeaseHolder.durable())
                .net(VfNetConfig.builder().mac(MAC).vlan(7).build()).build())) {
            assertEquals(LeaseHolder.Kind.DURABLE, lease.holder().kind());
            assertEquals(Optional.of(MAC), host.vfNetConfig(vfs.get(0)).mac());
            assertEquals(Optional.empty(), lease.compatibility(), "no guest driver given: no verdict");
        }
        assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(vfs.get(0)).mac(), "restored at the end");
        assertEquals(LeaseOptions.defaults(), LeaseOptions.builder().build());
    }

    @Test
    void aLeasedVfsSettingsChangeThroughItsLeaseAndAreRestoredWhenItEnds() {
        try (Lease lease = host.lease(vfs.get(0), "vm-1")) {
            VfNetConfig after = lease.configureVf(VfNetConfig.builder().mac(MAC).build());
            assertEquals(Optional.of(MAC), after.mac());
            assertThrows(org.sriov4j.LeaseUnavailableException.class, () -> host.configureVf(vfs.get(0),
                    VfNetConfig.builder().mac(MacAddress.ZERO).build()), "only through the lease");
        }
        assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(vfs.get(0)).mac());
        Lease closed = host.lease(vfs.get(0), "vm-1");
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.configureVf(VfNetConfig.builder().mac(MAC).build()));
    }

    @Test
    void aPoolPassesTheOptionsOn() {
        VfPool pool = host.pool(VfSelector.parse(PF + "#0-1"));
        try (Lease lease = pool.lease("vm-1", LeaseOptions.builder().guestVfDriver(IGBVF)
                .net(VfNetConfig.builder().mac(MAC).build()).build())) {
            assertEquals(DriverCompatibility.UNKNOWN, lease.compatibility().orElseThrow().result());
            assertEquals(Optional.of(MAC), host.vfNetConfig(lease.device()).mac());
        }
        assertThrows(IncompatibleVfDriverException.class, () -> pool.lease("vm-1", LeaseOptions.builder()
                .guestVfDriver(IGBVF).strictCompatibility(true).build()));
        assertTrue(host.assignments().isEmpty());
    }
}
