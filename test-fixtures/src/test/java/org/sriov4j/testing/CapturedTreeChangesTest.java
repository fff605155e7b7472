package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.testdata.CapturedTrees;

/**
 * The lifecycle on a sysfs tree captured from Linux 6.12 and unpacked on disk (no kernel reacts to its writes): such
 * a tree is read-only unless it was made writable, a write to it replaces the file, and malformed names met on the
 * way are {@link MalformedAttributeException}s naming the file.
 */
class CapturedTreeChangesTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF2 = PciAddress.parse("0000:01:10.4");
    static final PciAddress ON_VFIO = PciAddress.parse("0000:01:10.6");

    @TempDir
    Path tmp;
    Path root;

    @BeforeEach
    void unpack() throws Exception {
        root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
    }

    SriovHost open(boolean writable) {
        SriovConfig.Builder b = SriovConfig.builder().sysfsRoot(root).stateDir(tmp.resolve("state"));
        if (writable) {
            b.writableTree();
        }
        return SriovHost.open(b.build());
    }

    Path dev(PciAddress a) {
        return root.resolve("bus/pci/devices/" + a);
    }

    /** Every regular file of the tree and its content, to prove nothing changed. */
    Map<String, String> snapshot() throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    m.put(root.relativize(p).toString(), Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
        }
        return m;
    }

    static void relink(Path link, String target) throws Exception {
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(target));
    }

    @Test
    void aDetachOnACapturedTreeIsRefusedWithEroFsAndChangesNothing() throws Exception {
        Map<String, String> before = snapshot();
        try (SriovHost host = open(false)) {
            SriovException e = assertThrows(SriovException.class, () -> host.detach(VF2));
            assertEquals(Errno.EROFS, e.errno().orElseThrow(), e.getMessage());
            assertTrue(e.getMessage().contains("0000:01:10.4/driver_override"), e.getMessage());
            assertTrue(e.getMessage().contains("--writable-tree"), e.getMessage());
            SriovException lease = assertThrows(SriovException.class, () -> host.lease(VF2, "vm"));
            assertEquals(Errno.EROFS, lease.errno().orElseThrow(), lease.getMessage());
            assertEquals(0, host.assignments().size(), "no record is left behind");
        }
        assertEquals(before, snapshot());
    }

    @Test
    void aCapturedTreeStillServesWhatNeedsNoWrite() throws Exception {
        Map<String, String> before = snapshot();
        try (SriovHost host = open(false)) {
            assertEquals(7, host.topology().virtualFunctions().size());
            try (Lease lease = host.lease(ON_VFIO, "vm")) { // already on vfio-pci: an unmanaged lease writes nothing
                assertTrue(lease.isHeld());
            }
        }
        assertEquals(before, snapshot());
    }

    @Test
    void aFailedLeaseOnAWritableTreeLeavesTheOverrideItRestoredNotAMixOfTwoWrites() throws Exception {
        // nothing binds on a tree on disk: the lease fails at its verification and restores driver_override by
        // writing a newline; before, the file then held "\nfio-pci"
        try (SriovHost host = open(true)) {
            SriovException e = assertThrows(SriovException.class, () -> host.lease(VF2, "vm"));
            assertEquals(Errno.ENODEV, e.errno().orElseThrow(), e.getMessage());
        }
        assertEquals("\n", Files.readString(dev(VF2).resolve("driver_override")));
    }

    @Test
    void aMalformedVirtfnLinkFailsADetachOfThePfNamingTheLink() throws Exception {
        relink(dev(PF).resolve("virtfn3"), "../garbage");
        try (SriovHost host = open(true)) {
            MalformedAttributeException e = assertThrows(MalformedAttributeException.class, () -> host.detach(PF));
            assertTrue(e.getMessage().contains("0000:01:00.0/virtfn3") && e.getMessage().contains("garbage"),
                    e.getMessage());
        }
    }

    @Test
    void aMalformedPhysfnLinkFailsADetachOfTheVfNamingTheLink() throws Exception {
        relink(dev(VF2).resolve("physfn"), "../0000:01:00.0:x");
        try (SriovHost host = open(true)) {
            MalformedAttributeException e = assertThrows(MalformedAttributeException.class, () -> host.lease(VF2, "vm"));
            assertTrue(e.getMessage().contains("0000:01:10.4/physfn"), e.getMessage());
        }
    }

    @Test
    void aDriverLinkNamedDotDotNeverBecomesAnUnbindPath() throws Exception {
        relink(dev(VF0).resolve("driver"), "../../../../bus/pci/drivers/..");
        Map<String, String> before = snapshot();
        try (SriovHost host = open(true)) {
            MalformedAttributeException e = assertThrows(MalformedAttributeException.class, () -> host.detach(VF0));
            assertTrue(e.getMessage().contains("0000:01:10.0/driver"), e.getMessage());
        }
        assertEquals(before, snapshot());
    }

    @Test
    void aMalformedIommuGroupEntryFailsTheViabilityCheckNamingTheGroup() throws Exception {
        Files.createSymbolicLink(root.resolve("kernel/iommu_groups/8/devices/garbage"), Path.of("../../../../devices"));
        try (SriovHost host = open(true)) {
            MalformedAttributeException e = assertThrows(MalformedAttributeException.class, () -> host.detach(VF2));
            assertTrue(e.getMessage().contains("kernel/iommu_groups/8/devices"), e.getMessage());
        }
    }

    @Test
    void aDriversDirectoryLinkedOutOfTheTreeIsNeverWrittenThrough() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("unbind"), "");
        Path igbvf = root.resolve("bus/pci/drivers/igbvf");
        try (Stream<Path> s = Files.list(igbvf)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(igbvf);
        Files.createSymbolicLink(igbvf, outside);
        try (SriovHost host = open(true)) {
            SriovException e = assertThrows(SriovException.class, () -> host.detach(VF0));
            assertEquals(Errno.EXDEV, e.errno().orElseThrow(), e.getMessage());
        }
        assertEquals("", Files.readString(outside.resolve("unbind")));
    }

    @Test
    void anOverrideTheLedgerCannotRecordIsRefusedNamingTheFileNotBadUsage() throws Exception {
        Path override = dev(VF2).resolve("driver_override");
        Files.delete(override);
        Files.writeString(override, "igb vf\n"); // the kernel stores any text; a blank cannot be recorded
        try (SriovHost host = open(true)) {
            SriovException e = assertThrows(SriovException.class, () -> host.detach(VF2));
            assertEquals(Errno.EINVAL, e.errno().orElseThrow(), e.getMessage());
            assertTrue(e.getMessage().contains("0000:01:10.4/driver_override") && e.getMessage().contains("igb vf"),
                    e.getMessage());
        }
        assertEquals("igb vf\n", Files.readString(override));
    }
}
