package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovException;
import org.sriov4j.Topology;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VirtualFunction;

/**
 * The VF lifecycle through the library: {@link org.sriov4j.SriovHost#enableVfs} and
 * {@link org.sriov4j.SriovHost#disableVfs} on the PFs under test, checked against raw sysfs.
 */
public abstract class VfLifecycleContract extends HostContract {

    /** Creates the kit. */
    protected VfLifecycleContract() {
    }

    private static final VfEnableOptions NO_AUTOPROBE = VfEnableOptions.builder().driversAutoprobe(false).build();

    @Test
    void enablingEveryVfPlacesThemAtOffsetAndStrideWithTheVfDeviceId() {
        PfUnderTest pf = pf();
        PhysicalFunction after = sriov.enableVfs(pf.address(), pf.totalVfs());
        assertEquals(pf.totalVfs(), after.numVfs());
        assertEquals(pf.totalVfs(), after.vfs().size());
        assertEquals(pf.vfId(), after.vfId());
        assertVfCount(pf, pf.totalVfs());
        for (int i = 0; i < pf.totalVfs(); i++) {
            PciAddress expected = pf.address()
                    .withRoutingId(pf.address().routingId() + after.vfOffset() + after.vfStride() * i);
            assertEquals(expected, after.vfs().get(i), "VF " + i);
            assertEquals(expected, virtfn(pf, i), "virtfn" + i);
        }
        Topology t = sriov.topology();
        for (int i = 0; i < pf.totalVfs(); i++) {
            VirtualFunction vf = t.virtualFunction(after.vfs().get(i)).orElseThrow();
            assertEquals(pf.address(), vf.pf());
            assertEquals(i, vf.index());
            assertEquals(pf.vfId(), vf.function().id());
        }
    }

    @Test
    void enablingTheCurrentCountAgainKeepsTheSameVfs() {
        PfUnderTest pf = pf();
        PhysicalFunction first = sriov.enableVfs(pf.address(), 2, NO_AUTOPROBE);
        PciAddress vf0 = first.vfs().get(0);
        write(dev(vf0) + "/driver_override", "sriov4j-marker");
        PhysicalFunction again = sriov.enableVfs(pf.address(), 2, NO_AUTOPROBE);
        assertEquals(first.vfs(), again.vfs());
        assertEquals("sriov4j-marker", read(dev(vf0) + "/driver_override"), "the VF was re-created");
    }

    @Test
    void shrinkingANonZeroCountGoesThroughZero() {
        PfUnderTest pf = pf();
        sriov.enableVfs(pf.address(), pf.totalVfs());
        PhysicalFunction after = sriov.enableVfs(pf.address(), 3);
        assertEquals(3, after.numVfs());
        assertEquals(3, after.vfs().size());
        assertVfCount(pf, 3);
    }

    @Test
    void growingANonZeroCountGoesThroughZero() {
        PfUnderTest pf = pf();
        sriov.enableVfs(pf.address(), 2);
        PhysicalFunction after = sriov.enableVfs(pf.address(), 3);
        assertEquals(3, after.numVfs());
        assertVfCount(pf, 3);
    }

    @Test
    void disablingRemovesEveryVf() {
        PfUnderTest pf = pf();
        List<PciAddress> vfs = sriov.enableVfs(pf.address(), 3).vfs();
        PhysicalFunction after = sriov.disableVfs(pf.address());
        assertEquals(0, after.numVfs());
        assertEquals(List.of(), after.vfs());
        assertVfCount(pf, 0);
        for (PciAddress vf : vfs) {
            assertFalse(host.sysfs().exists(dev(vf)), vf + " still present");
        }
        assertEquals(List.of(), sriov.topology().virtualFunctionsOf(pf.address()));
    }

    @Test
    void disablingWithoutVfsSucceedsAndChangesNothing() {
        PfUnderTest pf = pf();
        assertEquals(0, sriov.disableVfs(pf.address()).numVfs());
        assertVfCount(pf, 0);
    }

    @Test
    void enablingZeroVfsDisables() {
        PfUnderTest pf = pf();
        sriov.enableVfs(pf.address(), 3);
        assertEquals(0, sriov.enableVfs(pf.address(), 0).numVfs());
        assertVfCount(pf, 0);
    }

    @Test
    void enablingMoreThanTotalIsErangeAndChangesNothing() {
        PfUnderTest pf = pf();
        sriov.enableVfs(pf.address(), 2);
        SriovException e = assertThrows(SriovException.class,
                () -> sriov.enableVfs(pf.address(), pf.totalVfs() + 1));
        assertEquals(Optional.of(Errno.ERANGE), e.errno());
        assertEquals(Optional.of(pf.address()), e.device());
        assertVfCount(pf, 2);
    }

    @Test
    void aNegativeCountIsRefusedBeforeTheKernelSeesIt() {
        PfUnderTest pf = pf();
        sriov.enableVfs(pf.address(), 2);
        assertThrows(IllegalArgumentException.class, () -> sriov.enableVfs(pf.address(), -1));
        assertVfCount(pf, 2);
    }

    @Test
    void enablingOnAMissingFunctionIsDeviceNotFound() {
        PciAddress nowhere = PciAddress.parse("0000:fe:1f.7");
        DeviceNotFoundException e = assertThrows(DeviceNotFoundException.class,
                () -> sriov.enableVfs(nowhere, 1));
        assertEquals(Optional.of(nowhere), e.device());
    }

    @Test
    void enablingOnAVfIsEnoentBecauseItIsNotAPf() {
        PfUnderTest pf = pf();
        PciAddress vf = sriov.enableVfs(pf.address(), 1).vfs().get(0);
        SriovException e = assertThrows(SriovException.class, () -> sriov.enableVfs(vf, 1));
        assertEquals(Optional.of(Errno.ENOENT), e.errno());
        assertTrue(String.valueOf(e.getMessage()).contains("not an SR-IOV physical function"), e.getMessage());
    }

    @Test
    void enablingWhileThePfHasNoDriverIsEnoentNamingTheMissingDriver() {
        PfUnderTest pf = pf();
        write("bus/pci/drivers/" + pf.driver() + "/unbind", pf.address().toString());
        SriovException e = assertThrows(SriovException.class, () -> sriov.enableVfs(pf.address(), 2));
        assertEquals(Optional.of(Errno.ENOENT), e.errno());
        assertTrue(String.valueOf(e.getMessage()).contains("no driver"), e.getMessage());
        assertVfCount(pf, 0);
    }

    @Test
    void autoprobeChangedForAFailedEnableIsRestored() {
        PfUnderTest pf = pf();
        write("bus/pci/drivers/" + pf.driver() + "/unbind", pf.address().toString());
        SriovException e = assertThrows(SriovException.class,
                () -> sriov.enableVfs(pf.address(), 2, NO_AUTOPROBE));
        assertTrue(String.valueOf(e.getMessage()).contains("restored sriov_drivers_autoprobe to 1"), e.getMessage());
        assertEquals("1", read(dev(pf.address()) + "/sriov_drivers_autoprobe"));
    }

    @Test
    void autoprobeOffLeavesNewVfsUnbound() {
        PfUnderTest pf = pf();
        PhysicalFunction after = sriov.enableVfs(pf.address(), 3, NO_AUTOPROBE);
        assertFalse(after.driversAutoprobe());
        for (PciAddress vf : after.vfs()) {
            assertEquals(Optional.empty(), driverOf(vf), vf + " was probed");
            assertEquals(Optional.empty(), sriov.topology().function(vf).orElseThrow().driver());
        }
    }

    @Test
    void autoprobeOnBindsTheHostVfDriver() {
        PfUnderTest pf = pf();
        Assumptions.assumeTrue(pf.vfDriver().isPresent(), "no host VF driver");
        write(dev(pf.address()) + "/sriov_drivers_autoprobe", "0");
        PhysicalFunction after = sriov.enableVfs(pf.address(), 2,
                VfEnableOptions.builder().driversAutoprobe(true).build());
        assertTrue(after.driversAutoprobe());
        for (PciAddress vf : after.vfs()) {
            assertEquals(pf.vfDriver(), driverOf(vf));
        }
    }

    @Test
    void aSnapshotTakenBeforeAChangeDoesNotChange() {
        PfUnderTest pf = pf();
        sriov.enableVfs(pf.address(), 2);
        Topology before = sriov.topology();
        sriov.enableVfs(pf.address(), 3);
        assertEquals(2, before.physicalFunction(pf.address()).orElseThrow().numVfs());
        assertEquals(2, before.virtualFunctionsOf(pf.address()).size());
        assertEquals(3, sriov.topology().virtualFunctionsOf(pf.address()).size());
    }

    @Test
    void changingOnePfLeavesTheOtherPfsVfsAlone() {
        PfUnderTest a = pf();
        PfUnderTest b = secondPf();
        List<PciAddress> bVfs = new ArrayList<>(sriov.enableVfs(b.address(), 2, NO_AUTOPROBE).vfs());
        write(dev(bVfs.get(0)) + "/driver_override", "sriov4j-marker");
        sriov.enableVfs(a.address(), 3);
        sriov.enableVfs(a.address(), 1);
        sriov.disableVfs(a.address());
        assertEquals(bVfs, sriov.topology().physicalFunction(b.address()).orElseThrow().vfs());
        assertEquals("sriov4j-marker", read(dev(bVfs.get(0)) + "/driver_override"));
        assertVfCount(b, 2);
    }
}
