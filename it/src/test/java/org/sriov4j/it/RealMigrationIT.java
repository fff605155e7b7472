package org.sriov4j.it;

import org.sriov4j.migration.MigrationHost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Lease;
import org.sriov4j.LeaseOptions;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.migration.DevicePlan;
import org.sriov4j.migration.LeaseNetActions;
import org.sriov4j.migration.MigrationExecutor;
import org.sriov4j.migration.MigrationPlan;
import org.sriov4j.migration.MigrationPlanner;
import org.sriov4j.migration.PlanStep;
import org.sriov4j.migration.StepActions;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.migration.Candidate;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DestinationReport;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.migration.Finding;
import org.sriov4j.migration.Finding.Outcome;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.testdata.CapturedTrees;

/**
 * Issue 13 on the real 6.12 kernel: the profile of a leased 82576 VF (ids, BARs from {@code resource}, MSI-X from
 * {@code config}, PF driver and firmware versions through ETHTOOL_GDRVINFO, module origin), checked against the same
 * host (another VF of the same PF fits; the MAC and VLAN the lease gave the source VF, read back from the kernel
 * into the profile, are carried over and set on the destination VF by the plan's APPLY_NET_CONFIG step through its
 * lease) and against captured trees of other hosts.
 */
class RealMigrationIT {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    @TempDir
    Path tmp;

    SriovHost host;

    @BeforeEach
    void threeVfs() {
        host = SriovHost.open(SriovConfig.defaults());
        host.recover();
        host.enableVfs(PF, 3);
    }

    @AfterEach
    void cleanUp() {
        host.recover().keptDetached().forEach(host::reattach);
        host.disableVfs(PF);
        host.close();
    }

    PciAddress vf(int i) {
        return host.topology().physicalFunction(PF).orElseThrow().vfs().get(i);
    }

    static String kernelRelease() throws Exception {
        return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    }

    DeviceProfile leasedProfile(PciAddress vf) throws Exception {
        long t0 = System.nanoTime();
        DeviceProfile p = MigrationHost.of(host).profile(vf);
        System.out.printf("  profile of %s in %.1f ms%n%s%n", vf, (System.nanoTime() - t0) / 1e6, p.toJson());
        return p;
    }

    static final MacAddress MAC = MacAddress.parse("52:54:00:aa:bb:01");
    static final VfNetConfig.Vlan VLAN = new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1Q);

    @Test
    void aLeasedVfsProfileIsCompleteAndAnotherVfOfItsPfTakesItsMacAndVlan() throws Exception {
        PciAddress vf0 = vf(0);
        GuestVfDriver guest = new GuestVfDriver("igbvf", kernelRelease());
        VfNetConfig sourceBefore = host.vfNetConfig(vf0);
        try (Lease lease = host.lease(vf0, "vm-mig", LeaseOptions.builder()
                .net(VfNetConfig.builder().mac(MAC).vlan(VLAN).build()).guestVfDriver(guest).build())) {
            assertEquals(DriverCompatibility.COMPATIBLE, lease.compatibility().orElseThrow().result(),
                    "the lease-time check: " + lease.compatibility());
            DeviceProfile p = leasedProfile(vf0);
            assertEquals("8086:10ca", p.id().toString());
            assertEquals(0x020000, p.classCode());
            assertTrue(p.subsystem().isPresent() && p.revision().isPresent());
            assertEquals(Optional.of("igbvf"), p.vfDriver());
            List<DeviceProfile.Bar> bars = p.bars().orElseThrow();
            assertFalse(bars.isEmpty(), "resource lists the VF's BARs");
            assertEquals(OptionalInt.of(3), p.msixVectors(), "an 82576 VF has 3 MSI-X vectors (VFIO says 3 too)");
            assertEquals(Optional.of("igb"), p.pf().driver());
            assertEquals(Optional.of(kernelRelease()), p.pf().driverVersion(),
                    "in-tree igb reports the kernel release through ETHTOOL_GDRVINFO");
            assertEquals(Optional.of(DriverOrigin.IN_TREE), p.pf().driverOrigin());
            System.out.println("  PF firmware (ETHTOOL_GDRVINFO fw_version): " + p.pf().firmwareVersion());
            assertEquals(Optional.of("kvm-vfio"), p.backend());
            assertEquals(Optional.of(DeviceProfile.IOMMU_TYPE1), p.iommuInterface(), "6.12 has no iommufd");
            VfNetConfig net = p.net().orElseThrow(() -> new AssertionError("the kernel reports the VF's settings"));
            assertEquals(Optional.of(MAC), net.mac(), "read back from the kernel (RTM_GETLINK IFLA_VF_MAC)");
            assertEquals(Optional.of(VLAN), net.vlan());
            assertEquals(Optional.of(true), net.spoofCheck(), "the lease's secure default");
            assertEquals(p, DeviceProfile.fromJson(p.toJson()));

            long t0 = System.nanoTime();
            DestinationReport r = MigrationHost.of(host).checkDestination(p, DestinationOptions.defaults());
            System.out.printf("  check on the same host in %.1f ms: %s%n", (System.nanoTime() - t0) / 1e6,
                    r.chosen().map(Candidate::findings).orElse(List.of()));
            assertEquals(2, r.freeVfs(), "the leased VF is no candidate");
            Candidate c = r.chosen().orElseThrow(() -> new AssertionError("no fit: " + r.candidates()));
            assertEquals(vf(1), c.vf());
            assertTrue(c.findings(Outcome.DIFFERENT).isEmpty(), c.findings().toString());
            assertTrue(c.findings(Outcome.NOT_APPLICABLE).isEmpty(), c.findings().toString());
            assertTrue(c.findings(Outcome.UNVERIFIED).isEmpty(), "everything is known on a live host: "
                    + c.findings(Outcome.UNVERIFIED));
            assertEquals(List.of("net.mac", "net.vlan", "net.qos"), c.applied().stream()
                    .filter(f -> f.detail().equals("applied on the destination")).map(Finding::field).toList(),
                    c.applied().toString());
            assertTrue(MigrationHost.of(host).checkDestination(p, DestinationOptions.builder().strict(true).build())
                    .fits());

            // a link state the destination VF does not have: igb has no VF link-state control
            DeviceProfile disabled = p.withNet(net.toBuilder().linkState(VfNetConfig.LinkState.DISABLE).build());
            DestinationReport refused = MigrationHost.of(host).checkDestination(disabled,
                    DestinationOptions.defaults());
            assertFalse(refused.fits());
            Finding link = refused.candidates().get(0).findings().stream()
                    .filter(f -> f.field().equals("net.linkState")).findFirst().orElseThrow();
            System.out.println("  " + link);
            assertEquals(Outcome.NOT_APPLICABLE, link.outcome());

            CompatibilityVerdict v = MigrationHost.of(host).vfDriverCompatibility(c.vf(), guest);
            System.out.println("  " + v);
            assertEquals(DriverCompatibility.COMPATIBLE, v.result());

            // the plan's APPLY_NET_CONFIG step sets them on the destination VF through its lease
            VfNetConfig before = host.vfNetConfig(c.vf());
            MigrationPlan plan = MigrationPlanner.plan("vm-mig", List.of(new MigrationPlanner.Move(p, c,
                    host.backendFeatures(), host.backendFeatures(), Optional.empty())));
            System.out.println(plan.describe());
            try (Lease dst = host.lease(c.vf(), "vm-mig")) {
                StepActions net0 = new LeaseNetActions(host, java.util.Map.of(c.vf(), dst));
                StepActions nothing = new StepActions() {
                    @Override
                    public void perform(PlanStep step, DevicePlan device) {
                    }

                    @Override
                    public void undo(PlanStep step, DevicePlan device) {
                    }
                };
                java.util.Map<PlanStep.Action, StepActions> routes = new java.util.EnumMap<>(PlanStep.Action.class);
                for (PlanStep.Action a : PlanStep.Action.values()) {
                    routes.put(a, a == PlanStep.Action.APPLY_NET_CONFIG ? net0 : nothing);
                }
                t0 = System.nanoTime();
                MigrationExecutor.execute(plan, StepActions.routing(routes));
                System.out.printf("  plan carried out (APPLY_NET_CONFIG real, the rest no-ops) in %.1f ms%n",
                        (System.nanoTime() - t0) / 1e6);
                VfNetConfig now = host.vfNetConfig(c.vf());
                assertEquals(Optional.of(MAC), now.mac(), "set on the destination VF by the kernel");
                assertEquals(Optional.of(VLAN), now.vlan());
            }
            assertEquals(before, host.vfNetConfig(c.vf()), "the end of the destination lease restored its settings");
        }
        assertEquals(sourceBefore, host.vfNetConfig(vf0), "and the source lease's");
    }

    @Test
    void theRealProfileAgainstCapturedTreesOfOtherHosts() throws Exception {
        DeviceProfile p;
        try (Lease lease = host.lease(vf(0), "vm-mig")) {
            p = leasedProfile(vf(0));
        }
        for (String tree : CapturedTrees.NAMES) {
            Path dir = Files.createDirectories(tmp.resolve(tree));
            Path root = CapturedTrees.unpack(tree, dir);
            try (SriovHost other = SriovHost.open(SriovConfig.builder().sysfsRoot(root)
                    .stateDir(Files.createDirectories(dir.resolve("state"))).build())) {
                DestinationReport r = MigrationHost.of(other).checkDestination(p, DestinationOptions.defaults());
                DestinationReport strict = MigrationHost.of(other).checkDestination(p, DestinationOptions.builder().strict(true).build());
                System.out.printf("  %s: %d free, fits %s, strict fits %s; %s%n", tree, r.freeVfs(), r.fits(),
                        strict.fits(), r.candidates().isEmpty() ? "no candidate" : r.candidates().get(0).findings());
                if (tree.equals("igb-novf")) {
                    assertEquals(0, r.freeVfs());
                    continue;
                }
                Candidate c = r.chosen().orElseThrow(() -> new AssertionError(tree + ": " + r.candidates()));
                assertTrue(c.findings(Outcome.DIFFERENT).isEmpty(), tree + ": " + c.findings());
                List<String> unverified = c.findings(Outcome.UNVERIFIED).stream().map(Finding::field).toList();
                assertTrue(unverified.contains("pf.firmwareVersion"), "no ethtool on a captured tree: " + unverified);
                assertFalse(strict.fits(), "strict refuses what it cannot verify");
                if (tree.equals("igb-7vf-lib") || tree.equals("igb-dual-lib")) {
                    assertTrue(unverified.containsAll(List.of("device.bars", "device.msixVectors")), tree + ": "
                            + unverified);
                }
            }
        }
    }
}
