package org.sriov4j.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.migration.Candidate;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DestinationReport;
import org.sriov4j.migration.DevicePlan;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.migration.LeasePlugActions;
import org.sriov4j.migration.MigrationAbortedException;
import org.sriov4j.migration.MigrationExecutor;
import org.sriov4j.migration.MigrationHost;
import org.sriov4j.migration.MigrationPlan;
import org.sriov4j.migration.MigrationPlanner;
import org.sriov4j.migration.PlanStep.Action;
import org.sriov4j.migration.StepActions;
import org.sriov4j.testing.FakeXl;
import org.sriov4j.testing.SimulatedKernel;

/**
 * On a simulated Xen dom0: Xen has no device-state transfer, so the plan unplugs the guest's VF ({@code xl
 * pci-detach}) and plugs the destination's ({@code xl pci-attach}) through the leases, paired with a virtio-net
 * standby; a failed plug is rolled back by plugging the source VF in again.
 */
class XenMigrationPlanTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final MacAddress STANDBY = MacAddress.parse("52:54:00:00:00:42");

    SimulatedKernel kernel;
    FakeXl xl;
    SriovHost host;
    List<PciAddress> vfs;

    @BeforeEach
    void setUp() {
        kernel = SimulatedKernel.xenDom0Host();
        xl = kernel.fakeXl();
        xl.createDomain("vm-1", true);
        host = kernel.openHost();
        vfs = host.enableVfs(PF, 2).vfs();
    }

    @AfterEach
    void tearDown() {
        host.close();
    }

    MigrationPlan plan(DeviceProfile source, Candidate chosen) {
        return MigrationPlanner.plan("vm-1", List.of(new MigrationPlanner.Move(source, chosen,
                host.backendFeatures(), host.backendFeatures(), Optional.of(STANDBY))));
    }

    @Test
    void theGuestsVfIsUnpluggedAndTheDestinationsPluggedWithTheStandbysMac() {
        try (Lease src = host.lease(vfs.get(0), "vm-1")) {
            src.attachToGuest("vm-1");
            DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
            assertEquals(Optional.of("xen-pciback"), p.backend());
            assertEquals(Optional.of(DeviceProfile.IOMMU_HYPERVISOR), p.iommuInterface());
            DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults());
            Candidate c = r.chosen().orElseThrow(() -> new AssertionError(r.candidates().toString()));
            assertEquals(vfs.get(1), c.vf());
            MigrationPlan plan = plan(p, c);
            DevicePlan d = plan.devices().get(0);
            assertEquals(DevicePlan.Method.UNPLUG_REPLUG, d.method());
            assertTrue(d.reason().contains("xen-pciback does not transfer device state"), d.reason());
            assertEquals(VfNetConfig.builder().mac(STANDBY).build(), d.applyOnDestination(),
                    "the VF takes the standby's MAC; the rest it has already");
            assertEquals(List.of(Action.APPLY_NET_CONFIG, Action.UNPLUG, Action.PLUG),
                    plan.steps().stream().map(s -> s.action()).toList(), plan.describe());

            try (Lease dst = host.lease(c.vf(), "vm-1")) {
                LeasePlugActions plug = new LeasePlugActions(Map.of(vfs.get(0), src, c.vf(), dst), "vm-1", "vm-1");
                StepActions noNet = StepActions.routing(Map.of(Action.UNPLUG, plug, Action.PLUG, plug,
                        Action.APPLY_NET_CONFIG, new StepActions() {
                            @Override
                            public void perform(org.sriov4j.migration.PlanStep step, DevicePlan device) {
                            }

                            @Override
                            public void undo(org.sriov4j.migration.PlanStep step, DevicePlan device) {
                            }
                        }));
                MigrationExecutor.execute(plan, noNet);
                assertEquals(List.of(c.vf()), xl.attached("vm-1"), "xl pci-detach of the old, pci-attach of the new");
                assertEquals(Optional.empty(), src.attachedTo());
                assertEquals(Optional.of("vm-1"), dst.attachedTo());
            }
        }
    }

    @Test
    void aFailedPlugPlugsTheSourceVfBackIn() {
        try (Lease src = host.lease(vfs.get(0), "vm-1")) {
            src.attachToGuest("vm-1");
            DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
            Candidate c = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults()).chosen().orElseThrow();
            MigrationPlan plan = MigrationPlanner.plan("vm-1", List.of(new MigrationPlanner.Move(p, c,
                    host.backendFeatures(), host.backendFeatures(), Optional.empty())));
            try (Lease dst = host.lease(c.vf(), "vm-1")) {
                LeasePlugActions plug = new LeasePlugActions(Map.of(vfs.get(0), src, c.vf(), dst), "vm-1",
                        "no-such-domain");
                MigrationAbortedException e = assertThrows(MigrationAbortedException.class,
                        () -> MigrationExecutor.execute(plan, StepActions.routing(Map.of(Action.UNPLUG, plug,
                                Action.PLUG, plug))));
                assertEquals(Action.PLUG, e.failedStep().action());
                assertTrue(e.fullyRolledBack(), e.getMessage());
                assertTrue(e.getCause() instanceof XenToolstackException, String.valueOf(e.getCause()));
                assertEquals(List.of(vfs.get(0)), xl.attached("vm-1"), "the guest has its VF again");
                assertEquals(Optional.of("vm-1"), src.attachedTo());
            }
        }
    }

    @Test
    void aDetachedVfAttachedToAGuestIsNoCandidateThoughNoProcessHoldsIt() {
        host.detach(vfs.get(0));
        host.attachToGuest(vfs.get(0), "vm-1");
        DestinationReport r = MigrationHost.of(host).checkDestination(MigrationHost.of(host).profile(vfs.get(0)), DestinationOptions.defaults());
        assertEquals(1, r.freeVfs());
        assertEquals(vfs.get(1), r.chosen().orElseThrow().vf());
        host.detachFromGuest(vfs.get(0));
        assertEquals(2, MigrationHost.of(host).checkDestination(MigrationHost.of(host).profile(vfs.get(0)), DestinationOptions.defaults()).freeVfs(),
                "detached to pciback by sriov4j and attached to no guest: free");
        host.reattach(vfs.get(0));
    }
}
