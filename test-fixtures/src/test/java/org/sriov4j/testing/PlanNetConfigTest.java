package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.LeaseOptions;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.migration.Candidate;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DevicePlan;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.Finding;
import org.sriov4j.migration.LeaseNetActions;
import org.sriov4j.migration.MigrationAbortedException;
import org.sriov4j.migration.MigrationExecutor;
import org.sriov4j.migration.MigrationHost;
import org.sriov4j.migration.MigrationPlan;
import org.sriov4j.migration.MigrationPlanner;
import org.sriov4j.migration.PlanStep;
import org.sriov4j.migration.PlanStep.Action;
import org.sriov4j.migration.StepActions;

/**
 * A plan's APPLY_NET_CONFIG step on the simulated 82576: the source VF's MAC and VLAN, read into its profile from the
 * kernel, are set on the destination VF through its lease; a later failed step sets them back; the end of the lease
 * restores what the VF had before it.
 */
class PlanNetConfigTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final MacAddress MAC = MacAddress.parse("52:54:00:aa:bb:01");
    static final VfNetConfig.Vlan VLAN = new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1Q);

    SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    SriovHost host;
    List<PciAddress> vfs;

    @BeforeEach
    void threeVfs() {
        host = kernel.openHost();
        vfs = host.enableVfs(PF, 3).vfs();
    }

    @AfterEach
    void close() {
        host.close();
    }

    /** Carries out nothing: the VMM's part of the steps, for this test. */
    static final StepActions NOTHING = new StepActions() {
        @Override
        public void perform(PlanStep step, DevicePlan device) {
        }

        @Override
        public void undo(PlanStep step, DevicePlan device) {
        }
    };

    static StepActions routing(StepActions net, StepActions others) {
        Map<Action, StepActions> m = new EnumMap<>(Action.class);
        for (Action a : Action.values()) {
            m.put(a, a == Action.APPLY_NET_CONFIG ? net : others);
        }
        return StepActions.routing(m);
    }

    MigrationPlan plan(DeviceProfile source, Candidate chosen) {
        return MigrationPlanner.plan("vm-mig", List.of(new MigrationPlanner.Move(source, chosen,
                host.backendFeatures(), host.backendFeatures(), Optional.empty())));
    }

    @Test
    void theSourcesMacAndVlanAreSetOnTheDestinationVfThroughItsLeaseAndTheLeaseEndRestoresThem() {
        VfNetConfig before = host.vfNetConfig(vfs.get(1));
        try (Lease src = host.lease(vfs.get(0), "vm-mig", LeaseOptions.builder()
                .net(VfNetConfig.builder().mac(MAC).vlan(VLAN).build()).build())) {
            DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
            assertEquals(Optional.of(MAC), p.net().orElseThrow().mac(), "read from the kernel");
            Candidate c = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults()).chosen()
                    .orElseThrow();
            assertEquals(vfs.get(1), c.vf());
            assertEquals(List.of("net.mac", "net.vlan", "net.qos"), c.applied().stream()
                    .filter(f -> f.detail().equals("applied on the destination")).map(Finding::field).toList());
            MigrationPlan plan = plan(p, c);
            DevicePlan d = plan.devices().get(0);
            assertEquals(VfNetConfig.builder().mac(MAC).vlan(VLAN).build(), d.applyOnDestination(),
                    "only what the destination VF does not have already");
            assertEquals(Action.APPLY_NET_CONFIG, plan.steps().get(0).action(), plan.describe());

            try (Lease dst = host.lease(c.vf(), "vm-mig")) {
                MigrationExecutor.execute(plan, routing(new LeaseNetActions(host, Map.of(c.vf(), dst)), NOTHING));
                VfNetConfig now = host.vfNetConfig(c.vf());
                assertEquals(Optional.of(MAC), now.mac());
                assertEquals(Optional.of(VLAN), now.vlan());
                assertEquals(before, host.savedVfNetConfig(c.vf()).orElseThrow().only(before.settings()),
                        "the settings before the step are kept for the end of the lease");
            }
            assertEquals(before, host.vfNetConfig(vfs.get(1)), "the end of the lease restored them");
            assertEquals(Optional.empty(), host.savedVfNetConfig(vfs.get(1)));
        }
    }

    @Test
    void aLaterFailedStepSetsTheDestinationVfsSettingsBack() {
        VfNetConfig before = host.vfNetConfig(vfs.get(1));
        try (Lease src = host.lease(vfs.get(0), "vm-mig", LeaseOptions.builder()
                .net(VfNetConfig.builder().mac(MAC).vlan(VLAN).build()).build())) {
            DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
            Candidate c = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults()).chosen()
                    .orElseThrow();
            MigrationPlan plan = plan(p, c);
            StepActions failing = new StepActions() {
                @Override
                public void perform(PlanStep step, DevicePlan device) {
                    throw new SriovException("migration step " + step.number(), step.device(), Errno.EIO, null,
                            "the stream broke", null);
                }

                @Override
                public void undo(PlanStep step, DevicePlan device) {
                }
            };
            try (Lease dst = host.lease(c.vf(), "vm-mig")) {
                MigrationAbortedException e = assertThrows(MigrationAbortedException.class,
                        () -> MigrationExecutor.execute(plan, routing(new LeaseNetActions(host,
                                Map.of(c.vf(), dst)), failing)));
                assertTrue(e.fullyRolledBack(), e.getMessage());
                assertTrue(e.getMessage().contains("1 DESTINATION APPLY_NET_CONFIG"), e.getMessage());
                assertEquals(before.mac(), host.vfNetConfig(c.vf()).mac(), "the step was undone");
                assertEquals(before.vlan(), host.vfNetConfig(c.vf()).vlan());
                assertTrue(dst.isHeld(), "the lease itself is the VMM's to end");
            }
        }
    }

    @Test
    void aSettingTheVendorRefusesFailsTheStepAndChangesNothing() {
        try (Lease dst = host.lease(vfs.get(1), "vm-mig")) {
            DeviceProfile p = MigrationHost.of(host).profile(vfs.get(0));
            Candidate c = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults()).chosen()
                    .orElseThrow();
            DevicePlan d = new DevicePlan(vfs.get(0), vfs.get(1), DevicePlan.Method.UNPLUG_REPLUG, "test",
                    VfNetConfig.builder().mac(MAC).linkState(VfNetConfig.LinkState.DISABLE).build(),
                    Optional.empty());
            PlanStep step = new PlanStep(1, PlanStep.Side.DESTINATION, Action.APPLY_NET_CONFIG, vfs.get(1), "apply");
            LeaseNetActions net = new LeaseNetActions(host, Map.of(vfs.get(1), dst));
            org.sriov4j.VfNetConfigException e = assertThrows(org.sriov4j.VfNetConfigException.class,
                    () -> net.perform(step, d));
            assertEquals(Optional.of(Errno.EOPNOTSUPP), e.errno(), "igb has no VF link-state control");
            assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(vfs.get(1)).mac(), "nothing changed");
            net.undo(step, d); // nothing to undo
            assertEquals(Optional.of(MacAddress.ZERO), host.vfNetConfig(vfs.get(1)).mac());
            assertTrue(c.fits());
        }
    }
}
