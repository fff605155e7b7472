package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.PoolExhaustedException;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;

/**
 * Pools, events and the shipped Intel vendor plugin on the real kernel: a pool over two VFs of the 82576 hands out
 * each once, is exhausted with EBUSY, and subscribers hear every change.
 */
class RealPoolAndEventsIT {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    SriovHost host;
    final List<SriovEvent> heard = new ArrayList<>();

    @BeforeEach
    void open() {
        host = SriovHost.open(SriovConfig.defaults());
        host.recover();
        host.subscribe(heard::add);
    }

    @AfterEach
    void close() {
        host.close();
        try (SriovHost h = SriovHost.open(SriovConfig.defaults())) {
            h.recover().keptDetached().forEach(h::reattach);
            h.disableVfs(PF);
        }
    }

    @Test
    void aPoolHandsOutEachVfOnceThenIsExhaustedAndEveryChangeIsHeard() {
        List<PciAddress> vfs = host.enableVfs(PF, 3, VfEnableOptions.builder().driversAutoprobe(true).build()).vfs();
        VfPool pool = host.pool(VfSelector.parse("0000:01:00.0#0-1"));
        assertEquals(vfs.subList(0, 2), pool.members());
        try (Lease a = pool.lease("vm-a"); Lease b = pool.lease("vm-b")) {
            assertNotEquals(a.device(), b.device());
            assertTrue(a.managed() && b.managed(), "the VFs were on igbvf");
            PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.lease("vm-c"));
            assertEquals(Optional.of(Errno.EBUSY), e.errno());
            assertEquals(2, e.busy());
        }
        List<Class<?>> kinds = heard.stream().<Class<?>>map(Object::getClass).toList();
        assertEquals(3, kinds.stream().filter(SriovEvent.VfCreated.class::equals).count(), heard.toString());
        assertEquals(2, kinds.stream().filter(SriovEvent.Detached.class::equals).count(), heard.toString());
        assertEquals(2, kinds.stream().filter(SriovEvent.Leased.class::equals).count(), heard.toString());
        assertEquals(2, kinds.stream().filter(SriovEvent.Reattached.class::equals).count(), heard.toString());
        assertEquals(2, kinds.stream().filter(SriovEvent.Released.class::equals).count(), heard.toString());
        assertEquals(List.of(), host.assignments());
    }
}
