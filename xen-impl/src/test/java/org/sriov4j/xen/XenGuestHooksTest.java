package org.sriov4j.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.GuestHook;
import org.sriov4j.HookVerdict;
import org.sriov4j.HotplugContext;
import org.sriov4j.HotplugException;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.testing.FakeXl;
import org.sriov4j.testing.SimulatedKernel;

/**
 * Guest hooks on the xen-pciback backend (simulated dom0, fake xl): prepare before {@code xl pci-attach}, commit
 * after it, the reverse around {@code xl pci-detach}; a veto or a refused attach leaves nothing attached; a backend
 * whose toolstack refuses comes through as its typed exception after the prepared hooks were aborted.
 */
class XenGuestHooksTest {

    private static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    private SimulatedKernel kernel;
    private FakeXl xl;
    private PciAddress vf;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void oneVf() {
        kernel = SimulatedKernel.xenDom0Host();
        xl = kernel.fakeXl();
        xl.createDomain("guest1", true);
        xl.createDomain("nopt", false);
        try (SriovHost host = kernel.openHost()) {
            vf = host.enableVfs(PF, 1).vfs().get(0);
        }
    }

    GuestHook hook(String name, int order, String veto) {
        return new GuestHook() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int order() {
                return order;
            }

            @Override
            public HookVerdict prepare(HotplugContext c) {
                calls.add(name + ".prepare " + c.operation() + " " + c.backend() + " attached=" + attached(c.guest()));
                return veto == null ? HookVerdict.proceed() : HookVerdict.veto(veto);
            }

            @Override
            public void commit(HotplugContext c) {
                calls.add(name + ".commit " + c.operation() + " attached=" + attached(c.guest()));
            }

            @Override
            public void abort(HotplugContext c) {
                calls.add(name + ".abort " + c.operation() + " attached=" + attached(c.guest()));
            }
        };
    }

    boolean attached(String guest) {
        return xl.attached(guest).contains(vf);
    }

    @Test
    void theHooksRunAroundXlPciAttachAndPciDetach() {
        try (SriovHost host = kernel.openHost(c -> c.hook(hook("b", 2, null)).hook(hook("a", 1, null))
                .loadGuestHooks(false)); Lease lease = host.lease(vf, "vm-1")) {
            lease.attachToGuest("guest1");
            assertEquals(List.of("a.prepare PLUG xen-pciback attached=false", "b.prepare PLUG xen-pciback attached=false",
                    "a.commit PLUG attached=true", "b.commit PLUG attached=true"), calls);
            calls.clear();
            lease.detachFromGuest();
            assertEquals(List.of("b.prepare UNPLUG xen-pciback attached=true",
                    "a.prepare UNPLUG xen-pciback attached=true", "b.commit UNPLUG attached=false",
                    "a.commit UNPLUG attached=false"), calls);
        }
    }

    @Test
    void aVetoLeavesNothingAttachedAndTheVfOnPciback() {
        try (SriovHost host = kernel.openHost(c -> c.hook(hook("a", 1, null)).hook(hook("veto", 2, "no"))
                .loadGuestHooks(false)); Lease lease = host.lease(vf, "vm-1")) {
            HotplugException e = assertThrows(HotplugException.class, () -> lease.attachToGuest("guest1"));
            assertEquals("veto", e.hook());
            assertEquals(List.of(), xl.attached("guest1"));
            assertEquals(Optional.of("pciback"), kernel.driverOf(vf));
            assertEquals(Optional.empty(), host.assignments().get(0).attachedTo());
            assertEquals(List.of("a.prepare PLUG xen-pciback attached=false",
                    "veto.prepare PLUG xen-pciback attached=false", "a.abort PLUG attached=false"), calls);
        }
    }

    @Test
    void aRefusedXlPciAttachAbortsThePreparedHooksAndKeepsItsTypedException() {
        try (SriovHost host = kernel.openHost(c -> c.hook(hook("a", 1, null)).hook(hook("b", 2, null))
                .loadGuestHooks(false)); Lease lease = host.lease(vf, "vm-1")) {
            XenToolstackException e = assertThrows(XenToolstackException.class, () -> lease.attachToGuest("nopt"));
            assertEquals(XenToolstackException.Kind.PASSTHROUGH_NOT_ENABLED, e.kind());
            assertEquals(List.of("a.prepare PLUG xen-pciback attached=false",
                    "b.prepare PLUG xen-pciback attached=false", "b.abort PLUG attached=false",
                    "a.abort PLUG attached=false"), calls);
            assertEquals(Optional.empty(), lease.attachedTo());
        }
    }
}
