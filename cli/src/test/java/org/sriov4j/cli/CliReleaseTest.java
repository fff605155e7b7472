package org.sriov4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.engine.SriovEngine;
import org.sriov4j.testing.SimulatedKernel;

/**
 * {@code release}, the lease kinds, {@code status} and {@code recover} of the command line on a simulated host, with
 * real processes as holders: release signals the process the kernel names as the lock's owner and nobody else.
 */
class CliReleaseTest {

    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");
    static final PciAddress VF1 = PciAddress.parse("0000:01:10.2");

    final SimulatedKernel kernel = SimulatedKernel.intel82576Host();
    final List<Process> processes = new ArrayList<>();

    @TempDir
    Path tmp;

    @AfterEach
    void kill() {
        processes.forEach(Process::destroyForcibly);
    }

    CliTest.Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // the CLI's own --state-dir is honoured, so that tests can point it elsewhere
        int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                config -> SriovEngine.open(config.toBuilder().build(), kernel, kernel.devices())).run(args);
        return new CliTest.Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    CliTest.Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--state-dir", kernel.stateDir().toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    String driver(PciAddress a) {
        String link = "bus/pci/devices/" + a + "/driver";
        return kernel.exists(link) ? Path.of(kernel.readLink(link)).getFileName().toString() : "-";
    }

    Process sleep() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        processes.add(p);
        return p;
    }

    Process lockHolder(PciAddress f, String description, PciAddress... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                LockHolderChild.class.getName(), lockFile(f).toString(), description));
        for (PciAddress m : more) {
            command.add(lockFile(m).toString());
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertEquals("LOCKED", line);
        return p;
    }

    Path lockFile(PciAddress f) {
        return kernel.stateDir().resolve("locks/" + f + ".lock");
    }

    /** Rewrites a record as if process {@code p} had written it and held a taker lease (what the old code kept). */
    void recordNames(PciAddress f, ProcessHandle p) throws Exception {
        Path entry = kernel.stateDir().resolve("ledger/" + f + ".entry");
        String text = Files.readString(entry);
        String body = text.substring(0, text.lastIndexOf("crc32="))
                .replaceAll("owner_pid=\\d+", "owner_pid=" + p.pid())
                .replaceAll("lease=\\w+", "lease=taker")
                .replaceAll("lease_pid=\\d*", "lease_pid=" + p.pid())
                .replaceAll("lease_start=.*", "lease_start=" + p.info().startInstant().orElseThrow());
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        Files.writeString(entry, body + String.format("crc32=%08x\n", crc.getValue()));
    }

    /** VF0 leased (managed) to vm-a, its lock held by another process, its record naming an unrelated process. */
    void vf0HeldByAChildWhileTheRecordNames(ProcessHandle unrelated) throws Exception {
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "2").status());
        CliTest.Result lease = cli("lease", VF0.toString(), "--guest", "vm-a", "--durable");
        assertEquals(0, lease.status(), lease.err());
        recordNames(VF0, unrelated);
    }

    @Test
    void releaseStopsTheProcessHoldingTheLockNotTheOneTheRecordNames() throws Exception {
        Process unrelated = sleep();
        vf0HeldByAChildWhileTheRecordNames(unrelated.toHandle());
        Process holder = lockHolder(VF0, "guest vm-a");
        CliTest.Result status = cli("status", "--json");
        assertTrue(status.out().contains("\"holder\": \"taker\"") && status.out().contains("\"pid\": "
                + holder.pid()), status.out());

        CliTest.Result r = cli("release", VF0.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("stopped pid " + holder.pid()), r.out());
        assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        assertTrue(unrelated.isAlive(), "the process the record names was not signalled");
        assertTrue(r.out().contains("restored " + VF0), r.out());
        assertEquals("igbvf", driver(VF0));
    }

    @Test
    void releaseOfSeveralFunctionsHeldByOneProcessStopsItOnceAndGivesEachBack() throws Exception {
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "2").status());
        // what 'lease VF0 VF1 --guest vm-a --hold' leaves: both records and both locks held by one process
        assertEquals(0, cli("lease", VF0.toString(), VF1.toString(), "--guest", "vm-a", "--durable").status());
        Process holder = lockHolder(VF0, "guest vm-a", VF1);
        recordNames(VF0, holder.toHandle());
        recordNames(VF1, holder.toHandle());
        Process bystander = sleep();

        CliTest.Result r = cli("release", VF0.toString(), VF1.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(1, r.out().split("stopped pid " + holder.pid(), -1).length - 1, "signalled once: " + r.out());
        assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        assertTrue(bystander.isAlive());
        assertTrue(r.out().contains("restored " + VF0) && r.out().contains("restored " + VF1), r.out());
        assertEquals("igbvf", driver(VF0));
        assertEquals("igbvf", driver(VF1));
        assertTrue(cli("status").out().contains("no function is detached or leased"));
    }

    @Test
    void aDeadHoldersReusedPidIsNeverSignalled() throws Exception {
        Process reuser = sleep();
        vf0HeldByAChildWhileTheRecordNames(reuser.toHandle());
        Process holder = lockHolder(VF0, "guest vm-a");
        holder.destroyForcibly().waitFor(); // kill -9: its text stays in the lock file
        // its pid now "belongs" to another live process: the lock file and the record both name that process
        Files.writeString(lockFile(VF0), "sriov4j-lock 1\npid="
                + reuser.pid() + "\nstart=" + reuser.info().startInstant().orElseThrow() + "\nholder=guest vm-a\n");
        CliTest.Result r = cli("release", VF0.toString());
        assertEquals(0, r.status(), r.err());
        assertFalse(r.out().contains("stopped"), r.out());
        assertTrue(reuser.isAlive(), "nothing was signalled");
        assertEquals("igbvf", driver(VF0), "what the dead holder left was given back");
    }

    @Test
    void durableAndProcessTiedLeasesReturnAtOnceExcludeOthersAndEndWithRelease() throws Exception {
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "2").status());
        Process qemu = sleep();
        CliTest.Result d = cli("lease", VF0.toString(), "--guest", "vm-d", "--durable");
        assertEquals(0, d.status(), d.err());
        assertTrue(d.out().contains("durable"), d.out());
        CliTest.Result p = cli("lease", VF1.toString(), "--guest", "vm-p", "--holder-pid", "" + qemu.pid());
        assertEquals(0, p.status(), p.err());
        assertEquals("vfio-pci", driver(VF0));
        assertEquals("vfio-pci", driver(VF1));

        CliTest.Result second = cli("lease", VF0.toString(), "--guest", "vm-x", "--durable");
        assertEquals(1, second.status());
        assertTrue(second.err().contains("vm-d") && second.err().contains("EBUSY"), second.err());
        assertEquals(1, cli("lease", VF1.toString(), "--guest", "vm-x", "--holder-pid", "" + ProcessHandle.current()
                .pid()).status());

        CliTest.Result status = cli("status", "--json");
        assertTrue(status.out().contains("\"holder\": \"durable\"") && status.out().contains("\"holder\": \"process\"")
                && status.out().contains("\"pid\": " + qemu.pid()) && status.out().contains("\"guest\": \"vm-p\""),
                status.out());
        assertTrue(cli("status").out().contains("process " + qemu.pid()), cli("status").out());

        CliTest.Result rec = cli("recover");
        assertEquals(0, rec.status(), rec.err());
        assertTrue(rec.out().contains("left " + VF0 + " alone") && rec.out().contains("left " + VF1 + " alone"),
                rec.out());
        assertEquals("vfio-pci", driver(VF1));

        qemu.destroyForcibly().waitFor();
        CliTest.Result after = cli("recover");
        assertTrue(after.out().contains("restored " + VF1), after.out());
        assertEquals("igbvf", driver(VF1));

        CliTest.Result rel = cli("release", VF0.toString());
        assertEquals(0, rel.status(), rel.err());
        assertTrue(rel.out().contains("released the durable lease of " + VF0), rel.out());
        assertEquals("igbvf", driver(VF0));
        assertTrue(cli("status").out().contains("no function is detached or leased"));
    }

    @Test
    void releaseRecoversThatFunctionOnlyAndIsNotStoppedByAnotherFunctionsTempFile() throws Exception {
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "2").status());
        Process a = sleep();
        Process b = sleep();
        assertEquals(0, cli("lease", VF0.toString(), "--guest", "vm-a", "--holder-pid", "" + a.pid()).status());
        assertEquals(0, cli("lease", VF1.toString(), "--guest", "vm-b", "--holder-pid", "" + b.pid()).status());
        b.destroyForcibly().waitFor(); // VF1's lease is over, but releasing VF0 must not give VF1 back
        Files.writeString(kernel.stateDir().resolve("ledger/0000:01:11.0.entry.tmp-" + ProcessHandle.current().pid()
                + "-424242"), "in progress");
        CliTest.Result r = cli("release", VF0.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("igbvf", driver(VF0));
        assertEquals("vfio-pci", driver(VF1), "another guest's VF is not touched");
    }

    @Test
    void statusShowsCorruptRecordsBeforeAndAfterRecoverSetsThemAside() throws Exception {
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "1").status());
        assertEquals(0, cli("detach", VF0.toString()).status());
        Files.writeString(kernel.stateDir().resolve("ledger/" + VF0 + ".entry"), "sriov4j-ledger 1\ndevice=0000");
        CliTest.Result s = cli("status");
        assertEquals(0, s.status(), s.err());
        assertFalse(s.out().contains("no function is detached or leased"), s.out());
        assertTrue(s.out().contains("CORRUPT") && s.out().contains(VF0 + ".entry") && s.out().contains("delete"),
                s.out());
        assertEquals(1, cli("recover").status());
        CliTest.Result after = cli("status", "--json");
        assertTrue(after.out().contains("\"kind\": \"QUARANTINED\"") && after.out().contains("\"device\": \"" + VF0),
                after.out());
        assertTrue(cli("status").out().contains("QUARANTINED"));
    }

    @Test
    void statusOnAMissingStateDirectorySaysSoAndOnAFileFails() throws Exception {
        CliTest.Result missing = run("--state-dir", tmp.resolve("nowhere").toString(), "status");
        assertEquals(0, missing.status(), missing.err());
        assertTrue(missing.out().contains("does not exist"), missing.out());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        CliTest.Result f = run("--state-dir", file.toString(), "status");
        assertEquals(1, f.status(), f.out());
        assertTrue(f.err().contains("ENOTDIR") && f.err().contains(file.toString()), f.err());
        assertEquals(1, f.err().lines().count(), f.err());
    }

    @Test
    void aRelativeOrEmptyStateDirectoryIsABadUsage() {
        assertEquals(2, run("--state-dir", "state", "status").status());
        assertEquals(2, run("--state-dir", "", "status").status());
    }

    @Test
    void globalOptionsGoBeforeTheCommandAndEachCommandHasHelp() {
        CliTest.Result late = cli("status", "--state-dir", "/tmp");
        assertEquals(2, late.status());
        assertTrue(late.err().contains("global option"), late.err());
        CliTest.Result help = run("lease", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--holder-pid PID") && help.out().contains("--durable")
                && !help.out().contains("vfio-check"), help.out());
        assertEquals(help.out(), run("help", "lease").out());
        assertEquals(2, run("nonsense", "--help").status());
    }

    @Test
    void detachGuestOfANonexistentFunctionFailsInOneLineAndOnKvmVfioSaysNothingWasAttached() {
        CliTest.Result none = cli("detach-guest", "0000:07:00.0");
        assertEquals(1, none.status());
        assertEquals(1, none.err().lines().count(), none.err());
        assertTrue(none.err().contains("0000:07:00.0"), none.err());
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "1").status());
        assertEquals(0, cli("detach", VF0.toString()).status());
        CliTest.Result kvm = cli("detach-guest", VF0.toString());
        assertEquals(0, kvm.status(), kvm.err());
        assertTrue(kvm.out().contains("attached to no domain"), kvm.out());
    }

    @Test
    void aGuestNameTheLocaleTurnedIntoQuestionMarksIsRefused() {
        String before = System.getProperty("sun.jnu.encoding");
        System.setProperty("sun.jnu.encoding", "ANSI_X3.4-1968");
        try {
            CliTest.Result r = cli("lease", VF0.toString(), "--guest", "vm-?", "--durable");
            assertEquals(2, r.status());
            assertTrue(r.err().contains("UTF-8"), r.err());
        } finally {
            System.setProperty("sun.jnu.encoding", before);
        }
    }

    @Test
    void aPfWithVfsCannotBeLeasedFromTheCommandLine() {
        assertEquals(0, cli("enable-vfs", "0000:01:00.0", "2").status());
        CliTest.Result r = cli("lease", "0000:01:00.0", "--guest", "vm", "--durable");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("0000:01:10.0") && r.err().contains("0000:01:10.2"), r.err());
        assertEquals("igb", driver(PciAddress.parse("0000:01:00.0")));
        try (SriovHost host = kernel.openHost()) {
            assertEquals(List.of(), host.assignments());
            assertEquals(List.of(), host.adopt("vm"));
            assertFalse(host.assignments().stream().anyMatch(a -> a.lease().equals(java.util.Optional.of(
                    LeaseHolder.durable()))));
        }
    }
}
