package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sriov4j.DeviceInUseException;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfioHolder;

/**
 * A release that never hangs: while a process (a stand-in VMM, {@link ContractHost#holdVfioDevice}) holds a VF's
 * VFIO device open, every operation that would unbind it from vfio-pci — reattach, the end of a managed lease,
 * disabling the PF's VFs, changing their count — is refused within 2 seconds with {@link DeviceInUseException}
 * ({@link Errno#EBUSY}) naming the holder's pid, and changes nothing; once the holder is gone the same operation
 * succeeds. A device that is not open never blocks another VF's release. On the real kernel a wrong answer here
 * hangs the test in the kernel (the 2-second limit reports it); on the simulated kernel it fails with
 * {@link org.sriov4j.testing.VfioUnbindWouldBlockError}.
 */
public abstract class VfioHolderContract extends HostContract {

    private static final Duration LIMIT = Duration.ofSeconds(2);
    private final List<VfioDeviceHolder> holders = new ArrayList<>();

    /** Creates the kit. */
    protected VfioHolderContract() {
    }

    @AfterEach
    final void endHoldersAndGiveBack() {
        holders.forEach(VfioDeviceHolder::close);
        holders.clear();
        try (SriovHost h = host.open()) {
            h.recover().keptDetached().forEach(h::reattach);
        }
    }

    private List<PciAddress> twoDetachedVfs() {
        Assumptions.assumeTrue(pf().vfDriver().isPresent(), "no host VF driver");
        Assumptions.assumeTrue(host.stubDriver().equals("vfio-pci"), "VFIO holders exist only on vfio-pci");
        List<PciAddress> vfs = sriov.enableVfs(pf().address(), 2).vfs();
        vfs.forEach(sriov::detach);
        return vfs;
    }

    private VfioDeviceHolder hold(PciAddress f, boolean keepGroupFd) {
        VfioDeviceHolder h = host.holdVfioDevice(f, keepGroupFd);
        holders.add(h);
        return h;
    }

    private DeviceInUseException refusedInTime(Runnable operation) {
        return assertTimeoutPreemptively(LIMIT, () -> assertThrows(DeviceInUseException.class, operation::run),
                "the operation must be refused, not block in the kernel");
    }

    private void assertStillDetached(PciAddress f) {
        assertEquals(Optional.of("vfio-pci"), driverOf(f), "still on vfio-pci");
        assertTrue(sriov.assignments().stream().anyMatch(a -> a.device().equals(f)), "the ledger still has " + f);
    }

    private static void assertNames(DeviceInUseException e, VfioDeviceHolder h, boolean certain) {
        assertEquals(Optional.of(Errno.EBUSY), e.errno());
        List<VfioHolder> named = e.holders().stream().filter(x -> x.pid() == h.pid()).toList();
        assertEquals(1, named.size(), "the holder's pid " + h.pid() + " is named: " + e.getMessage());
        assertEquals(certain, named.get(0).certain(), e.getMessage());
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("pid " + h.pid()), message);
    }

    @Test
    void reattachOfAVfWhoseDeviceIsOpenIsRefusedNamingTheHolderAndSucceedsOnceItExits() {
        PciAddress vf = twoDetachedVfs().get(0);
        VfioDeviceHolder h = hold(vf, true);
        DeviceInUseException e = refusedInTime(() -> sriov.reattach(vf));
        assertNames(e, h, true);
        assertEquals(Optional.of(vf), e.device());
        assertStillDetached(vf);
        h.close();
        sriov.reattach(vf);
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void aHolderThatClosedItsGroupFdStillHoldsTheDeviceAndIsNamedAsAPossibleHolder() {
        PciAddress vf = twoDetachedVfs().get(0);
        VfioDeviceHolder h = hold(vf, false);
        assertNames(refusedInTime(() -> sriov.reattach(vf)), h, false);
        assertStillDetached(vf);
        h.close();
        sriov.reattach(vf);
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void theEndOfAManagedLeaseWhoseDeviceIsOpenIsRefusedAndRecoverGivesItBackOnceTheHolderExits() {
        Assumptions.assumeTrue(pf().vfDriver().isPresent(), "no host VF driver");
        Assumptions.assumeTrue(host.stubDriver().equals("vfio-pci"), "VFIO holders exist only on vfio-pci");
        PciAddress vf = sriov.enableVfs(pf().address(), 1).vfs().get(0);
        Lease lease = sriov.lease(vf, "vm-1");
        VfioDeviceHolder h = hold(vf, true);
        assertNames(refusedInTime(lease::close), h, true);
        assertFalse(lease.isHeld(), "the lease ends even so; the ledger keeps the function for recover");
        assertStillDetached(vf);
        h.close();
        assertEquals(List.of(vf), sriov.recover().restored());
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void disablingOrChangingTheVfsOfAPfWhileAVfsDeviceIsOpenIsRefusedAndKeepsEveryVf() {
        List<PciAddress> vfs = twoDetachedVfs();
        VfioDeviceHolder h = hold(vfs.get(1), true);
        assertNames(refusedInTime(() -> sriov.disableVfs(pf().address())), h, true);
        assertNames(refusedInTime(() -> sriov.enableVfs(pf().address(), 1)), h, true);
        assertVfCount(pf(), 2);
        assertStillDetached(vfs.get(1));
        h.close();
        vfs.forEach(sriov::reattach);
        sriov.disableVfs(pf().address());
        assertVfCount(pf(), 0);
    }

    @Test
    void aDeviceThatIsOpenDoesNotHoldUpGivingBackAnotherVf() {
        List<PciAddress> vfs = twoDetachedVfs();
        hold(vfs.get(1), true);
        assertTimeoutPreemptively(LIMIT, () -> sriov.reattach(vfs.get(0)));
        assertEquals(pf().vfDriver(), driverOf(vfs.get(0)));
        assertStillDetached(vfs.get(1));
    }
}
