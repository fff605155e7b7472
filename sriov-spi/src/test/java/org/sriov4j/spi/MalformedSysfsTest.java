package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.SysfsIoException;
import org.sriov4j.Topology;
import org.sriov4j.testdata.CapturedTrees;

/**
 * Malformed names and inconsistent links in a captured tree: every one is a {@link MalformedAttributeException} (an
 * {@link SriovException}) naming the file, whichever operation meets it — never an {@link IllegalArgumentException}
 * (which the CLI reports as bad usage) and never silently dropped.
 */
class MalformedSysfsTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF2 = PciAddress.parse("0000:01:10.4");

    @TempDir
    Path tmp;
    Path root;

    @BeforeEach
    void unpack() throws Exception {
        root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
    }

    Path dev(PciAddress a) {
        return root.resolve("bus/pci/devices/" + a);
    }

    static void replaceFile(Path p, String content) throws Exception {
        Files.deleteIfExists(p);
        Files.writeString(p, content);
    }

    static void relink(Path link, String target) throws Exception {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(target));
    }

    <T> T withHost(java.util.function.Function<SriovHost, T> use) {
        SriovConfig config = SriovConfig.builder().sysfsRoot(root).stateDir(tmp.resolve("state")).build();
        try (SriovHost host = SriovEngine.open(config)) {
            return use.apply(host);
        }
    }

    void onHost(Consumer<SriovHost> use) {
        withHost(h -> {
            use.accept(h);
            return null;
        });
    }

    static MalformedAttributeException malformed(Runnable call, String file) {
        MalformedAttributeException e = assertThrows(MalformedAttributeException.class, call::run);
        assertTrue(e.path().orElseThrow().endsWith(file), e.getMessage());
        return e;
    }

    @Test
    void aVirtfnLinkToSomethingThatIsNotAnAddressFailsEveryPfOperationNamingTheLink() throws Exception {
        relink(dev(PF).resolve("virtfn0"), "../not-a-device");
        String link = "bus/pci/devices/0000:01:00.0/virtfn0";
        onHost(host -> {
            malformed(() -> host.topology(), link);
            malformed(() -> host.topologyOf(PF), link);
            malformed(() -> host.enableVfs(PF, 2), link);     // Lifecycle.withPfLocked -> vfsOf
        });
    }

    @Test
    void aPhysfnLinkToSomethingThatIsNotAnAddressFailsNamingTheLink() throws Exception {
        relink(dev(VF2).resolve("physfn"), "../x:y");
        onHost(host -> {
            malformed(() -> host.topology(), "0000:01:10.4/physfn");
            malformed(() -> host.topologyOf(VF2), "0000:01:10.4/physfn");
        });
    }

    @Test
    void aDriverLinkWhoseNameIsNotADriverNameIsMalformedBeforeItBecomesAPath() throws Exception {
        // "bus/pci/drivers/../unbind" would have been written on detach
        relink(dev(VF0).resolve("driver"), "../../../../bus/pci/drivers/..");
        onHost(host -> {
            MalformedAttributeException e = malformed(() -> host.topology(), "0000:01:10.0/driver");
            assertTrue(e.getMessage().contains("a driver name"), e.getMessage());
        });
        relink(dev(VF0).resolve("driver"), "../../../../bus/pci/drivers/i g\u001b[2Jb");
        onHost(host -> {
            MalformedAttributeException e = malformed(() -> host.topologyOf(VF0), "0000:01:10.0/driver");
            assertFalse(e.getMessage().contains("\u001b"), "control characters are escaped in the message");
        });
    }

    @Test
    void anIommuGroupEntryThatIsNotAnAddressIsMalformedNamingTheGroup() throws Exception {
        // group 6 holds VF0 only; a second entry that is no device
        Files.createSymbolicLink(root.resolve("kernel/iommu_groups/6/devices/garbage"), Path.of("../../../../devices"));
        onHost(host -> malformed(() -> host.topology(), "kernel/iommu_groups/6/devices"));
    }

    @Test
    void anAddressInANonCanonicalFormIsMalformed() throws Exception {
        relink(dev(PF).resolve("virtfn1"), "../01:10.2");
        onHost(host -> malformed(() -> host.topology(), "0000:01:00.0/virtfn1"));
    }

    @Test
    void numVfsAboveTotalVfsIsMalformed() throws Exception {
        replaceFile(dev(PF).resolve("sriov_numvfs"), "8\n");
        onHost(host -> {
            MalformedAttributeException e = malformed(() -> host.topology(), "0000:01:00.0/sriov_numvfs");
            assertTrue(e.getMessage().contains("sriov_totalvfs (7)"), e.getMessage());
        });
    }

    @Test
    void twoVirtfnLinksNamingOneVfAreMalformed() throws Exception {
        relink(dev(PF).resolve("virtfn6"), "../0000:01:10.0");
        onHost(host -> {
            MalformedAttributeException e = malformed(() -> host.topology(), "0000:01:00.0/virtfn6");
            assertTrue(e.getMessage().contains("virtfn0 names it too"), e.getMessage());
        });
    }

    @Test
    void aVfWhosePhysfnIsNotAPfIsMalformedNotDropped() throws Exception {
        relink(dev(VF2).resolve("physfn"), "../0000:00:02.0"); // a virtio NIC without SR-IOV
        onHost(host -> malformed(() -> host.topology(), "0000:01:10.4/physfn"));
    }

    @Test
    void aVfWhosePhysfnPfIsGoneIsLeftOutAsBeingRemoved() throws Exception {
        relink(dev(VF2).resolve("physfn"), "../0000:07:00.0"); // no such device: the PF went away
        Topology t = this.<Topology>withHost(host -> host.topology());
        assertTrue(t.virtualFunction(VF2).isEmpty());
        assertEquals(6, t.virtualFunctions().size());
    }

    @Test
    void showingOneFunctionDoesNotReadAnUnrelatedMalformedDevice() throws Exception {
        replaceFile(root.resolve("bus/pci/devices/0000:00:02.0/vendor"), "virtio!\n");
        onHost(host -> {
            malformed(() -> host.topology(ScanScope.ALL_FUNCTIONS), "0000:00:02.0/vendor");
            Topology vf = host.topologyOf(VF2);
            assertEquals(PF, vf.virtualFunction(VF2).orElseThrow().pf());
            assertEquals(2, vf.virtualFunction(VF2).orElseThrow().index());
            assertEquals(8, vf.iommuGroupOf(VF2).orElseThrow().number());
            Topology pf = host.topologyOf(PF);
            assertEquals(7, pf.physicalFunction(PF).orElseThrow().vfs().size());
            assertEquals(8, pf.functions().size(), "the PF and its 7 VFs");
            assertEquals("igbvf", pf.function(VF0).orElseThrow().driver().orElseThrow());
            assertTrue(host.topologyOf(PciAddress.parse("0000:05:00.0")).functions().isEmpty());
        });
    }

    @Test
    void showingAVfStillFailsWhenItsOwnPfIsMalformed() throws Exception {
        replaceFile(dev(PF).resolve("sriov_offset"), "x\n");
        onHost(host -> malformed(() -> host.topologyOf(VF2), "0000:01:00.0/sriov_offset"));
    }

    @Test
    void aFifoAttributeFailsTheScanWithoutHanging() throws Exception {
        Path numvfs = dev(PF).resolve("sriov_numvfs");
        Files.delete(numvfs);
        NioTreeHardeningTest.mkfifo(numvfs);
        SysfsIoException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                NioTreeHardeningTest.NEVER_BLOCKS, () -> this.<SysfsIoException>withHost(host -> assertThrows(SysfsIoException.class,
                        () -> host.topology())));
        assertEquals(Errno.EINVAL, e.errno().orElseThrow());
        assertTrue(e.getMessage().contains("0000:01:00.0/sriov_numvfs"), e.getMessage());
    }

    @Test
    void anAttributeLinkedToAFileOutsideTheTreeIsNeverQuoted() throws Exception {
        Path secret = tmp.resolve("passwd");
        Files.writeString(secret, "root:x:0:0:root:/root:/bin/bash\n");
        Path vendor = dev(PF).resolve("vendor");
        Files.delete(vendor);
        Files.createSymbolicLink(vendor, secret);
        SysfsIoException e = this.<SysfsIoException>withHost(host -> assertThrows(SysfsIoException.class, () -> host.topology()));
        assertEquals(Errno.EXDEV, e.errno().orElseThrow());
        assertFalse(e.getMessage().contains("root:x"), e.getMessage());
        assertTrue(e.getMessage().contains("0000:01:00.0/vendor"), e.getMessage());
    }
}
