package org.sriov4j.testing.contract;

import org.sriov4j.migration.MigrationHost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sriov4j.FunctionKind;
import org.sriov4j.IommuGroup;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;

/**
 * Discovery: what {@link org.sriov4j.SriovHost#topology()} reports for the PFs under test and for VFs created
 * directly through sysfs (not through the library), checked against raw sysfs.
 */
public abstract class DiscoveryContract extends HostContract {

    /** Creates the kit. */
    protected DiscoveryContract() {
    }

    @Test
    void everyPfUnderTestIsReportedWithItsIdsDriverAndVfLimit() {
        Topology t = sriov.topology();
        for (PfUnderTest pf : host.pfs()) {
            PhysicalFunction p = t.physicalFunction(pf.address()).orElseThrow(() -> new AssertionError(
                    pf.address() + " not reported: " + t.physicalFunctions()));
            assertEquals(FunctionKind.PF, p.function().kind());
            assertEquals(pf.id(), p.function().id());
            assertEquals(pf.vfId(), p.vfId());
            assertEquals(pf.totalVfs(), p.totalVfs());
            assertEquals(0, p.numVfs());
            assertEquals(List.of(), p.vfs());
            assertEquals(Optional.of(pf.driver()), p.function().driver());
            assertTrue(p.driversAutoprobe());
            assertEquals(0x02, p.function().classCode() >> 16, "network controller class");
        }
    }

    @Test
    void vfsEnabledDirectlyInSysfsAreReportedInIndexOrder() {
        PfUnderTest pf = pf();
        write(dev(pf.address()) + "/sriov_numvfs", "3");
        Topology t = sriov.topology();
        PhysicalFunction p = t.physicalFunction(pf.address()).orElseThrow();
        assertEquals(3, p.numVfs());
        assertEquals(List.of(virtfn(pf, 0), virtfn(pf, 1), virtfn(pf, 2)), p.vfs());
        List<VirtualFunction> vfs = t.virtualFunctionsOf(pf.address());
        assertEquals(3, vfs.size());
        for (int i = 0; i < 3; i++) {
            VirtualFunction vf = vfs.get(i);
            assertEquals(i, vf.index());
            assertEquals(pf.address(), vf.pf());
            assertEquals(FunctionKind.VF, vf.function().kind());
            assertEquals(pf.vfId(), vf.function().id());
            assertEquals(pf.address(), PciAddress.parse(
                    host.sysfs().linkName(dev(vf.function().address()) + "/physfn").orElseThrow()));
        }
    }

    /**
     * An 82576 VF's device profile knows what Linux 6.12 shows of it through sysfs ({@code resource}: BAR0 and BAR3,
     * 16 KiB, 64-bit prefetchable; {@code config}: an MSI-X table of 3), and round-trips through its JSON form.
     * Other VFs: only the round trip.
     */
    @Test
    void aVfsProfileHasItsBarsAndMsixVectorsFromSysfs() {
        PfUnderTest pf = pf();
        write(dev(pf.address()) + "/sriov_drivers_autoprobe", "0");
        write(dev(pf.address()) + "/sriov_numvfs", "2");
        org.sriov4j.migration.DeviceProfile p = MigrationHost.of(sriov).profile(virtfn(pf, 1));
        assertEquals(pf.vfId(), p.id());
        assertEquals(p, org.sriov4j.migration.DeviceProfile.fromJson(p.toJson()));
        Assumptions.assumeTrue(pf.vfId().equals(new org.sriov4j.PciId(0x8086, 0x10ca)), "not an 82576 VF");
        org.sriov4j.migration.DeviceProfile.BarType m64 = org.sriov4j.migration.DeviceProfile.BarType.MEM64;
        assertEquals(Optional.of(List.of(new org.sriov4j.migration.DeviceProfile.Bar(0, 16384, m64, true),
                new org.sriov4j.migration.DeviceProfile.Bar(3, 16384, m64, true))), p.bars());
        assertEquals(java.util.OptionalInt.of(3), p.msixVectors());
    }

    @Test
    void driversAndOverridesAreReportedAsSysfsHasThem() {
        PfUnderTest pf = pf();
        write(dev(pf.address()) + "/sriov_drivers_autoprobe", "0");
        write(dev(pf.address()) + "/sriov_numvfs", "2");
        PciAddress vf0 = virtfn(pf, 0);
        write(dev(vf0) + "/driver_override", "sriov4j-none");
        PciFunction f = sriov.topology().function(vf0).orElseThrow();
        assertEquals(Optional.empty(), f.driver());
        assertEquals(Optional.of("sriov4j-none"), f.driverOverride());
        assertEquals(List.of(), f.netdevs(), "an unbound VF has no netdev");
        PciFunction vf1 = sriov.topology().function(virtfn(pf, 1)).orElseThrow();
        assertEquals(Optional.empty(), vf1.driverOverride());
        assertFalse(sriov.topology().physicalFunction(pf.address()).orElseThrow().driversAutoprobe());
    }

    @Test
    void eachFunctionIsAMemberOfTheIommuGroupItReports() {
        PfUnderTest pf = pf();
        Assumptions.assumeTrue(host.sysfs().exists(dev(pf.address()) + "/iommu_group"), "no IOMMU");
        write(dev(pf.address()) + "/sriov_numvfs", "2");
        Topology t = sriov.topology();
        for (PciFunction f : t.functions()) {
            int n = f.iommuGroup().orElseThrow(() -> new AssertionError(f.address() + " has no IOMMU group"));
            IommuGroup g = t.iommuGroup(n).orElseThrow();
            assertTrue(g.devices().contains(f.address()), f.address() + " not in " + g);
            assertEquals(Optional.of(g), t.iommuGroupOf(f.address()));
            assertTrue(host.sysfs().exists("kernel/iommu_groups/" + n + "/devices/" + f.address()));
        }
    }

    @Test
    void aPfIsFoundByItsNetdevName() {
        PfUnderTest pf = pf();
        Topology t = sriov.topology();
        List<String> netdevs = t.function(pf.address()).orElseThrow().netdevs();
        Assumptions.assumeFalse(netdevs.isEmpty(), "the PF has no netdev");
        assertEquals(host.sysfs().list(dev(pf.address()) + "/net"), netdevs);
        assertEquals(pf.address(), t.functionByNetdev(netdevs.get(0)).orElseThrow().address());
    }

    @Test
    void theAllFunctionsScopeAddsEveryOtherPciFunction() {
        Topology sriovOnly = sriov.topology();
        Topology all = sriov.topology(ScanScope.ALL_FUNCTIONS);
        assertEquals(host.sysfs().list("bus/pci/devices").size(), all.functions().size());
        assertTrue(all.functions().containsAll(sriovOnly.functions()));
        for (PciFunction f : sriovOnly.functions()) {
            assertTrue(f.kind() != FunctionKind.OTHER, f.toString());
        }
        assertEquals(sriovOnly.physicalFunctions(), all.physicalFunctions());
    }

    @Test
    void disabledVfsAreGoneFromTheNextSnapshot() {
        PfUnderTest pf = pf();
        write(dev(pf.address()) + "/sriov_numvfs", "2");
        PciAddress vf0 = virtfn(pf, 0);
        Topology before = sriov.topology();
        write(dev(pf.address()) + "/sriov_numvfs", "0");
        Topology after = sriov.topology();
        assertTrue(before.virtualFunction(vf0).isPresent());
        assertEquals(Optional.empty(), after.virtualFunction(vf0));
        assertEquals(Optional.empty(), after.function(vf0));
        assertEquals(0, after.physicalFunction(pf.address()).orElseThrow().numVfs());
    }
}
