package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.PciAddress;

/** A safety net against a hung child process, not a timing assertion. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FunctionLocksTest {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress VF = PciAddress.parse("0000:01:10.0");
    static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path state;

    private final List<Process> children = new ArrayList<>();
    private final List<FunctionLock> held = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        held.forEach(FunctionLock::close);
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private FunctionLock lock(FunctionLocks locks, PciAddress device, String holder) {
        FunctionLock l = locks.tryLock(device, holder).orElseThrow(() -> new AssertionError(device + " is busy"));
        held.add(l);
        return l;
    }

    @Test
    void secondTryLockFromAnotherThreadFailsUntilTheFirstIsClosed() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        FunctionLock first = lock(locks, VF, "thread one");

        assertEquals(Optional.empty(), CompletableFuture.supplyAsync(() -> locks.tryLock(VF, "thread two")).get());
        assertEquals(Optional.empty(), new FunctionLocks(state).tryLock(VF, "another instance"));
        assertEquals(Optional.empty(), locks.tryLock(VF, "same thread again"));
        assertTrue(locks.isHeld(VF));
        assertEquals("thread one", locks.holder(VF).orElseThrow().description());
        assertEquals(PID, locks.holder(VF).orElseThrow().pid().orElseThrow());

        first.close();
        Optional<FunctionLock> second = CompletableFuture.supplyAsync(() -> locks.tryLock(VF, "thread two")).get();
        assertTrue(second.isPresent());
        held.add(second.get());
        assertEquals("thread two", locks.holder(VF).orElseThrow().description());
    }

    @Test
    void manyThreadsRacingForOneFunctionGetExactlyOneLock() throws Exception {
        int n = 8;
        CyclicBarrier start = new CyclicBarrier(n);
        AtomicInteger winners = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Optional<FunctionLock>>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                FunctionLocks locks = new FunctionLocks(i % 2 == 0 ? state : state.resolve("."));
                String me = "thread " + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return locks.tryLock(VF, me);
                }));
            }
            for (Future<Optional<FunctionLock>> r : results) {
                r.get().ifPresent(l -> {
                    winners.incrementAndGet();
                    held.add(l);
                });
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, winners.get());
    }

    @Test
    void lockIsExclusiveBetweenProcessesAndFreedWhenTheHolderIsKilled() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        Process child = child("hold", VF.toString(), "vm-child\nsecond line");
        assertEquals("LOCKED", firstLine(child));

        assertEquals(Optional.empty(), locks.tryLock(VF, "parent"));
        // the kernel's lock table, and a probe with a lock of our own where that table cannot be read
        FunctionLocks probing = new FunctionLocks(state, f -> { }, state.resolve("no-proc-locks"),
                LockQuery.UNAVAILABLE);
        FunctionLocks.Holder h = locks.holder(VF).orElseThrow();
        assertEquals("vm-child\nsecond line", h.description());
        assertEquals(child.pid(), h.pid().orElseThrow());
        assertEquals(child.info().startInstant(), h.processStart());
        assertTrue(h.since().isPresent());
        assertTrue(h.confirmed(), "the text was written by the kernel's owner of the lock");
        // without /proc/locks the kernel names no owner: the text's pid is only a claim, never reported as the pid
        assertTrue(probing.isHeld(VF));
        FunctionLocks.Holder probed = probing.holder(VF).orElseThrow();
        assertEquals("vm-child\nsecond line", probed.description());
        assertEquals(java.util.OptionalLong.empty(), probed.pid());
        assertFalse(probed.confirmed());
        assertFalse(locks.removeIfFree(VF), "a held lock file is not removed");

        List<String> content = Files.readAllLines(locks.file(VF)); // safe: this JVM holds nothing on it
        assertEquals("sriov4j-lock 1", content.get(0));
        assertTrue(content.contains("pid=" + child.pid()), content.toString());
        assertTrue(content.contains("holder=vm-child\\nsecond line"), content.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(locks.file(VF))));
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(locks.file(VF).getParent())));

        child.destroyForcibly(); // SIGKILL: no chance to clean up
        child.waitFor();

        for (FunctionLocks l : List.of(locks, probing)) {
            assertFalse(l.isHeld(VF));
            assertEquals(Optional.empty(), l.holder(VF));
        }
        assertEquals("parent", lock(locks, VF, "parent").holder().description());
    }

    @Test
    void theKernelNamesAnotherProcesssLockOnTheOneFileAsProcLocksDoes() throws Exception {
        Process child = child("hold", VF.toString(), "vm-child");
        assertEquals("LOCKED", firstLine(child));
        Path none = state.resolve("no-proc-locks");
        // F_OFD_GETLK alone (no /proc/locks to read), /proc/locks alone, and F_OFD_GETLK refused as by a kernel
        // before 3.15 (EINVAL): /proc/locks
        LockQuery refusing = new LockQuery() {
            @Override
            public int open(Path file) throws IOException {
                return JnaLockQuery.INSTANCE.open(file);
            }

            @Override
            public State writeLock(int fd) {
                throw new UnsupportedOperationException("EINVAL");
            }

            @Override
            public void close(int fd) {
                JnaLockQuery.INSTANCE.close(fd);
            }
        };
        List<FunctionLocks> all = List.of(new FunctionLocks(state, f -> { }, none),
                new FunctionLocks(state, f -> { }, Path.of("/proc/locks"), LockQuery.UNAVAILABLE),
                new FunctionLocks(state, f -> { }, Path.of("/proc/locks"), refusing));
        for (FunctionLocks l : all) {
            assertTrue(l.isHeld(VF));
            FunctionLocks.Holder h = l.holder(VF).orElseThrow();
            assertEquals(child.pid(), h.pid().orElseThrow());
            assertTrue(h.confirmed());
            assertEquals("vm-child", h.description());
        }
        child.destroyForcibly();
        child.waitFor();
        for (FunctionLocks l : all) {
            assertFalse(l.isHeld(VF));
            assertEquals(Optional.empty(), l.holder(VF));
        }
        assertFalse(new FunctionLocks(state, f -> { }, none).isHeld(PF), "no lock file: free");
    }

    @Test
    void aLockThisJvmHoldsThroughAnotherPathIsReportedAndKept() throws Exception {
        // a second path to the same lock file (as a bind mount of the state directory gives): here a hard link
        Path sd = Files.createDirectories(state.resolve("one"));
        Path other = Files.createDirectories(state.resolve("two/locks"));
        Files.setPosixFilePermissions(state.resolve("two"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwx------"));
        FunctionLocks locks = new FunctionLocks(sd);
        FunctionLock mine = lock(locks, VF, "vm-here");
        Files.createLink(other.resolve(VF + ".lock"), mine.file());
        FunctionLocks viaLink = new FunctionLocks(state.resolve("two"), f -> { }, state.resolve("no-proc-locks"));
        for (int i = 0; i < 2; i++) {
            assertTrue(viaLink.isHeld(VF));
            FunctionLocks.Holder h = viaLink.holder(VF).orElseThrow();
            assertEquals(PID, h.pid().orElseThrow());
            assertTrue(h.description().startsWith("this process, through another path"), h.description());
            assertEquals(Optional.empty(), viaLink.tryLock(VF, "other"));
        }
        // asking did not drop the lock (closing a descriptor of the file would have): another process finds it busy
        Process child = child(sd, "try", VF.toString());
        assertEquals(List.of("BUSY", "HOLDER " + PID + " vm-here"), lines(child));
    }

    @Test
    void whatALockFileSaysNeverWinsOverTheKernelsOwnerOfTheLock() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        Process child = child("hold", VF.toString(), "vm-child");
        assertEquals("LOCKED", firstLine(child));
        Process unrelated = new ProcessBuilder("sleep", "60").start();
        children.add(unrelated);
        // the text now claims another (live) process holds it: opening and closing the file from here is safe,
        // this JVM holds no lock on it
        Files.writeString(locks.file(VF), "sriov4j-lock 1\npid=" + unrelated.pid() + "\nstart="
                + unrelated.info().startInstant().orElseThrow() + "\nsince=2025-01-01T00:00:00Z\nholder=vm-forged\n");
        FunctionLocks.Holder h = locks.holder(VF).orElseThrow();
        assertEquals(child.pid(), h.pid().orElseThrow(), "the kernel's owner");
        assertEquals(child.info().startInstant(), h.processStart());
        assertFalse(h.confirmed());
        assertEquals("", h.description(), "a text that does not come from the owner is not repeated");
        assertEquals(Optional.empty(), h.since());
    }

    @Test
    void queriesAndFailedAttemptsInThisJvmDoNotDropItsLock() throws Exception {
        // POSIX drops a process's lock when it closes ANY descriptor of the file: none of this may open it
        Path sd = Files.createDirectories(state.resolve("base/sd"));
        FunctionLocks locks = new FunctionLocks(sd);
        lock(locks, VF, "vm-here");
        // the state directory itself must not be a link, but its parents may be (e.g. /var/run -> /run)
        Path alias = Files.createSymbolicLink(state.resolve("alias"), state.resolve("base"));
        FunctionLocks viaAlias = new FunctionLocks(alias.resolve("sd"));
        for (FunctionLocks l : List.of(locks, viaAlias, new FunctionLocks(sd))) {
            assertEquals(Optional.empty(), CompletableFuture.supplyAsync(() -> l.tryLock(VF, "other")).get());
            assertTrue(l.isHeld(VF));
            assertEquals("vm-here", l.holder(VF).orElseThrow().description());
            assertFalse(l.removeIfFree(VF));
        }

        Process child = child(sd, "try", VF.toString());
        assertEquals(List.of("BUSY", "HOLDER " + PID + " vm-here"), lines(child));
    }

    @Test
    void closeIsIdempotentAndFreesTheFunctionButKeepsTheFile() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        FunctionLock l = lock(locks, VF, "once");
        assertTrue(l.isValid());

        l.close();
        l.close();
        assertFalse(l.isValid());
        assertFalse(locks.isHeld(VF));
        assertEquals(Optional.empty(), locks.holder(VF));
        assertTrue(Files.exists(locks.file(VF)), "lock files are not deleted on release");
        assertTrue(LedgerFormat.decodeInfo(Files.readAllBytes(locks.file(VF))).isEmpty(),
                "a free lock file names no holder");
        for (byte b : Files.readAllBytes(locks.file(VF))) {
            assertEquals(0, b, "the text was cleared");
        }

        FunctionLock again = lock(locks, VF, "twice");
        l.close(); // the old handle does not touch the new holder
        assertTrue(again.isValid());
        assertEquals("twice", locks.holder(VF).orElseThrow().description());
    }

    @Test
    void aReleasedFunctionIsFreeForOtherProcessesAndLockedAgainHere() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        for (int i = 0; i < 3; i++) {
            FunctionLock l = lock(locks, VF, "round " + i);
            Process busy = child("try", VF.toString());
            assertEquals(List.of("BUSY", "HOLDER " + PID + " round " + i), lines(busy));
            l.close();
            held.remove(l);
            // the channel this JVM keeps for its next lock blocks nobody
            Process free = child("try", VF.toString());
            assertEquals(List.of("LOCKED", "HOLDER none"), lines(free));
            assertFalse(locks.isHeld(VF));
        }
    }

    @Test
    void aLockFileRemovedAndCreatedAgainBetweenLocksIsNoticedAndTheNewFileLocked() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        lock(locks, VF, "first").close();
        // what another process's removeIfFree and a third process's open do while this JVM holds nothing
        Files.delete(locks.file(VF));
        Files.createFile(locks.file(VF));
        FunctionLock second = lock(locks, VF, "second");
        Process child = child("try", VF.toString());
        assertEquals(List.of("BUSY", "HOLDER " + PID + " second"), lines(child));
        // and a removal this JVM makes itself
        second.close();
        assertTrue(locks.removeIfFree(VF));
        lock(locks, VF, "third");
        assertEquals(List.of("BUSY", "HOLDER " + PID + " third"), lines(child("try", VF.toString())));
    }

    @Test
    void theHolderTextIsTheLedgerFormatsAndReplacesWhatACrashedHolderLeft() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        lock(locks, VF, "x").close();
        held.clear();
        String left = "sriov4j-lock 1\npid=1\nstart=2000-01-01T00:00:00Z\nsince=2000-01-01T00:00:00Z\nholder="
                + "y".repeat(3000) + "\nextra=tail\n";
        Files.writeString(locks.file(VF), left); // a crashed holder's text (nobody holds the file now)
        FunctionLock l = lock(locks, VF, "vm \"42\"\nline\u0001");
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("pid", Long.toString(PID));
        m.put("start", LedgerEntry.currentProcessStart().map(Object::toString).orElse(""));
        m.put("since", l.holder().since().orElseThrow().toString());
        m.put("holder", "vm \"42\"\nline\u0001");
        byte[] expected = LedgerFormat.encodeInfo(FunctionLocks.MAGIC, m);
        byte[] file = Files.readAllBytes(l.file());
        assertEquals(new String(expected, StandardCharsets.UTF_8),
                new String(file, 0, expected.length, StandardCharsets.UTF_8), "the text first");
        for (int i = expected.length; i < file.length; i++) {
            assertEquals(0, file[i], "then NUL bytes over what was left, at " + i);
        }
        assertEquals(m, LedgerFormat.decodeInfo(file), "read back as exactly the holder's text");
        // a later, shorter text over a longer one: still exactly the new one
        l.close();
        held.remove(l);
        FunctionLock shorter = lock(locks, VF, "z");
        assertEquals("z", LedgerFormat.decodeInfo(Files.readAllBytes(shorter.file())).get("holder"));
        assertEquals("z", new FunctionLocks(state).holder(VF).orElseThrow().description());
    }

    @Test
    void pfAndItsVfAreLockedIndependently() {
        FunctionLocks locks = new FunctionLocks(state);
        FunctionLock pf = lock(locks, PF, "pf owner");
        FunctionLock vf = lock(locks, VF, "vf owner");
        assertEquals(PF, pf.device());
        assertEquals(VF, vf.device());
        assertEquals("pf owner", locks.holder(PF).orElseThrow().description());
        assertEquals("vf owner", locks.holder(VF).orElseThrow().description());
    }

    @Test
    void lockFileReplacedWhileLockingIsNoticedAndTheFileAtThePathIsLocked() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        FunctionLocks locks = new FunctionLocks(state, file -> {
            if (opened.incrementAndGet() == 1) {
                // what another process's removeIfFree plus a third process's open would do in this window
                Files.delete(file);
                Files.createFile(file);
            }
        }, Path.of("/proc/locks"));
        lock(locks, VF, "survivor");

        Process child = child("try", VF.toString());
        assertEquals(List.of("BUSY", "HOLDER " + PID + " survivor"), lines(child));
        assertEquals(2, opened.get(), "started over on the new file");
    }

    @Test
    void lockFileReplacedWhileLockingAgainIsNoticedThroughTheRememberedDescriptor() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        FunctionLocks locks = new FunctionLocks(state, file -> {
            if (opened.incrementAndGet() == 3) {
                Files.delete(file);
                Files.createFile(file);
            }
        }, Path.of("/proc/locks"));
        // two rounds: the slot remembers the descriptor number of its channel
        lock(locks, VF, "first").close();
        lock(locks, VF, "second").close();
        lock(locks, VF, "survivor");

        Process child = child("try", VF.toString());
        assertEquals(List.of("BUSY", "HOLDER " + PID + " survivor"), lines(child));
        assertEquals(4, opened.get(), "started over on the new file");
    }

    @Test
    void theSlotRemembersTheDescriptorOfItsLockedChannel() throws Exception {
        FunctionLocks locks = new FunctionLocks(state);
        for (int i = 0; i < 3; i++) {
            FunctionLock l = lock(locks, VF, "round " + i);
            int fd = FunctionLocks.rememberedDescriptor(l.file());
            assertTrue(fd >= 0, "a descriptor is remembered");
            assertEquals(l.file(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)),
                    "the remembered descriptor is the lock file's channel");
            assertEquals(FunctionLocks.Verification.SAME, FunctionLocks.verify(l.file()));
            l.close();
            held.remove(l);
        }
    }

    @Test
    void removeIfFreeRemovesOnlyAFreeLockFile() {
        FunctionLocks locks = new FunctionLocks(state);
        assertFalse(locks.removeIfFree(VF), "nothing to remove");
        FunctionLock l = lock(locks, VF, "holder");
        assertFalse(locks.removeIfFree(VF));
        assertTrue(Files.exists(locks.file(VF)));
        l.close();
        assertTrue(locks.removeIfFree(VF));
        assertFalse(Files.exists(locks.file(VF)));
        assertTrue(locks.tryLock(VF, "after removal").map(held::add).orElse(false));
    }

    @Test
    void queriesOnAFreshStateDirectoryCreateNothing() {
        FunctionLocks locks = new FunctionLocks(state.resolve("fresh"));
        assertFalse(locks.isHeld(VF));
        assertEquals(Optional.empty(), locks.holder(VF));
        assertFalse(locks.removeIfFree(VF));
        assertFalse(Files.exists(state.resolve("fresh")));
    }

    @Test
    void overlongHolderDescriptionIsRejected() {
        FunctionLocks locks = new FunctionLocks(state);
        assertThrows(IllegalArgumentException.class,
                () -> locks.tryLock(VF, "x".repeat(FunctionLocks.MAX_DESCRIPTION + 1)));
        assertFalse(locks.isHeld(VF));
    }

    private Process child(String... args) throws IOException {
        return child(state, args);
    }

    private Process child(Path stateDir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                FunctionLocksChild.class.getName(), args[0], stateDir.toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        return p;
    }

    private static String firstLine(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return String.valueOf(r.readLine());
    }

    private static List<String> lines(Process p) throws IOException, InterruptedException {
        List<String> out;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            out = r.lines().toList();
        }
        assertEquals(0, p.waitFor());
        return out;
    }
}
