package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;

/**
 * The kernel's sysfs rules that sriov4j relies on, checked with raw writes (no library code): {@code sriov_numvfs},
 * {@code sriov_drivers_autoprobe}, {@code driver_override}, bind/unbind/probe and {@code /dev/vfio/N}. Each test
 * names its rule; the simulated kernel must obey every one exactly as Linux does (docs/kernel-facts.md, "Measured on the real 6.12 kernel").
 */
public abstract class SysfsRulesContract extends HostContract {

    /** Creates the kit. */
    protected SysfsRulesContract() {
    }

    private String numvfs() {
        return dev(pf().address()) + "/sriov_numvfs";
    }

    private String autoprobe() {
        return dev(pf().address()) + "/sriov_drivers_autoprobe";
    }

    private void assumeVfioPci() {
        Assumptions.assumeTrue(host.sysfs().exists("bus/pci/drivers/vfio-pci"), "vfio-pci not loaded");
    }

    @Test
    void numvfsAboveTotalIsErange() {
        assertWriteFails(Errno.ERANGE, numvfs(), Integer.toString(pf().totalVfs() + 1));
        assertVfCount(pf(), 0);
    }

    @Test
    void numvfsAboveTotalIsErangeEvenWhileVfsAreEnabled() {
        write(numvfs(), "2");
        assertWriteFails(Errno.ERANGE, numvfs(), Integer.toString(pf().totalVfs() + 1));
        assertVfCount(pf(), 2);
    }

    @Test
    void changingANonZeroNumvfsIsEbusyAndKeepsTheVfs() {
        write(numvfs(), "2");
        PciAddress vf0 = virtfn(pf(), 0);
        assertWriteFails(Errno.EBUSY, numvfs(), "3");
        assertWriteFails(Errno.EBUSY, numvfs(), "1");
        assertVfCount(pf(), 2);
        assertEquals(vf0, virtfn(pf(), 0));
    }

    @Test
    void writingTheCurrentNumvfsIsANoOpThatKeepsTheVfs() {
        write(autoprobe(), "0");
        write(numvfs(), "2");
        PciAddress vf0 = virtfn(pf(), 0);
        write(dev(vf0) + "/driver_override", "sriov4j-marker");
        write(numvfs(), "2");
        assertEquals("sriov4j-marker", read(dev(vf0) + "/driver_override"));
    }

    @Test
    void numvfsIsParsedAsAnUnsignedNumberWithBaseDetection() {
        write(numvfs(), "0x2");
        assertVfCount(pf(), 2);
        write(numvfs(), "0");
        write(numvfs(), "03\n");
        assertVfCount(pf(), 3);
        write(numvfs(), "0");
        if (pf().totalVfs() < 8) {
            assertWriteFails(Errno.ERANGE, numvfs(), "010");
        }
    }

    @Test
    void numvfsWithBlanksSignsOrWordsIsEinval() {
        for (String bad : new String[] {" 2", "2 ", "-1", "two", "2\n\n", "65536"}) {
            assertWriteFails(Errno.EINVAL, numvfs(), bad);
        }
        assertVfCount(pf(), 0);
    }

    @Test
    void numvfsOnAPfWithoutDriverIsEnoentButZeroStillSucceeds() {
        write("bus/pci/drivers/" + pf().driver() + "/unbind", pf().address().toString());
        assertWriteFails(Errno.ENOENT, numvfs(), "2");
        write(numvfs(), "0");
    }

    @Test
    void unbindingThePfDriverRemovesEveryVf() {
        write(numvfs(), "2");
        PciAddress vf0 = virtfn(pf(), 0);
        write("bus/pci/drivers/" + pf().driver() + "/unbind", pf().address().toString());
        assertEquals("0", read(numvfs()));
        assertFalse(host.sysfs().exists(dev(vf0)), vf0 + " survived");
    }

    @Test
    void autoprobeTakesTheKernelsBooleanWords() {
        write(autoprobe(), "off");
        assertEquals("0", read(autoprobe()));
        write(autoprobe(), "y");
        assertEquals("1", read(autoprobe()));
        write(autoprobe(), "n\n");
        assertEquals("0", read(autoprobe()));
        assertWriteFails(Errno.EINVAL, autoprobe(), "2");
        assertEquals("0", read(autoprobe()));
    }

    @Test
    void vfsCreatedWithAutoprobeOffStayUnbound() {
        write(autoprobe(), "0");
        write(numvfs(), "2");
        assertEquals(Optional.empty(), driverOf(virtfn(pf(), 0)));
        assertEquals(Optional.empty(), driverOf(virtfn(pf(), 1)));
    }

    @Test
    void turningAutoprobeBackOnDoesNotProbeVfsAlreadyThere() {
        write(autoprobe(), "0");
        write(numvfs(), "1");
        write(autoprobe(), "1");
        assertEquals(Optional.empty(), driverOf(virtfn(pf(), 0)));
    }

    @Test
    void vfsProbeTheHostVfDriverWhenAutoprobeIsOn() {
        Assumptions.assumeTrue(pf().vfDriver().isPresent(), "no host VF driver");
        write(numvfs(), "1");
        assertEquals(pf().vfDriver(), driverOf(virtfn(pf(), 0)));
    }

    @Test
    void anUnknownDriverOverrideThenProbeSucceedsButBindsNothing() {
        write(autoprobe(), "0");
        write(numvfs(), "1");
        PciAddress vf = virtfn(pf(), 0);
        write(dev(vf) + "/driver_override", "sriov4j-no-such-driver");
        write("bus/pci/drivers_probe", vf.toString());
        assertEquals(Optional.empty(), driverOf(vf));
    }

    @Test
    void aSingleNewlineClearsTheDriverOverride() {
        write(autoprobe(), "0");
        write(numvfs(), "1");
        PciAddress vf = virtfn(pf(), 0);
        write(dev(vf) + "/driver_override", "vfio-pci\n");
        assertEquals("vfio-pci", read(dev(vf) + "/driver_override"));
        write(dev(vf) + "/driver_override", "\n");
        assertEquals("(null)", read(dev(vf) + "/driver_override"));
    }

    @Test
    void aDriverOverrideKeepsSpacesAndStopsAtTheFirstNewline() {
        write(autoprobe(), "0");
        write(numvfs(), "1");
        PciAddress vf = virtfn(pf(), 0);
        write(dev(vf) + "/driver_override", "a b \nc");
        assertEquals("a b ", read(dev(vf) + "/driver_override"));
    }

    @Test
    void vfioPciBindWithoutOverrideIsEnodev() {
        assumeVfioPci();
        write(autoprobe(), "0");
        write(numvfs(), "1");
        assertWriteFails(Errno.ENODEV, "bus/pci/drivers/vfio-pci/bind", virtfn(pf(), 0).toString());
    }

    @Test
    void bindingToADriverBoundElsewhereIsEbusy() {
        assumeVfioPci();
        Assumptions.assumeTrue(pf().vfDriver().isPresent(), "no host VF driver");
        write(numvfs(), "1");
        PciAddress vf = virtfn(pf(), 0);
        write(dev(vf) + "/driver_override", "vfio-pci");
        assertWriteFails(Errno.EBUSY, "bus/pci/drivers/vfio-pci/bind", vf.toString());
        assertEquals(pf().vfDriver(), driverOf(vf));
    }

    @Test
    void aVfOnVfioPciHasItsGroupNodeUntilUnbound() {
        assumeVfioPci();
        Assumptions.assumeTrue(host.sysfs().exists(dev(pf().address()) + "/iommu_group"), "no IOMMU");
        write(autoprobe(), "0");
        write(numvfs(), "1");
        PciAddress vf = virtfn(pf(), 0);
        String group = host.sysfs().linkName(dev(vf) + "/iommu_group").orElseThrow();
        assertFalse(host.devices().exists("vfio/" + group), "/dev/vfio/" + group + " before binding");
        write(dev(vf) + "/driver_override", "vfio-pci");
        write("bus/pci/drivers_probe", vf.toString());
        assertEquals(Optional.of("vfio-pci"), driverOf(vf));
        assertTrue(host.devices().exists("vfio/" + group), "/dev/vfio/" + group + " missing");
        write("bus/pci/drivers/vfio-pci/unbind", vf.toString());
        assertEquals(Optional.empty(), driverOf(vf));
        assertFalse(host.devices().exists("vfio/" + group), "/dev/vfio/" + group + " after unbinding");
        assertEquals("vfio-pci", read(dev(vf) + "/driver_override"), "unbind keeps the override");
    }

    @Test
    void unbindingFromADriverTheDeviceIsNotOnIsEnodev() {
        assumeVfioPci();
        assertWriteFails(Errno.ENODEV, "bus/pci/drivers/vfio-pci/unbind", pf().address().toString());
        assertEquals(Optional.of(pf().driver()), driverOf(pf().address()));
    }

    @Test
    void bindingToADriverThatIsNotLoadedIsEnoent() {
        assertWriteFails(Errno.ENOENT, "bus/pci/drivers/sriov4j-no-such-driver/bind", pf().address().toString());
    }

    @Test
    void bindingAnAddressWithNoDeviceIsEnodev() {
        assertWriteFails(Errno.ENODEV, "bus/pci/drivers/" + pf().driver() + "/bind", "0000:fe:1f.7");
    }

    @Test
    void readingAWriteOnlyAttributeIsEacces() {
        Errno errno = null;
        try {
            host.sysfs().read("bus/pci/drivers_probe");
        } catch (org.sriov4j.SysfsIoException e) {
            errno = e.errno().orElse(null);
        }
        assertEquals(Errno.EACCES, errno);
    }
}
