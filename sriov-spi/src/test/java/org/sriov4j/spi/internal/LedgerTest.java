package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sriov4j.PciAddress;
import org.sriov4j.spi.internal.Ledger.Kind;
import org.sriov4j.spi.internal.Ledger.Problem;
import org.sriov4j.spi.internal.Ledger.Scan;
import org.sriov4j.spi.internal.LedgerEntry.Phase;

class LedgerTest {

    static final PciAddress VF = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF2 = PciAddress.parse("0000:01:10.2");
    static final PciAddress VF3 = PciAddress.parse("0000:01:10.4");

    @TempDir
    Path state;

    static LedgerEntry entry(PciAddress device, Phase phase) {
        return new LedgerEntry(device, phase, Optional.of("igbvf"), Optional.empty(), "vfio-pci", true, 4711,
                Optional.of(Instant.parse("2025-05-01T09:30:12.340Z")), Optional.of("vm-42"),
                Instant.parse("2025-05-01T09:31:00.123456789Z"), Map.of("xen.domain", "7"));
    }

    @Test
    void aRunChecksTheStateDirectoryOnceAndEveryAccessOutsideARunChecksItAgain() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHED));
        Optional<LedgerEntry> inRun = ledger.inRun(() -> {
            ledger.get(VF); // checked here
            try {
                Files.setPosixFilePermissions(ledger.directory(), PosixFilePermissions.fromString("rwxrwxrwx"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ledger.put(entry(VF2, Phase.DETACHING));
            return ledger.get(VF);
        });
        assertEquals(Optional.of(entry(VF, Phase.DETACHED)), inRun);
        org.sriov4j.SriovException e = assertThrows(org.sriov4j.SriovException.class, () -> ledger.get(VF));
        assertTrue(e.getMessage().contains("group or others may write"), e.getMessage());
        Files.setPosixFilePermissions(ledger.directory(), PosixFilePermissions.fromString("rwx------"));
        assertEquals(Optional.of(entry(VF2, Phase.DETACHING)), ledger.get(VF2));
    }

    @Test
    void aCompletionWrittenOrRemovedWithoutTheDirectorySyncIsInPlaceAtOnceAndLeavesNoTemporaryFile() {
        Ledger ledger = new Ledger(state);
        ledger.syncDirectory(); // no ledger yet: nothing to force, nothing created
        assertFalse(Files.exists(ledger.directory()));
        ledger.put(entry(VF, Phase.DETACHING));
        ledger.putUnsynced(entry(VF, Phase.DETACHED));
        assertEquals(Optional.of(entry(VF, Phase.DETACHED)), ledger.get(VF));
        ledger.put(entry(VF2, Phase.REATTACHING));
        ledger.removeUnsynced(VF2);
        ledger.removeUnsynced(VF3); // absent: nothing
        ledger.syncDirectory();
        Scan scan = ledger.scan();
        assertEquals(List.of(entry(VF, Phase.DETACHED)), scan.entries());
        assertEquals(List.of(), scan.problems());
    }

    @Test
    void aLeaseIsWrittenAsVersionTwoAndReadBackWhileEntriesWithoutOneStayVersionOne() throws IOException {
        Ledger ledger = new Ledger(state);
        LedgerEntry plain = entry(VF, Phase.DETACHED);
        org.sriov4j.LeaseHolder process = new org.sriov4j.LeaseHolder(org.sriov4j.LeaseHolder.Kind.PROCESS,
                java.util.OptionalLong.of(5120), Optional.of(Instant.parse("2025-05-01T09:35:02.120Z")));
        LedgerEntry leased = new LedgerEntry(VF2, Phase.DETACHED, Optional.of("igbvf"), Optional.empty(), "vfio-pci",
                true, 4711, Optional.empty(), Optional.of("vm-42"), Instant.parse("2025-05-01T09:31:00Z"), Map.of(),
                Optional.of(process));
        LedgerEntry durable = new LedgerEntry(VF3, Phase.DETACHED, Optional.empty(), Optional.empty(), "vfio-pci",
                false, 4711, Optional.empty(), Optional.of("vm-43"), Instant.parse("2025-05-01T09:31:00Z"), Map.of(),
                Optional.of(org.sriov4j.LeaseHolder.durable()));
        ledger.put(plain);
        ledger.put(leased);
        ledger.put(durable);
        assertTrue(Files.readString(ledger.file(VF)).startsWith("sriov4j-ledger 1\n"));
        String text = Files.readString(ledger.file(VF2));
        assertTrue(text.startsWith("sriov4j-ledger 2\n") && text.contains("\nlease=process\nlease_pid=5120\n"
                + "lease_start=2025-05-01T09:35:02.120Z\n"), text);
        assertEquals(Optional.of(leased), ledger.get(VF2));
        assertEquals(Optional.of(durable), ledger.get(VF3));
        assertEquals(List.of(plain, leased, durable), ledger.scan().entries());

        // lease keys in a version-1 file, or a version-2 file with neither lease keys nor saved VF network settings,
        // are damage
        String v1WithLease = text.replace("sriov4j-ledger 2", "sriov4j-ledger 1");
        assertThrows(LedgerFormat.FormatException.class, () -> LedgerFormat.decode(recrc(v1WithLease)));
        String v2WithoutLease = Files.readString(ledger.file(VF)).replace("sriov4j-ledger 1", "sriov4j-ledger 2");
        assertThrows(LedgerFormat.FormatException.class, () -> LedgerFormat.decode(recrc(v2WithoutLease)));
        String durableWithPid = Files.readString(ledger.file(VF3)).replace("lease_pid=\n", "lease_pid=12\n");
        assertThrows(LedgerFormat.FormatException.class, () -> LedgerFormat.decode(recrc(durableWithPid)));
    }

    /** The text with its crc32 line recomputed. */
    static byte[] recrc(String text) {
        return withCrc(text.substring(0, text.lastIndexOf("crc32="))).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetRemoveRoundTripKeepsEveryField() {
        Ledger ledger = new Ledger(state);
        LedgerEntry e = new LedgerEntry(VF, Phase.DETACHED, Optional.empty(), Optional.of("vfio-pci"), "pciback",
                false, 123, Optional.empty(), Optional.of("gäst = \\ one ✓"), Instant.parse("2025-01-02T03:04:05Z"),
                Map.of("note", "line one\nline two\r\\ = \u0001 \u2028 end", "a.b-c_d", ""));

        ledger.put(e);
        assertEquals(Optional.of(e), ledger.get(VF));
        assertEquals(Optional.empty(), ledger.get(VF2));

        ledger.put(entry(VF2, Phase.DETACHING));
        Scan scan = ledger.scan();
        assertEquals(List.of(e, entry(VF2, Phase.DETACHING)), scan.entries());
        assertEquals(List.of(), scan.problems());

        ledger.remove(VF);
        assertEquals(Optional.empty(), ledger.get(VF));
        ledger.remove(VF); // absent: fine
        assertEquals(List.of(entry(VF2, Phase.DETACHING)), ledger.scan().entries());
    }

    @Test
    void entryFileIsVersionedTextEndingInCrc32AndPrivate() throws IOException {
        Ledger ledger = new Ledger(state.resolve("state"));
        ledger.put(entry(VF, Phase.DETACHED));

        Path file = state.resolve("state/ledger/0000:01:10.0.entry");
        assertEquals(file, ledger.file(VF));
        String text = Files.readString(file);
        assertEquals("""
                sriov4j-ledger 1
                device=0000:01:10.0
                phase=DETACHED
                original_driver=igbvf
                original_driver_override=
                stub_driver=vfio-pci
                managed=true
                owner_pid=4711
                owner_start=2025-05-01T09:30:12.340Z
                guest=vm-42
                updated=2025-05-01T09:31:00.123456789Z
                x.xen.domain=7
                """, text.substring(0, text.lastIndexOf("crc32=")));
        CRC32 crc = new CRC32();
        crc.update(text.substring(0, text.lastIndexOf("crc32=")).getBytes(StandardCharsets.UTF_8));
        assertTrue(text.endsWith(String.format("crc32=%08x\n", crc.getValue())), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("state"))));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void readingAMissingLedgerFindsNothingAndCreatesNothing() {
        Ledger ledger = new Ledger(state.resolve("absent"));
        assertEquals(Optional.empty(), ledger.get(VF));
        assertEquals(new Scan(List.of(), List.of(), List.of()), ledger.scan());
        ledger.remove(VF);
        assertFalse(Files.exists(state.resolve("absent")));
    }

    @Test
    void fileCutAtEveryByteOffsetIsReportedByScanNeverThrownAndCanBeQuarantined() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHED));
        ledger.put(entry(VF2, Phase.DETACHED));
        Path file = ledger.file(VF);
        byte[] full = Files.readAllBytes(file);

        for (int cut = 0; cut < full.length; cut++) {
            Files.write(file, java.util.Arrays.copyOf(full, cut));
            Scan scan = ledger.scan();
            assertEquals(List.of(entry(VF2, Phase.DETACHED)), scan.entries(), "cut at " + cut);
            assertEquals(1, scan.problems().size(), "cut at " + cut);
            Problem p = scan.problems().get(0);
            assertEquals(file, p.file());
            assertEquals(Optional.of(VF), p.device());
            assertEquals(Kind.CORRUPT, p.kind(), "cut at " + cut + ": " + p);
            Ledger.UnreadableEntryException x = assertThrows(Ledger.UnreadableEntryException.class,
                    () -> ledger.get(VF), "cut at " + cut);
            assertEquals(Optional.of(VF), x.device());
        }

        Path aside = ledger.quarantine(ledger.scan().problems().get(0).file());
        assertTrue(aside.getFileName().toString().startsWith("0000:01:10.0.entry.corrupt-"), aside.toString());
        assertFalse(Files.exists(file));
        Scan after = ledger.scan();
        assertEquals(List.of(), after.problems());
        assertEquals(List.of(aside), after.quarantined());
        assertEquals(List.of(entry(VF2, Phase.DETACHED)), after.entries());
        assertEquals(Optional.empty(), ledger.get(VF));
    }

    @Test
    void everySingleBitFlipIsDetected() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHED));
        Path file = ledger.file(VF);
        byte[] good = Files.readAllBytes(file);

        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThrows(LedgerFormat.FormatException.class, () -> LedgerFormat.decode(bad),
                        "bit " + bit + " of byte " + i);
            }
            byte[] bad = good.clone();
            bad[i] ^= 1;
            Files.write(file, bad);
            Scan scan = ledger.scan(); // and through the directory: reported, not thrown
            assertEquals(List.of(), scan.entries(), "byte " + i);
            assertEquals(1, scan.problems().size(), "byte " + i);
        }
    }

    @Test
    void anEditThatKeepsTheFormatIsCaughtByTheCrc() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHED));
        Path file = ledger.file(VF);
        Files.writeString(file, Files.readString(file).replace("original_driver=igbvf", "original_driver=e1000e"));

        Problem p = ledger.scan().problems().get(0);
        assertEquals(Kind.CORRUPT, p.kind());
        assertTrue(p.reason().contains("crc32 mismatch"), p.reason());
    }

    @Test
    void strayTempFilesAndForeignFilesAreReportedBesideValidEntries() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHING));
        Path temp = ledger.directory().resolve("0000:01:10.2.entry.tmp-999999999-3");
        Files.write(temp, java.util.Arrays.copyOf(LedgerFormat.encode(entry(VF2, Phase.DETACHED)), 20));
        Path foreign = ledger.directory().resolve("notes.txt");
        Files.writeString(foreign, "hello");

        Scan scan = ledger.scan();
        assertEquals(List.of(entry(VF, Phase.DETACHING)), scan.entries());
        assertEquals(2, scan.problems().size(), scan.problems().toString());
        Problem t = scan.problems().get(0);
        assertEquals(temp, t.file());
        assertEquals(Kind.STRAY_TEMP, t.kind());
        assertEquals(Optional.of(VF2), t.device());
        assertTrue(t.reason().contains("process 999999999 (gone)"), t.reason());
        assertEquals(new Problem(foreign, Optional.empty(), Kind.FOREIGN,
                "not a ledger file (expected <BDF>.entry)"), scan.problems().get(1));
        assertEquals(Optional.empty(), ledger.get(VF2), "a temporary file is never an entry");
    }

    @Test
    void entryOfAnotherVersionIsReportedAsSuchNotAsDamage() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHED));
        Files.writeString(ledger.file(VF2), "sriov4j-ledger 3\nwhatever=new\n");

        Problem p = ledger.scan().problems().get(0);
        assertEquals(Kind.UNKNOWN_VERSION, p.kind());
        assertEquals("entry of version 3; this sriov4j reads versions 1 and 2", p.reason());
        assertThrows(Ledger.UnreadableEntryException.class, () -> ledger.get(VF2));
    }

    @Test
    void unknownKeyWithAValidCrcMakesTheEntryUnreadable() throws IOException {
        Ledger ledger = new Ledger(state);
        String body = new String(LedgerFormat.encode(entry(VF, Phase.DETACHED)), StandardCharsets.UTF_8);
        body = body.substring(0, body.lastIndexOf("crc32=")) + "vf_mac=52:54:00:12:34:56\n";
        Files.createDirectories(ledger.directory());
        Files.writeString(ledger.file(VF), withCrc(body));

        Problem p = ledger.scan().problems().get(0);
        assertEquals(Kind.CORRUPT, p.kind());
        assertEquals("unknown key 'vf_mac' (written by a newer sriov4j?)", p.reason());
    }

    @Test
    void entryUnderAnotherDevicesNameIsReported() throws IOException {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHED));
        Files.copy(ledger.file(VF), ledger.file(VF2));

        Scan scan = ledger.scan();
        assertEquals(List.of(entry(VF, Phase.DETACHED)), scan.entries());
        assertEquals("the file is named for 0000:01:10.2 but holds the entry of 0000:01:10.0",
                scan.problems().get(0).reason());
    }

    @Test
    void aValidlyCheckedFileWithAnInvalidDriverNameIsRejectedOnRead() throws IOException {
        Ledger ledger = new Ledger(state);
        String body = new String(LedgerFormat.encode(entry(VF, Phase.DETACHED)), StandardCharsets.UTF_8);
        body = body.substring(0, body.lastIndexOf("crc32=")).replace("stub_driver=vfio-pci", "stub_driver=../x");
        Files.createDirectories(ledger.directory());
        Files.writeString(ledger.file(VF), withCrc(body));

        Problem p = ledger.scan().problems().get(0);
        assertEquals(Kind.CORRUPT, p.kind());
        assertTrue(p.reason().startsWith("bad value: stubDriver"), p.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "vfio/pci", "vfio pci", "vfio\npci", "vfio\tpci", "\u0000", ".", "..", "vfiö",
        "x12345678901234567890123456789012345678901234567890123456789012345"})
    void invalidDriverNamesAreRejectedBeforeAnythingIsWritten(String name) {
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(VF, Phase.DETACHING, Optional.of(name),
                Optional.empty(), "vfio-pci", true, 1, Optional.empty(), Optional.empty(), Instant.EPOCH, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new LedgerEntry(VF, Phase.DETACHING, Optional.empty(),
                Optional.of(name), "vfio-pci", true, 1, Optional.empty(), Optional.empty(), Instant.EPOCH, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.detaching(VF, Optional.empty(),
                Optional.empty(), name, true, Optional.empty()));
        assertFalse(Files.exists(state.resolve("ledger")));
    }

    @Test
    void longestDriverNameIsAccepted() {
        String name = "d".repeat(LedgerEntry.MAX_DRIVER_NAME);
        assertEquals(name, LedgerEntry.detaching(VF, Optional.of(name), Optional.empty(), "vfio-pci", true,
                Optional.empty()).originalDriver().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "vm\n42", "vm\u000042", "vm\u202e42", "vm\u202842", "\ud800"})
    void unprintableGuestNamesAreRejected(String guest) {
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.detaching(VF, Optional.empty(),
                Optional.empty(), "vfio-pci", true, Optional.of(guest)));
    }

    @Test
    void guestNamesUpTo256CharactersAreAccepted() {
        String ok = "g".repeat(255) + "\ud83d\ude00"; // 256 code points
        assertEquals(ok, LedgerEntry.detaching(VF, Optional.empty(), Optional.empty(), "vfio-pci", true,
                Optional.of(ok)).guest().orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> LedgerEntry.detaching(VF, Optional.empty(),
                Optional.empty(), "vfio-pci", true, Optional.of("g".repeat(257))));
    }

    @Test
    void badExtrasKeysAreRejected() {
        LedgerEntry e = entry(VF, Phase.DETACHED);
        for (String key : List.of("", "a=b", "a b", "ä", "k".repeat(65))) {
            assertThrows(IllegalArgumentException.class, () -> e.withExtra(key, "v"), key);
        }
        assertEquals("v", e.withExtra("k".repeat(64), "v").extras().get("k".repeat(64)));
    }

    @Test
    void detachingAndWithPhaseNameThisProcessAsOwner() throws Exception {
        LedgerEntry e = LedgerEntry.detaching(VF, Optional.of("igbvf"), Optional.empty(), "vfio-pci", true,
                Optional.of("vm-1"));
        assertEquals(Phase.DETACHING, e.phase());
        assertEquals(ProcessHandle.current().pid(), e.ownerPid());
        assertEquals(ProcessHandle.current().info().startInstant(), e.ownerStart());
        assertTrue(e.ownerAlive());

        Process gone = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gone.waitFor();
        LedgerEntry dead = new LedgerEntry(VF, Phase.DETACHED, Optional.empty(), Optional.empty(), "vfio-pci", true,
                gone.pid(), Optional.empty(), Optional.empty(), Instant.now(), Map.of());
        assertFalse(dead.ownerAlive());
        LedgerEntry reused = new LedgerEntry(VF, Phase.DETACHED, Optional.empty(), Optional.empty(), "vfio-pci",
                true, ProcessHandle.current().pid(), Optional.of(Instant.EPOCH), Optional.empty(), Instant.now(),
                Map.of());
        assertFalse(reused.ownerAlive(), "same pid, other start time: not the owner");

        LedgerEntry taken = dead.withPhase(Phase.REATTACHING);
        assertEquals(Phase.REATTACHING, taken.phase());
        assertEquals(ProcessHandle.current().pid(), taken.ownerPid());
        assertTrue(taken.ownerAlive());
    }

    @Test
    void putReplacesAtomicallyWhileOthersRead() throws Exception {
        Ledger ledger = new Ledger(state);
        ledger.put(entry(VF, Phase.DETACHING));
        List<LedgerEntry> versions = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // versions of different lengths, so that a torn read could not pass as a whole one
            versions.add(entry(VF, Phase.values()[i % 3]).withExtra("n", "x".repeat(i * 17)));
        }
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Integer> reads = java.util.Collections.synchronizedList(new ArrayList<>());
        Runnable reader = () -> {
            int n = 0;
            try {
                while (!done.get()) {
                    Scan scan = ledger.scan();
                    for (Problem p : scan.problems()) {
                        if (p.kind() != Kind.STRAY_TEMP) { // another thread's put in progress
                            throw new AssertionError("reader saw " + p);
                        }
                    }
                    assertEquals(1, scan.entries().size());
                    LedgerEntry seen = ledger.get(VF).orElseThrow();
                    if (!seen.equals(entry(VF, Phase.DETACHING)) && !versions.contains(seen)) {
                        throw new AssertionError("reader saw an entry never written: " + seen);
                    }
                    n++;
                }
            } catch (Throwable t) {
                failures.add(t);
            }
            reads.add(n);
        };
        Thread r1 = new Thread(reader);
        Thread r2 = new Thread(reader);
        r1.start();
        r2.start();
        try {
            for (LedgerEntry v : versions) {
                ledger.put(v);
            }
        } finally {
            done.set(true);
            r1.join();
            r2.join();
        }
        assertEquals(List.of(), failures);
        assertEquals(versions.get(versions.size() - 1), ledger.get(VF).orElseThrow());
        try (var files = Files.list(ledger.directory())) {
            assertEquals(List.of(ledger.file(VF)), files.toList());
        }
    }

    @Test
    void quarantineRefusesFilesOutsideTheLedgerDirectory() {
        Ledger ledger = new Ledger(state);
        assertThrows(IllegalArgumentException.class, () -> ledger.quarantine(state.resolve("x.entry")));
        assertThrows(IllegalArgumentException.class,
                () -> ledger.quarantine(ledger.directory().resolve("../x.entry")));
    }

    @Test
    void quarantiningTwiceInTheSameInstantKeepsBothFiles() throws IOException {
        Ledger ledger = new Ledger(state);
        Files.createDirectories(ledger.directory());
        Path a = ledger.directory().resolve("junk");
        Files.writeString(a, "1");
        Path first = ledger.quarantine(a);
        Files.writeString(a, "2");
        Path second = ledger.quarantine(a);
        assertFalse(first.equals(second));
        assertEquals("1", Files.readString(first));
        assertEquals("2", Files.readString(second));
    }

    static String withCrc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        return body + String.format("crc32=%08x\n", crc.getValue());
    }
}
