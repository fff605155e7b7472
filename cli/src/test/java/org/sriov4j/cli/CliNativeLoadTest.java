package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.testdata.CapturedTrees;

/**
 * When JNA's native part cannot load (most often: no writable directory to unpack it into), the command line says so
 * in one line with what to do, never with a stack trace.
 */
class CliNativeLoadTest {

    @TempDir
    Path tmp;

    @Test
    void aNativeLibraryThatCannotLoadIsOneLineNamingTheFixAndExitOne() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), config -> {
                    throw new UnsatisfiedLinkError("Failed to create temporary file for /com/sun/jna/linux-x86-64/"
                            + "libjnidispatch.so library: JNA temporary directory '/nowhere' does not exist");
                }).run(new String[] {"list"});
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, status, e);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("sriov4j: the native access library (JNA) could not be loaded: Failed to create"), e);
        assertTrue(e.contains("-Djna.tmpdir=DIR"), e);
    }

    @Test
    void vfioCheckWithNoWritableTemporaryDirectoryFailsItsBackendStepWithoutJnasStackTrace() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        Path home = Files.createDirectory(tmp.resolve("home"));
        // a directory that cannot be made, even by root: its parent is a regular file
        Path nowhere = Files.writeString(tmp.resolve("a-file"), "").resolve("tmp");
        Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Djna.tmpdir=" + nowhere, "-Djava.io.tmpdir=" + nowhere,
                "-Duser.home=" + home, "-Djna.boot.library.path=" + nowhere, "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--sysfs-root", root.toString(),
                "--dev-root", home.toString(), "vfio-check", "0000:01:10.0"))
                .redirectOutput(tmp.resolve("out").toFile()).redirectError(tmp.resolve("err").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(tmp.resolve("out"));
        String err = Files.readString(tmp.resolve("err"));
        assertEquals(1, p.exitValue(), out + err);
        assertTrue(out.contains("FAIL backend") && out.contains("JNA temporary directory")
                && out.contains("-Djna.tmpdir=DIR"), out + err);
        assertFalse(err.contains("\tat "), err);
        assertFalse(err.contains("WARNING"), err);
    }
}
