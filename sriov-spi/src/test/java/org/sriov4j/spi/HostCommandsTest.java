package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;

/** The real host's commands: an argument vector (no shell), output captured, a timeout that kills. */
class HostCommandsTest {

    private static final HostCommands SYSTEM = HostCommands.system();

    @Test
    void argumentsReachTheProgramVerbatimWithoutAShell() {
        HostCommands.Result r = SYSTEM.run(List.of("echo", "a;b", "$(id)", "*"), Duration.ofSeconds(10));
        assertTrue(r.ok(), r.toString());
        assertEquals("a;b $(id) *\n", r.stdout());
    }

    @Test
    void exitStatusAndStderrAreReported() {
        HostCommands.Result r = SYSTEM.run(List.of("ls", "/nonexistent-sriov4j"), Duration.ofSeconds(10));
        assertTrue(r.exitCode() != 0);
        assertTrue(r.stderr().contains("nonexistent-sriov4j"), r.stderr());
    }

    @Test
    void aCommandThatRunsTooLongIsKilledWithEtimedout() {
        long start = System.nanoTime();
        SriovException e = assertThrows(SriovException.class,
                () -> SYSTEM.run(List.of("sleep", "30"), Duration.ofMillis(300)));
        assertEquals(Optional.of(Errno.ETIMEDOUT), e.errno());
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    void aMissingProgramIsEnoent() {
        SriovException e = assertThrows(SriovException.class,
                () -> SYSTEM.run(List.of("sriov4j-no-such-program"), Duration.ofSeconds(5)));
        assertEquals(Optional.of(Errno.ENOENT), e.errno());
        assertEquals(Optional.of(Errno.ENOENT), assertThrows(SriovException.class,
                () -> HostCommands.none().run(List.of("xl"), Duration.ofSeconds(1))).errno());
    }

    @Test
    void filesAreReadOnlyWhenTheyExist() {
        assertTrue(SYSTEM.readFile("/proc/self/status").isPresent());
        assertEquals(Optional.empty(), SYSTEM.readFile("/nonexistent-sriov4j"));
        assertThrows(IllegalArgumentException.class, () -> SYSTEM.readFile("relative"));
    }

    @Test
    void aFifoADirectoryAndAFileOverTheLimitAreUnreadableWithoutBlocking(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        java.nio.file.Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        java.nio.file.Path huge = dir.resolve("huge");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength((16L << 20) + 1);
        }
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertEquals(Optional.empty(), SYSTEM.readFile(fifo.toString()));
            assertEquals(Optional.empty(), SYSTEM.readFile(dir.toString()));
            assertEquals(Optional.empty(), SYSTEM.readFile(huge.toString()));
        });
    }
}
