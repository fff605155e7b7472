package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code sriov4j demo}: a tour of the library on the simulated host. Checks the library's outcomes it shows (the
 * writes, the refusals, the events, a real second JVM killed and recovered), not the wording around them.
 */
class CliDemoTest {

    @Test
    void theDemoToursTheLibraryAndEveryStepHasTheOutcomeItDescribes() {
        CliTest.Result r = CliTest.run("demo");
        String out = r.out();
        assertEquals(0, r.status(), r.err() + out);
        assertFalse(out.contains("unexpectedly accepted"), out);
        assertFalse(out.contains("step skipped"), out);
        String[] expected = {
            // discovery and the backend
            "0000:01:00.0  PF    8086:10c9  igb", "backend chosen through ServiceLoader: kvm-vfio",
            // enable, and the kernel's rules kept by the library
            "devices/0000:01:00.0/sriov_numvfs=7",
            "event VfCreated: 0000:01:10.0 0000:01:10.2 0000:01:10.4 0000:01:10.6 0000:01:11.0 0000:01:11.2 "
                    + "0000:01:11.4",
            "host.enableVfs(pf, 8): refused, ERANGE", "nothing was written: []",
            "refused by the kernel, EBUSY", "devices/0000:01:00.0/sriov_numvfs=0\n     devices/0000:01:00.0/sriov_numvfs=4",
            // a pool lease, exclusive
            "drivers/igbvf/unbind=0000:01:10.0", "vm-1 holds 0000:01:10.0: now on vfio-pci",
            "event Leased: 0000:01:10.0 to vm-1 (managed)", "refused, EBUSY LeaseUnavailableException",
            "gets 0000:01:10.2",
            // a non-viable group
            "GroupNotViableException (group 7, offenders {0000:03:00.1=e1000e})",
            // kill and recover, through a second JVM
            "child: held 0000:01:10.4 for vm-crash in pid", "DETACHED, from igbvf, guest vm-crash",
            "held by no live process", "host.recover(): restored [0000:01:10.4]",
            "0000:01:10.4 is back on igbvf", "event Reattached: 0000:01:10.4 to igbvf",
            // VFIO on the fake VFIO kernel joined to the same host: the leased VF opens and maps, the rest is refused
            "vfio.iommuGroup(0000:01:10.0): 8",
            "vfio.iommuGroup(0000:01:10.2) (not leased, on igbvf): refused, VfioException NOT_BOUND_TO_VFIO_PCI",
            "domain.openDevice(vm-1's lease): group 8 viable", "config space 8086:10ca",
            "domain.map(iova 0x10000000, 2 MiB of host memory, READ_WRITE): mapped",
            "(not page-aligned): refused, VfioException UNALIGNED_MAP (EINVAL",
            "(inside the first mapping): refused, VfioException OVERLAPPING_MAP (EEXIST",
            "refused, VfioException MAP_OUTSIDE_IOVA_RANGES (EINVAL",
            "opening 0000:01:10.0: refused, VfioException GROUP_ALREADY_OPEN (EBUSY, by the kernel)",
            "0 VFIO descriptors open, 0 bytes mapped",
            // and it leaves nothing behind
            "event Released: 0000:01:10.0 from vm-1", "ledger: empty"};
        for (String e : expected) {
            assertTrue(out.contains(e), () -> "missing \"" + e + "\" in:\n" + out);
        }
    }
}
