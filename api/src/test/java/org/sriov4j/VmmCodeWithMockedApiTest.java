package org.sriov4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Captor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

/**
 * What a VMM's own unit tests do with sriov4j: mock {@link SriovHost}, {@link VfPool}, {@link Lease} and
 * {@link Subscription} with Mockito and test the VMM's code against them, without a host, a simulator or a
 * {@code catch (Exception)} (every handle's {@code close()} is unchecked).
 */
@ExtendWith(MockitoExtension.class)
class VmmCodeWithMockedApiTest {

    private static final VfSelector MINE = VfSelector.parse("ens1f0#0-3");
    private static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    private static final PciAddress VF1 = PciAddress.parse("0000:01:10.2");

    @Mock SriovHost host;
    @Mock VfPool pool;
    @Mock Lease lease0;
    @Mock Lease lease1;
    @Mock Subscription subscription;
    @Captor ArgumentCaptor<Consumer<? super SriovEvent>> listener;

    /**
     * The VMM code under test: gives each starting guest a VF from its pool, preferably on the guest's NUMA node,
     * gives it back when the guest stops, and forgets a VF whose lease another part of the VMM ended.
     */
    static final class GuestNics implements AutoCloseable {
        private final VfPool pool;
        private final Subscription subscription;
        private final Map<String, Lease> leases = new LinkedHashMap<>();

        GuestNics(SriovHost host, VfSelector selector) {
            this.pool = host.pool(selector);
            this.subscription = host.subscribe(this::onEvent);
        }

        synchronized Optional<PciAddress> start(String guest, int numaNode) {
            Optional<Lease> lease = pool.tryLease(guest, numaNode);
            lease.ifPresent(l -> leases.put(guest, l));
            return lease.map(Lease::device);
        }

        synchronized void stop(String guest) {
            Lease lease = leases.remove(guest);
            if (lease != null) {
                lease.close();
            }
        }

        synchronized Map<String, PciAddress> running() {
            Map<String, PciAddress> out = new LinkedHashMap<>();
            leases.forEach((guest, lease) -> out.put(guest, lease.device()));
            return out;
        }

        private synchronized void onEvent(SriovEvent event) {
            if (event instanceof SriovEvent.Released released) {
                leases.remove(released.guest());
            }
        }

        @Override
        public synchronized void close() {
            try (subscription) {
                for (String guest : leases.keySet().toArray(String[]::new)) {
                    stop(guest);
                }
            }
        }
    }

    @BeforeEach
    void aHostWithAPool() {
        when(host.pool(MINE)).thenReturn(pool);
        when(host.subscribe(listener.capture())).thenReturn(subscription);
    }

    @Test
    void aStartingGuestGetsAVfFromThePoolOnItsNumaNode() {
        when(pool.tryLease("vm-1", 1)).thenReturn(Optional.of(lease0));
        when(lease0.device()).thenReturn(VF0);
        try (GuestNics nics = new GuestNics(host, MINE)) {
            assertEquals(Optional.of(VF0), nics.start("vm-1", 1));
            assertEquals(Map.of("vm-1", VF0), nics.running());
        }
    }

    @Test
    void aGuestStartsWithoutAVfWhenThePoolIsExhausted() {
        when(pool.tryLease(any(), any(Integer.class))).thenReturn(Optional.empty());
        try (GuestNics nics = new GuestNics(host, MINE)) {
            assertEquals(Optional.empty(), nics.start("vm-1", 0));
            assertTrue(nics.running().isEmpty());
        }
    }

    @Test
    void stoppingAGuestEndsItsLeaseAndClosingEndsTheRestAndTheSubscription() {
        when(pool.tryLease("vm-1", 0)).thenReturn(Optional.of(lease0));
        when(pool.tryLease("vm-2", 0)).thenReturn(Optional.of(lease1));
        when(lease1.device()).thenReturn(VF1);
        GuestNics nics = new GuestNics(host, MINE);
        nics.start("vm-1", 0);
        nics.start("vm-2", 0);
        nics.stop("vm-1");
        verify(lease0).close();
        verify(lease1, never()).close();
        assertEquals(Map.of("vm-2", VF1), nics.running());
        nics.close();
        verify(lease1).close();
        verify(subscription).close();
    }

    @Test
    void aLeaseEndedElsewhereIsForgottenWhenTheReleasedEventArrives() {
        when(pool.tryLease("vm-1", 0)).thenReturn(Optional.of(lease0));
        try (GuestNics nics = new GuestNics(host, MINE)) {
            nics.start("vm-1", 0);
            listener.getValue().accept(new SriovEvent.Released(VF0, "vm-1"));
            assertTrue(nics.running().isEmpty());
            nics.stop("vm-1");
        }
        verify(lease0, never()).close();
    }

    @Test
    void aFailedReleaseReachesTheVmmAsTheSriovExceptionTheHostThrew() {
        SriovException refused = new SriovException("reattach", VF0, Errno.EIO, null,
                "the ledger keeps the record for recover()", null);
        when(pool.tryLease("vm-1", 0)).thenReturn(Optional.of(lease0));
        doThrow(refused).when(lease0).close();
        try (GuestNics nics = new GuestNics(host, MINE)) {
            nics.start("vm-1", 0);
            assertSame(refused, assertThrows(SriovException.class, () -> nics.stop("vm-1")));
        }
        verify(subscription).close();
    }
}
