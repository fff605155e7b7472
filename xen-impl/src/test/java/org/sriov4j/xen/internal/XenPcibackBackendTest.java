package org.sriov4j.xen.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.spi.ProbeContext;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.testing.FakeXl;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.xen.XenToolstackException;

/** The xen-pciback backend on a simulated control domain with a fake xl: the behaviours of docs/xen.md. */
class XenPcibackBackendTest {

    private static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    private static final String DRIVER_PATH = "/libxl/pci/0000-01-10-0/driver_path";

    private SimulatedKernel kernel;
    private FakeXl xl;
    private PciAddress vf0;
    private PciAddress vf1;

    @BeforeEach
    void twoVfsOnIgbvf() {
        kernel = SimulatedKernel.xenDom0Host();
        xl = kernel.fakeXl();
        try (SriovHost host = kernel.openHost()) {
            List<PciAddress> vfs = host.enableVfs(PF, 2).vfs();
            vf0 = vfs.get(0);
            vf1 = vfs.get(1);
        }
        assertEquals(PciAddress.parse("0000:01:10.0"), vf0);
    }

    private Optional<String> driver(PciAddress f) {
        return kernel.linkName("bus/pci/devices/" + f + "/driver");
    }

    private List<PciAddress> slots() {
        return XlToolstack.addresses(kernel.read("bus/pci/drivers/pciback/slots"));
    }

    private List<PciAddress> assignableList() {
        return XlToolstack.addresses(xl.run(List.of("xl", "pci-assignable-list"), XlToolstack.TIMEOUT).stdout());
    }

    @Test
    void theProbeSeesAControlDomainAndSelectsXenAboveKvm() {
        XenPcibackBackendProvider p = new XenPcibackBackendProvider();
        assertTrue(p.probe(new ProbeContext(kernel, kernel.devices(), xl)).available());
        assertTrue(p.probe(new ProbeContext(kernel, kernel.devices())).available(), "hypervisor/type alone");
        SimulatedKernel plain = SimulatedKernel.intel82576Host();
        assertFalse(p.probe(new ProbeContext(plain, plain.devices())).available());
        try (SriovHost host = kernel.openHost()) {
            assertEquals("xen-pciback", host.backendId());
            Set<BackendFeature> f = host.backendFeatures();
            assertFalse(f.contains(BackendFeature.USER_SPACE_DMA_MAPPING), "Xen owns the IOMMU");
            assertFalse(f.contains(BackendFeature.LIVE_MIGRATION_STATE_TRANSFER), "no device-state transfer");
            assertTrue(f.contains(BackendFeature.HOT_PLUG));
        }
        assertEquals(200, p.priority());
    }

    @Test
    void aLeaseTiedToAProcessThatExitedLeavesItsDomainBeforeTheNextLeaseTakesTheVf() throws Exception {
        xl.createDomain("domu1", true);
        Process qemu = new ProcessBuilder("sleep", "600").start();
        try (SriovHost host = kernel.openHost()) {
            org.sriov4j.Lease lease = host.lease(vf0, "vm-1", org.sriov4j.LeaseHolder.process(qemu.pid()));
            lease.attachToGuest("domu1");
            assertEquals(List.of(vf0), xl.attached("domu1"));
        } finally {
            qemu.destroyForcibly().waitFor();
        }
        try (SriovHost host = kernel.openHost(); org.sriov4j.Lease next = host.lease(vf0, "vm-2")) {
            assertEquals(List.of(), xl.attached("domu1"), "the dead lessee's domain lost it first");
            assertEquals(Optional.empty(), next.attachedTo());
            assertEquals(Optional.of("pciback"), driver(vf0));
        }
        assertEquals(Optional.of("igbvf"), driver(vf0), "managed: given back when the new lease ends");
    }

    @Test
    void theProbeAcceptsAnInstalledButNotLoadedPciback() {
        SimulatedKernel noPciback = SimulatedKernel.builder().qemuQ35().iommu(false).hypervisor("xen")
                .intel82576("0000:01:00.0").loadDrivers("igbvf").build();
        HostCommands files = new HostCommands() {
            @Override
            public Result run(List<String> argv, java.time.Duration timeout) {
                throw new AssertionError("a probe runs nothing");
            }

            @Override
            public Optional<String> readFile(String path) {
                switch (path) {
                    case "/proc/sys/kernel/osrelease":
                        return Optional.of("6.12.0-1-amd64\n");
                    case "/lib/modules/6.12.0-1-amd64/modules.dep":
                        return Optional.of("kernel/drivers/xen/xen-pciback/xen-pciback.ko: \n");
                    default:
                        return Optional.empty();
                }
            }
        };
        XenPcibackBackendProvider p = new XenPcibackBackendProvider();
        assertTrue(p.probe(new ProbeContext(noPciback, noPciback.devices(), files)).available());
        assertFalse(p.probe(new ProbeContext(noPciback, noPciback.devices())).available());
    }

    @Test
    void detachMakesTheVfAssignableAsXlWouldAndReattachUndoesIt() {
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf0);
            assertEquals(Optional.of("pciback"), driver(vf0));
            assertEquals(List.of(vf0), slots());
            assertEquals(List.of(vf0), assignableList(), "xl pci-assignable-list shows it");
            assertEquals("/sys/bus/pci/drivers/igbvf", xl.xenstore().get(DRIVER_PATH));
            assertTrue(xl.quarantined(vf0), "quarantined as xl pci-assignable-add does");
            assertEquals(Optional.of("igbvf"), host.assignments().get(0).originalDriver());
            host.detach(vf0);
            assertEquals(List.of(vf0), slots(), "not added twice");
            host.reattach(vf0);
        }
        assertEquals(Optional.of("igbvf"), driver(vf0));
        assertEquals(List.of(), slots());
        assertEquals("(null)", kernel.read("bus/pci/devices/" + vf0 + "/driver_override").strip());
        assertFalse(xl.quarantined(vf0));
        assertTrue(xl.xenstore().isEmpty(), xl.xenstore().toString());
    }

    @Test
    void anOperatorsXlPciAssignableRemoveRestoresWhatSriov4jDetached() {
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf1);
        }
        xl.run(List.of("xl", "pci-assignable-remove", "-r", vf1.toString()), XlToolstack.TIMEOUT);
        assertEquals(Optional.of("igbvf"), driver(vf1));
        try (SriovHost host = kernel.openHost()) {
            host.reattach(vf1); // the stale record goes; the VF stays on igbvf
            assertTrue(host.assignments().isEmpty());
        }
        assertEquals(Optional.of("igbvf"), driver(vf1));
    }

    @Test
    void recoverDropsTheRecordOfAVfThatXlGaveBack() {
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf1);
        }
        xl.run(List.of("xl", "pci-assignable-remove", "-r", vf1.toString()), XlToolstack.TIMEOUT);
        try (SriovHost host = kernel.openHost()) {
            RecoveryReport r = host.recover();
            assertEquals(List.of(vf1), r.restored(), r.toString());
            assertTrue(host.assignments().isEmpty());
            assertTrue(host.recover().clean());
        }
        assertEquals(Optional.of("igbvf"), driver(vf1));
    }

    @Test
    void aVfMadeAssignableByXlIsRecognisedAndGivenBackToItsRecordedDriver() {
        HostCommands.Result r = xl.run(List.of("xl", "pci-assignable-add", vf0.toString()), XlToolstack.TIMEOUT);
        assertTrue(r.ok(), r.toString());
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf0);
            assertEquals(List.of(vf0), slots(), "not double-added");
            assertEquals(Optional.of("igbvf"), host.assignments().get(0).originalDriver());
            host.reattach(vf0);
        }
        assertEquals(Optional.of("igbvf"), driver(vf0));
        assertTrue(xl.xenstore().isEmpty());
    }

    @Test
    void aLeaseAttachesToADomainAndClosingItDetachesAndGivesTheVfBack() {
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost(); Lease lease = host.lease(vf0, "vm-1")) {
            lease.attachToGuest("guest1");
            assertEquals(List.of(vf0), xl.attached("guest1"));
            assertEquals(Optional.of("guest1"), lease.attachedTo());
            assertEquals(Optional.of("guest1"), host.assignments().get(0).attachedTo());
            lease.attachToGuest("guest1"); // again: nothing
            assertEquals(List.of(), assignableList(), "assigned to a domain: no longer assignable");
            lease.detachFromGuest();
            assertEquals(List.of(), xl.attached("guest1"));
            assertTrue(xl.quarantined(vf0), "Xen quarantines what a domU gives back");
            lease.attachToGuest("guest1");
        }
        assertEquals(List.of(), xl.attached("guest1"));
        assertEquals(Optional.of("igbvf"), driver(vf0));
        assertFalse(xl.quarantined(vf0), "released from quarantine before igbvf gets it");
    }

    @Test
    void libxlRefusalsBecomeTypedExceptionsAndLeaveTheLeaseUnattached() {
        xl.createDomain("nopt", false);
        try (SriovHost host = kernel.openHost(); Lease lease = host.lease(vf0, "vm-1")) {
            XenToolstackException none = assertThrows(XenToolstackException.class,
                    () -> lease.attachToGuest("nosuch"));
            assertEquals(XenToolstackException.Kind.NO_SUCH_DOMAIN, none.kind());
            XenToolstackException pt = assertThrows(XenToolstackException.class, () -> lease.attachToGuest("nopt"));
            assertEquals(XenToolstackException.Kind.PASSTHROUGH_NOT_ENABLED, pt.kind());
            assertEquals(Optional.of(Errno.EOPNOTSUPP), pt.errno());
            assertTrue(pt.getMessage().contains("xc_assign_device failed"), pt.getMessage());
            assertEquals(Optional.empty(), lease.attachedTo());
            assertThrows(IllegalArgumentException.class, () -> lease.attachToGuest("-x"));
            assertThrows(IllegalArgumentException.class, () -> lease.attachToGuest("a b"));
        }
        xl.createDomain("g1", true);
        xl.createDomain("g2", true);
        xl.run(List.of("xl", "pci-assignable-add", vf1.toString()), XlToolstack.TIMEOUT);
        xl.run(List.of("xl", "pci-attach", "g1", vf1.toString()), XlToolstack.TIMEOUT);
        XlToolstack tool = new XlToolstack(xl);
        XenToolstackException busy = assertThrows(XenToolstackException.class,
                () -> tool.pciAttach("g2", vf1, List.of()));
        assertEquals(XenToolstackException.Kind.ALREADY_ASSIGNED, busy.kind());
        assertThrows(IllegalArgumentException.class, () -> tool.pciAttach("g2", vf1, List.of("x;rm")));
    }

    @Test
    void withoutAnIommuAssignmentIsRefusedUnlessTheUnsafeOptionIsSet() {
        xl.iommu(false);
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost()) {
            SriovException e = assertThrows(org.sriov4j.NoIommuException.class, () -> host.detach(vf0));
            assertTrue(e.getMessage().contains("pv_directio"), e.getMessage());
            assertEquals(Optional.of("igbvf"), driver(vf0));
        }
        SriovConfig unsafe = SriovConfig.builder().stateDir(kernel.stateDir()).allowUnsafeAssignmentWithoutIommu()
                .build();
        try (SriovHost host = SriovEngine.open(unsafe, kernel, kernel.devices(), xl)) {
            host.detach(vf0);
            assertEquals(Optional.of("pciback"), driver(vf0));
            host.reattach(vf0);
        }
        XenToolstackException q = assertThrows(XenToolstackException.class,
                () -> new XlToolstack(xl).assignableAdd(vf1));
        assertEquals(XenToolstackException.Kind.NO_IOMMU, q.kind());
    }

    @Test
    void permissiveModeOnlyOnRequest() {
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost(); Lease lease = host.lease(vf0, "vm-1")) {
            lease.attachToGuest("guest1");
            assertEquals("", kernel.read("bus/pci/drivers/pciback/permissive"));
            assertTrue(xl.calls().contains(List.of("xl", "pci-attach", "guest1", vf0.toString())));
        }
        SriovConfig permissive = SriovConfig.builder().stateDir(kernel.stateDir()).xenPermissive().build();
        try (SriovHost host = SriovEngine.open(permissive, kernel, kernel.devices(), kernel.hostCommands());
                Lease lease = host.lease(vf0, "vm-1")) {
            lease.attachToGuest("guest1");
            assertEquals(vf0 + "\n", kernel.read("bus/pci/drivers/pciback/permissive"));
            assertTrue(xl.calls().contains(List.of("xl", "pci-attach", "guest1", vf0 + ",permissive=1")));
        }
    }

    /** Makes the ledger record of {@code f} look like a managed lease of a process that died. */
    private void pretendTheHolderDied(PciAddress f) throws Exception {
        Path entry;
        try (Stream<Path> files = Files.list(kernel.stateDir().resolve("ledger"))) {
            entry = files.filter(p -> p.getFileName().toString().startsWith(f.toString())).findFirst().orElseThrow();
        }
        String text = Files.readString(entry).replace("managed=false", "managed=true");
        String body = text.substring(0, text.lastIndexOf("crc32="));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.writeString(entry, body + String.format("crc32=%08x%n", crc.getValue()));
    }

    @Test
    void recoverDetachesTheVfFromADomainThatStillExistsAndGivesItBack() throws Exception {
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf0);
            host.attachToGuest(vf0, "guest1");
        }
        pretendTheHolderDied(vf0);
        try (SriovHost host = kernel.openHost()) {
            RecoveryReport r = host.recover();
            assertEquals(List.of(vf0), r.restored(), r.toString());
        }
        assertEquals(List.of(), xl.attached("guest1"));
        assertEquals(Optional.of("igbvf"), driver(vf0));
        assertTrue(xl.xenstore().isEmpty());
    }

    @Test
    void recoverGivesBackAVfWhoseDomainIsGone() throws Exception {
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf0);
            host.attachToGuest(vf0, "guest1");
        }
        xl.destroyDomain("guest1");
        pretendTheHolderDied(vf0);
        try (SriovHost host = kernel.openHost()) {
            RecoveryReport r = host.recover();
            assertEquals(List.of(vf0), r.restored(), r.toString());
        }
        assertEquals(Optional.of("igbvf"), driver(vf0));
    }

    @Test
    void reattachOfAnUnmanagedVfAttachedToADomainDetachesItFirst() {
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost()) {
            host.detach(vf0);
            host.attachToGuest(vf0, "guest1");
            assertEquals(List.of(vf0), xl.attached("guest1"));
            host.detachFromGuest(vf0);
            assertEquals(List.of(), xl.attached("guest1"));
            host.attachToGuest(vf0, "guest1");
            host.reattach(vf0);
        }
        assertEquals(List.of(), xl.attached("guest1"));
        assertEquals(Optional.of("igbvf"), driver(vf0));
    }

    @Test
    void attachingAFunctionThatIsNotDetachedIsRefused() {
        xl.createDomain("guest1", true);
        try (SriovHost host = kernel.openHost()) {
            SriovException e = assertThrows(SriovException.class, () -> host.attachToGuest(vf0, "guest1"));
            assertEquals(Optional.of(Errno.ENODEV), e.errno());
        }
    }

    @Test
    void xlOutputIsParsed() {
        assertEquals(List.of(PciAddress.parse("0000:01:10.0")),
                XlToolstack.addresses("Vdev Device\n00.0 0000:01:10.0\n"));
        assertEquals(XenToolstackException.Kind.NO_SUCH_DOMAIN,
                XlToolstack.kindOf("Can't get domid of domain name 'x', maybe this domain does not exist."));
        assertEquals(XenToolstackException.Kind.NO_IOMMU, XlToolstack.kindOf(
                "libxl: error: libxl_pci.c:832:libxl__device_pci_assignable_add: failed to quarantine 0000:01:10.0"));
        assertTrue(new XlToolstack(xl).virtCaps().contains("pv_directio"));
        assertFalse(new XlToolstack(xl.iommu(false)).virtCaps().contains("pv_directio"));
    }
}
