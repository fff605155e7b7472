package org.sriov4j.testing.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.SysfsAccess;

/**
 * What every contract kit shares: the host under test, a library host opened on it for each test, raw sysfs
 * helpers, and putting the PFs under test back to their resting state (PF driver bound, autoprobe on, no VFs)
 * before and after each test.
 */
public abstract class HostContract {

    /** The host under test, for the current test. */
    protected ContractHost host;
    /** The library opened on {@link #host} for the current test. */
    protected SriovHost sriov;

    /** Creates the kit. */
    protected HostContract() {
    }

    /**
     * The host to test. Called once per test; return a fresh simulated host, or the same real one.
     *
     * @return the host under test
     */
    protected abstract ContractHost host();

    /** Opens the library and puts every PF under test at rest. */
    @BeforeEach
    final void openHostUnderTest() {
        host = host();
        for (PfUnderTest pf : host.pfs()) {
            rest(pf);
        }
        sriov = host.open();
    }

    /** Closes the library and puts every PF under test back at rest. */
    @AfterEach
    final void restoreHostUnderTest() {
        if (sriov != null) {
            sriov.close();
        }
        for (PfUnderTest pf : host.pfs()) {
            rest(pf);
        }
    }

    private void rest(PfUnderTest pf) {
        String d = dev(pf.address());
        if (host.sysfs().linkName(d + "/driver").isEmpty()) {
            write("bus/pci/drivers/" + pf.driver() + "/bind", pf.address().toString());
        }
        if (!read(d + "/sriov_numvfs").equals("0")) {
            write(d + "/sriov_numvfs", "0");
        }
        if (!read(d + "/sriov_drivers_autoprobe").equals("1")) {
            write(d + "/sriov_drivers_autoprobe", "1");
        }
    }

    /**
     * The first PF under test.
     *
     * @return the PF
     */
    protected final PfUnderTest pf() {
        return host.pfs().get(0);
    }

    /**
     * The second PF under test; skips the test when there is only one.
     *
     * @return the PF
     */
    protected final PfUnderTest secondPf() {
        Assumptions.assumeTrue(host.pfs().size() >= 2, "needs two PFs under test");
        return host.pfs().get(1);
    }

    /**
     * The sysfs directory of a device.
     *
     * @param address the device
     * @return {@code bus/pci/devices/ADDRESS}
     */
    protected static String dev(PciAddress address) {
        return "bus/pci/devices/" + address;
    }

    /**
     * Reads an attribute without its trailing newline.
     *
     * @param path relative to the sysfs root
     * @return the content
     */
    protected final String read(String path) {
        String s = host.sysfs().read(path);
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Writes an attribute; fails the test if the kernel refuses.
     *
     * @param path relative to the sysfs root
     * @param value what to write
     */
    protected final void write(String path, String value) {
        host.sysfs().write(path, value);
    }

    /**
     * Writes an attribute and returns the kernel's errno, or null if the write succeeded.
     *
     * @param path relative to the sysfs root
     * @param value what to write
     * @return the errno, or null
     */
    protected final @Nullable Errno writeErrno(String path, String value) {
        try {
            host.sysfs().write(path, value);
            return null;
        } catch (SysfsIoException e) {
            return e.errno().orElseGet(() -> fail("no errno in " + e));
        }
    }

    /**
     * Asserts that a write is refused with {@code expected}.
     *
     * @param expected the errno
     * @param path relative to the sysfs root
     * @param value what to write
     */
    protected final void assertWriteFails(Errno expected, String path, String value) {
        assertEquals(expected, writeErrno(path, value), "write '" + value.replace("\n", "\\n") + "' to " + path);
    }

    /**
     * The driver bound to a device.
     *
     * @param address the device
     * @return the driver's name; empty when unbound
     */
    protected final Optional<String> driverOf(PciAddress address) {
        return host.sysfs().linkName(dev(address) + "/driver");
    }

    /**
     * The address a PF's {@code virtfnN} link points to.
     *
     * @param pf the PF
     * @param index the VF index
     * @return the VF's address
     */
    protected final PciAddress virtfn(PfUnderTest pf, int index) {
        String link = dev(pf.address()) + "/virtfn" + index;
        return PciAddress.parse(host.sysfs().linkName(link).orElseGet(() -> fail(link + " missing")));
    }

    /**
     * Asserts how many VFs a PF has, by its {@code sriov_numvfs} and its {@code virtfnN} links.
     *
     * @param pf the PF
     * @param count the expected count
     */
    protected final void assertVfCount(PfUnderTest pf, int count) {
        String d = dev(pf.address());
        assertEquals(Integer.toString(count), read(d + "/sriov_numvfs"), "sriov_numvfs of " + pf.address());
        for (int i = 0; i < count; i++) {
            assertTrue(host.sysfs().exists(d + "/virtfn" + i), d + "/virtfn" + i + " missing");
        }
        assertTrue(!host.sysfs().exists(d + "/virtfn" + count), d + "/virtfn" + count + " should not exist");
    }
}
