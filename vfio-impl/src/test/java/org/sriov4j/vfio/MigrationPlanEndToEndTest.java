package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.PciAddress;
import org.sriov4j.migration.Candidate;
import org.sriov4j.migration.DevicePlan;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.MigrationAbortedException;
import org.sriov4j.migration.MigrationExecutor;
import org.sriov4j.migration.MigrationPlan;
import org.sriov4j.migration.MigrationPlanner;
import org.sriov4j.migration.PlanStep.Action;
import org.sriov4j.migration.PlanStep;
import org.sriov4j.migration.StepActions;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/**
 * A guest's VF moved by a plan on the fake VFIO kernel with an mlx5-like migration driver: the source's saved state
 * arrives in the destination device, a failure mid-transfer is rolled back (source RUNNING again, destination reset),
 * and a device without a migration driver is unplugged and re-plugged instead.
 */
class MigrationPlanEndToEndTest {
    static final long SC = VfioAbi.MIGRATION_STOP_COPY;
    static final long PRE = VfioAbi.MIGRATION_PRE_COPY;
    static final PciAddress SRC = PciAddress.parse("0000:01:10.0");
    static final PciAddress DST = PciAddress.parse("0000:02:10.0");
    static final Set<BackendFeature> KVM = Set.of(BackendFeature.USER_SPACE_DMA_MAPPING,
            BackendFeature.LIVE_MIGRATION_STATE_TRANSFER);

    FakeVfioKernel kernel;
    FakeDevice src;
    FakeDevice dst;
    IommuDomain domain;
    AssignedDevice srcDev;
    AssignedDevice dstDev;
    final byte[] pre = bytes(1000, 7);
    final byte[] stop = bytes(300, 11);

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * seed + 3);
        }
        return b;
    }

    @BeforeEach
    void setUp() {
        kernel = new FakeVfioKernel();
        src = new FakeDevice(SRC.toString(), 0x15b3, 0x101e).migratable(SC | PRE);
        dst = new FakeDevice(DST.toString(), 0x15b3, 0x101e).migratable(SC | PRE);
        src.preCopyData = pre;
        src.stopCopyData = stop;
        kernel.addGroup(6, true, src);
        kernel.addGroup(7, true, dst);
        domain = new VfioSystem(kernel, "/dev/").newDomain();
        srcDev = domain.openDevice(SRC, 6);
        dstDev = domain.openDevice(DST, 7);
    }

    @AfterEach
    void tearDown() {
        domain.close();
    }

    static DeviceProfile profile(PciAddress vf, String backend) {
        return DeviceProfile.fromJson(("""
                {"schemaVersion": 1,
                 "source": {"address": "%s", "iommuGroup": 6, "numaNode": 0, "backend": "%s",
                            "iommuInterface": "vfio-type1"},
                 "device": {"vendorId": "15b3", "deviceId": "101e", "subsystemVendorId": "15b3",
                            "subsystemDeviceId": "0001", "revision": "00", "classCode": "020000",
                            "vfDriver": "mlx5_core", "bars": [{"index": 0, "size": 2097152, "type": "mem64",
                            "prefetchable": true}], "msixVectors": 64},
                 "pf": {"address": "0000:01:00.0", "vendorId": "15b3", "deviceId": "101d", "driver": "mlx5_core",
                        "driverVersion": "6.12.118", "driverOrigin": "in-tree", "firmwareVersion": "22.36.1010"},
                 "net": "unknown", "vfioMigration": "unknown", "vendor": {}}
                """).formatted(vf, backend));
    }

    MigrationPlan plan(AssignedDevice source, AssignedDevice destination, Set<BackendFeature> features) {
        DeviceProfile sp = profile(source.address(), "kvm-vfio").withVfioMigration(source.migration().toProfile());
        DeviceProfile dp = profile(destination.address(), "kvm-vfio")
                .withVfioMigration(destination.migration().toProfile());
        Candidate c = new Candidate(destination.address(), dp, List.of(), Optional.empty(), true);
        return MigrationPlanner.plan("vm-1", List.of(new MigrationPlanner.Move(sp, c, features, features,
                Optional.empty())));
    }

    static StepActions vfioSteps(StepActions transfer) {
        Map<Action, StepActions> m = new EnumMap<>(Action.class);
        for (Action a : List.of(Action.RESUMING, Action.PRE_COPY, Action.STOP_COPY, Action.RESUME)) {
            m.put(a, transfer);
        }
        return StepActions.routing(m);
    }

    @Test
    void stateTransferMovesTheSavedStateIntoTheDestinationDevice() {
        MigrationPlan plan = plan(srcDev, dstDev, KVM);
        assertEquals(DevicePlan.Method.STATE_TRANSFER, plan.devices().get(0).method());
        assertEquals(List.of(Action.RESUMING, Action.PRE_COPY, Action.STOP_COPY, Action.RESUME),
                plan.steps().stream().map(PlanStep::action).toList(), plan.describe());

        List<PlanStep> done = MigrationExecutor.execute(plan, vfioSteps(VfioStateTransfer.inProcess(
                Map.of(SRC, srcDev, DST, dstDev))));

        assertEquals(4, done.size());
        byte[] expected = new byte[pre.length + stop.length];
        System.arraycopy(pre, 0, expected, 0, pre.length);
        System.arraycopy(stop, 0, expected, pre.length, stop.length);
        assertArrayEquals(expected, dst.resumed, "PRE_COPY then STOP_COPY data, in order, loaded on the destination");
        assertEquals(MigrationState.RUNNING, dstDev.migrationControl().state());
        assertEquals(MigrationState.STOP, srcDev.migrationControl().state(), "the source stays stopped: the guest "
                + "runs on the destination");
        assertEquals(List.of("RUNNING->PRE_COPY", "PRE_COPY->STOP_COPY", "STOP_COPY->STOP"), src.arcsTaken);
        assertEquals(List.of("RUNNING->STOP", "STOP->RESUMING", "RESUMING->STOP", "STOP->RUNNING"), dst.arcsTaken);
    }

    @Test
    void aChannelFailureMidTransferPutsTheSourceBackInRunningAndResetsTheDestination() {
        MigrationPlan plan = plan(srcDev, dstDev, KVM);
        int[] written = {0};
        OutputStream breaksAfter1100 = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (written[0] + len > 1100) {
                    throw new IOException("connection reset by the destination");
                }
                written[0] += len;
            }
        };
        VfioStateTransfer source = VfioStateTransfer.source(Map.of(SRC, srcDev), a -> breaksAfter1100);
        VfioStateTransfer destination = VfioStateTransfer.destination(Map.of(DST, dstDev),
                a -> new java.io.ByteArrayInputStream(new byte[0]));
        StepActions both = new StepActions() {
            @Override
            public void perform(PlanStep step, DevicePlan device) {
                (step.side() == PlanStep.Side.SOURCE ? source : destination).perform(step, device);
            }

            @Override
            public void undo(PlanStep step, DevicePlan device) {
                (step.side() == PlanStep.Side.SOURCE ? source : destination).undo(step, device);
            }
        };
        int resetsBefore = dst.resets;

        MigrationAbortedException e = assertThrows(MigrationAbortedException.class,
                () -> MigrationExecutor.execute(plan, vfioSteps(both)));

        assertEquals(Action.STOP_COPY, e.failedStep().action());
        assertTrue(e.fullyRolledBack(), e.getMessage());
        assertEquals(List.of(Action.STOP_COPY, Action.PRE_COPY, Action.RESUMING),
                e.undone().stream().map(PlanStep::action).toList());
        assertTrue(e.getMessage().contains("connection reset by the destination"), e.getMessage());
        assertTrue(e.getMessage().contains("everything was restored"), e.getMessage());
        assertEquals(MigrationState.RUNNING, srcDev.migrationControl().state(), "the guest's device runs on");
        assertEquals(MigrationState.RUNNING, dstDev.migrationControl().state());
        assertEquals(resetsBefore + 1, dst.resets, "the destination was reset: nothing half-loaded stays");
        assertNull(dst.resumed, "nothing was loaded on the destination");
    }

    @Test
    void aKernelRefusedArcIsRolledBackToo() {
        src.failArc(MigrationState.PRE_COPY, MigrationState.STOP_COPY, FakeVfioKernel.EIO);
        MigrationPlan plan = plan(srcDev, dstDev, KVM);

        MigrationAbortedException e = assertThrows(MigrationAbortedException.class,
                () -> MigrationExecutor.execute(plan, vfioSteps(VfioStateTransfer.inProcess(
                        Map.of(SRC, srcDev, DST, dstDev)))));

        assertEquals(Action.STOP_COPY, e.failedStep().action());
        assertTrue(e.getCause() instanceof MigrationException, String.valueOf(e.getCause()));
        assertTrue(e.fullyRolledBack(), e.getMessage());
        assertEquals(MigrationState.RUNNING, srcDev.migrationControl().state());
        assertEquals(MigrationState.RUNNING, dstDev.migrationControl().state());
    }

    @Test
    void aDeviceWithoutMigrationDriverIsUnpluggedAndReplugged() {
        dst.migrationFlags = -1; // no migration driver on the destination's VF
        MigrationPlan plan = plan(srcDev, dstDev, KVM);
        DevicePlan d = plan.devices().get(0);
        assertEquals(DevicePlan.Method.UNPLUG_REPLUG, d.method());
        assertTrue(d.reason().contains("destination device has no VFIO migration driver"), d.reason());
        List<String> log = new ArrayList<>();
        StepActions plug = new StepActions() {
            @Override
            public void perform(PlanStep step, DevicePlan device) {
                log.add(step.action() + " " + step.device());
            }

            @Override
            public void undo(PlanStep step, DevicePlan device) {
                log.add("undo " + step.action() + " " + step.device());
            }
        };
        MigrationExecutor.execute(plan, StepActions.routing(Map.of(Action.UNPLUG, plug, Action.PLUG, plug)));
        assertEquals(List.of("UNPLUG " + SRC, "PLUG " + DST), log);
        assertEquals(MigrationState.RUNNING, srcDev.migrationControl().state(), "no state was touched");
    }

    @Test
    void xenFeaturesGiveUnplugReplugEvenForMigrationCapableDevices() {
        MigrationPlan plan = plan(srcDev, dstDev, Set.of(BackendFeature.HOT_PLUG));
        assertEquals(DevicePlan.Method.UNPLUG_REPLUG, plan.devices().get(0).method());
        assertTrue(plan.devices().get(0).reason().contains("does not transfer device state"));
    }

    @Test
    void theInProcessChannelCarriesExactlyOneDevicesBytes() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        MigrationPlan plan = plan(srcDev, dstDev, KVM);
        VfioStateTransfer source = VfioStateTransfer.source(Map.of(SRC, srcDev), a -> sink);
        for (PlanStep s : plan.steps()) {
            if (s.side() == PlanStep.Side.SOURCE) {
                source.perform(s, plan.deviceOf(s));
            }
        }
        assertEquals(pre.length + stop.length, sink.size());
    }
}
