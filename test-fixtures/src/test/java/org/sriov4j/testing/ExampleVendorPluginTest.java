package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PciId;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.spi.VendorContext;
import org.sriov4j.spi.VendorPlugin;

/**
 * A third-party vendor plugin, written and tested the way a vendor would do it: copy {@link AcmeX1Plugin} and
 * this test, then change the ids and the steps.
 *
 * <h2>1. Write the plugin</h2>
 * A public class with a public no-argument constructor implementing {@link VendorPlugin}: an {@link VendorPlugin#id()
 * id} for logs and errors, a {@link VendorPlugin#match(PciFunction) match} that answers {@link
 * VendorPlugin.MatchLevel#DEVICE DEVICE} for your device ids (so it wins over the shipped {@code generic} plugin,
 * which matches every PF at {@code GENERIC}, and over any plugin matching only your vendor), and only the hooks your
 * device needs; every hook has a no-op default. Hooks use nothing but the {@link VendorContext}: sysfs and the PF's
 * address. Throw from a hook to refuse: the engine undoes what it did (VFs, {@code sriov_numvfs},
 * {@code sriov_drivers_autoprobe}) and its exception names your plugin and the hook.
 *
 * <h2>2. Register it</h2>
 * <pre>{@code
 * // module-info.java of your jar
 * module com.acme.sriov {
 *     requires org.sriov4j.spi;
 *     provides org.sriov4j.spi.VendorPlugin with com.acme.sriov.AcmeX1Plugin;
 * }
 * }</pre>
 * and, for the class path, a file {@code META-INF/services/org.sriov4j.spi.VendorPlugin} containing the line
 * {@code com.acme.sriov.AcmeX1Plugin} (this test registers its nested class that way, from
 * {@code src/test/resources}). Put the jar next to sriov4j; the engine finds it through
 * {@link java.util.ServiceLoader}.
 *
 * <h2>3. Test it on the simulated kernel</h2>
 * Declare your PF with {@link SimulatedKernel.Builder#pf(String, PfSpec)} and its driver with
 * {@link DriverSpec#hostDriver(String)}, open the engine with {@link SimulatedKernel#openHost()}, and check the
 * order of what the kernel saw with {@link SimulatedKernel#writes()}, as below.
 */
public class ExampleVendorPluginTest {

    /** The (fictitious) Acme X1 PF. */
    static final PciId ACME_X1 = new PciId(0x1bad, 0x5a01);
    /** Its VFs. */
    static final int ACME_X1_VF = 0x5a02;

    static final PciAddress ACME_PF = PciAddress.parse("0000:02:00.0");
    static final PciAddress INTEL_PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress IXGBE_PF = PciAddress.parse("0000:03:00.0");
    static final String ACME = "bus/pci/devices/0000:02:00.0/";

    /**
     * The example plugin for the Acme X1. It is found through {@code META-INF/services}; the engine creates it
     * with its public no-argument constructor.
     *
     * <ul>
     * <li>{@code match}: {@code DEVICE} for {@code 1bad:5a01}, {@code NONE} for anything else.</li>
     * <li>{@code vfDriver}: {@code acme_vf}.</li>
     * <li>{@code beforeEnable}: the X1 pairs its VFs, so an odd count is refused (before anything is written for
     * it); then it synthesizes a {@code change} uevent on the PF so udev rules can prepare (a real plugin would set
     * its eswitch or firmware mode here).</li>
     * <li>{@code afterEnable}: every new VF must identify as {@code 1bad:5a02}; a board flashed with other firmware
     * does not, and the enable is rolled back.</li>
     * </ul>
     */
    public static final class AcmeX1Plugin implements VendorPlugin {

        /** Creates the plugin (called by ServiceLoader). */
        public AcmeX1Plugin() {
        }

        @Override
        public String id() {
            return "acme-x1";
        }

        @Override
        public MatchLevel match(PciFunction pf) {
            return pf.id().equals(ACME_X1) ? MatchLevel.DEVICE : MatchLevel.NONE;
        }

        @Override
        public java.util.Optional<String> vfDriver(PciFunction pf) {
            return java.util.Optional.of("acme_vf");
        }

        @Override
        public void beforeEnable(VendorContext ctx, PhysicalFunction pf, int count) {
            if (count % 2 != 0) {
                throw new IllegalArgumentException("the Acme X1 creates VFs in pairs; asked for " + count);
            }
            ctx.sysfs().write(ctx.pfPath("uevent"), "change");
        }

        @Override
        public void afterEnable(VendorContext ctx, PhysicalFunction pf, int count) {
            for (PciAddress vf : pf.vfs()) {
                int device = Integer.decode(ctx.sysfs().read("bus/pci/devices/" + vf + "/device").strip());
                if (device != ACME_X1_VF) {
                    throw new IllegalStateException(String.format(
                            "VF %s is device %04x, not %04x: the board runs firmware this plugin does not know",
                            vf, device, ACME_X1_VF));
                }
            }
        }
    }

    /** The Acme X1's PF driver, as the simulated kernel should model it. */
    static final DriverSpec ACME_DRIVER = DriverSpec.hostDriver("acme_x1").matching(ACME_X1).withNetdevs()
            .withSriov(8);

    /** An Acme X1 (PF at 02:00.0, 8 VFs at most, VF 0 at 02:10.0) whose VFs report {@code vfDevice}. */
    static PfSpec acmeX1(int vfDevice) {
        return PfSpec.of(FunctionSpec.of(ACME_X1, 0x020000).withDriver("acme_x1"), 8, 128, 2, vfDevice);
    }

    /** A host with an Acme X1, an Intel 82576 (intel-igb plugin) and an Intel 82599 (no plugin of its own). */
    static SimulatedKernel host(PfSpec acme) {
        return SimulatedKernel.builder().qemuQ35().intel82576("0000:01:00.0").loadDriver(ACME_DRIVER)
                .pf("0000:02:00.0", acme).pf("0000:03:00.0", PfSpec.intel82599()).loadDrivers("igbvf", "vfio-pci")
                .build();
    }

    final List<String> log = new ArrayList<>();
    final Logger choices = Logger.getLogger("org.sriov4j.spi.internal.VendorPlugins");
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (log) {
                log.add(new SimpleFormatter().formatMessage(r));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    Level previousLevel;

    @BeforeEach
    void captureTheChoices() {
        previousLevel = choices.getLevel();
        choices.setLevel(Level.FINE);
        choices.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        choices.removeHandler(capture);
        choices.setLevel(previousLevel);
    }

    String choiceFor(PciAddress pf) {
        synchronized (log) {
            return log.stream().filter(l -> l.startsWith(pf.toString())).reduce((a, b) -> b).orElse("(none)");
        }
    }

    @Test
    void eachPfGetsItsBestMatchingPluginTheAcmeOneForTheAcmeDevice() {
        SimulatedKernel kernel = host(acmeX1(ACME_X1_VF));
        try (SriovHost host = kernel.openHost()) {
            host.enableVfs(ACME_PF, 2);
            host.enableVfs(INTEL_PF, 2);
            host.enableVfs(IXGBE_PF, 2);
        }
        assertTrue(choiceFor(ACME_PF).contains("vendor plugin acme-x1 "), log.toString());
        assertTrue(choiceFor(INTEL_PF).contains("vendor plugin intel-igb "), log.toString());
        assertTrue(choiceFor(IXGBE_PF).contains("vendor plugin generic "), log.toString());
        // every plugin was asked for the Acme PF; only the Acme one matched at DEVICE
        assertTrue(choiceFor(ACME_PF).contains("acme-x1 DEVICE") && choiceFor(ACME_PF).contains("generic GENERIC")
                && choiceFor(ACME_PF).contains("intel-igb NONE"), choiceFor(ACME_PF));
        // the Acme hook ran for the Acme PF only
        assertEquals(1, kernel.writes().stream().filter(w -> w.contains("/uevent=")).count(), kernel.writes().toString());
    }

    @Test
    void beforeEnableRunsBeforeSriovNumvfsIsWritten() {
        SimulatedKernel kernel = host(acmeX1(ACME_X1_VF));
        try (SriovHost host = kernel.openHost()) {
            PhysicalFunction pf = host.enableVfs(ACME_PF, 4,
                    VfEnableOptions.builder().driversAutoprobe(false).build());
            assertEquals(4, pf.numVfs());
        }
        assertEquals(List.of(ACME + "sriov_drivers_autoprobe=0", ACME + "uevent=change", ACME + "sriov_numvfs=4"),
                kernel.writes());
    }

    @Test
    void aRefusingBeforeEnableLeavesThePfAsItWasAndNamesThePlugin() {
        SimulatedKernel kernel = host(acmeX1(ACME_X1_VF).withEnabledVfs(2));
        List<PciAddress> vfsBefore = kernel.vfsOf(ACME_PF);
        try (SriovHost host = kernel.openHost()) {
            SriovException e = assertThrows(SriovException.class,
                    () -> host.enableVfs(ACME_PF, 3, VfEnableOptions.builder().driversAutoprobe(false).build()));
            assertTrue(e.getMessage().contains("'acme-x1'") && e.getMessage().contains("beforeEnable")
                    && e.getMessage().contains("in pairs"), e.getMessage());
            assertTrue(e.getMessage().contains("restored the previous 2 VFs")
                    && e.getMessage().contains("restored sriov_drivers_autoprobe to 1"), e.getMessage());
        }
        assertEquals(2, kernel.numVfs(ACME_PF));
        assertEquals(vfsBefore, kernel.vfsOf(ACME_PF));
        assertTrue(kernel.driversAutoprobe(ACME_PF));
        // through 0 (changing a non-zero count), refused before 3 was written, then put back
        assertEquals(List.of(ACME + "sriov_drivers_autoprobe=0", ACME + "sriov_numvfs=0", ACME + "sriov_numvfs=2",
                ACME + "sriov_drivers_autoprobe=1"), kernel.writes());
    }

    @Test
    void aFailingAfterEnableRemovesTheNewVfsAndNamesThePlugin() {
        SimulatedKernel kernel = host(acmeX1(0x5a09)); // VFs that are not what the plugin expects
        try (SriovHost host = kernel.openHost()) {
            SriovException e = assertThrows(SriovException.class, () -> host.enableVfs(ACME_PF, 2));
            assertTrue(e.getMessage().contains("'acme-x1'") && e.getMessage().contains("afterEnable")
                    && e.getMessage().contains("5a09"), e.getMessage());
            assertTrue(e.getMessage().contains("removed the 2 new VFs"), e.getMessage());
            assertEquals(0, host.topology().physicalFunction(ACME_PF).orElseThrow().numVfs());
        }
        assertEquals(0, kernel.numVfs(ACME_PF));
        assertEquals(List.of(ACME + "uevent=change", ACME + "sriov_numvfs=2", ACME + "sriov_numvfs=0"),
                kernel.writes());
    }

    @Test
    void disablingRunsNoEnableHooks() {
        SimulatedKernel kernel = host(acmeX1(ACME_X1_VF).withEnabledVfs(2));
        try (SriovHost host = kernel.openHost()) {
            host.disableVfs(ACME_PF);
        }
        assertEquals(List.of(ACME + "sriov_numvfs=0"), kernel.writes());
        assertFalse(choiceFor(ACME_PF).equals("(none)"), "the plugin was chosen for the disable too");
    }
}
