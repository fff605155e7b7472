package org.sriov4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sriov4j.Assignment;
import org.sriov4j.GroupNotViableException;
import org.sriov4j.Lease;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.RecoveryReport;
import org.sriov4j.SriovEvent;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.Subscription;
import org.sriov4j.SysfsIoException;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.testing.Preset;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.DmaAccess;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.IrqInfo;
import org.sriov4j.vfio.VfioException;
import org.sriov4j.vfio.VfioSystem;
import org.sriov4j.vfio.testing.SimulatedVfio;

/**
 * The demo: a tour of sriov4j itself on a simulated host ({@link SimulatedKernel} of sriov4j-test-fixtures, which
 * answers sysfs the way Linux 6.12 does). Each step calls the library, shows the sysfs writes it made, the events it
 * reported, and what the kernel (or the library, on the kernel's behalf) refused. The crash step kills a real second
 * JVM ({@link DemoChild}) that holds a lease on the same simulated host; the VFIO step opens and DMA-maps a leased
 * VF through {@link VfioSystem} on sriov4j-vfio-testing's fake VFIO kernel joined to that host ({@link
 * SimulatedVfio}). Nothing on this machine is read or written but a temporary state directory.
 */
final class Demo {

    private static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    private static final PciAddress SHARED_PORT = PciAddress.parse("0000:03:00.0");
    private static final String NUMVFS = "bus/pci/devices/" + PF + "/sriov_numvfs";
    /** How long the child JVM may take to start and lease. */
    private static final long CHILD_TIMEOUT_SECONDS = 120;

    private final PrintStream out;
    private final List<SriovEvent> events = new CopyOnWriteArrayList<>();
    private int step;

    Demo(PrintStream out) {
        this.out = out;
    }

    int run() {
        SimulatedKernel kernel = Preset.SHARED_GROUP_WITH_HOST_COMPANION.newKernel();
        out.println("sriov4j demo: the library at work on a simulated host (SimulatedKernel, sriov4j-test-fixtures),");
        out.println("which follows Linux 6.12's sysfs rules. Nothing on this machine is touched but a temporary");
        out.println("state directory for the ledger and lock files, deleted at exit.");
        try (SriovHost host = kernel.openHost(); Subscription subscription = host.subscribe(events::add)) {
            say("Discovery: SriovHost host = kernel.openHost(); host.topology()");
            out.println("   an Intel 82576 PF (8086:10c9) on igb, and an 82571EB whose two ports share IOMMU group "
                    + kernel.iommuGroupOf(SHARED_PORT).orElseThrow() + ", port 1 on e1000e:");
            indent(Table.render(host.topology()));
            out.println("   backend chosen through ServiceLoader: " + host.backendId() + ", features "
                    + host.backendFeatures().stream().map(Enum::name).sorted().toList());

            enable(kernel, host);
            kernelRules(kernel, host);
            Lease vm1 = pool(kernel, host);
            groupViability(kernel, host);
            killAndRecover(kernel, host);
            vfio(kernel, vm1);

            say("Clean-up: vm-1's lease closed, host.disableVfs(" + PF + ")");
            kernel.clearWrites();
            vm1.close();
            host.disableVfs(PF);
            library(kernel);
            events();
            out.println("   ledger: " + (host.assignments().isEmpty() ? "empty" : host.assignments()));
        }
        say("Done. On a real host: ./sriov4j list, ./sriov4j lease BDF --guest NAME --hold, ./sriov4j recover;"
                + " ./sriov4j --help for the rest.");
        return Cli.OK;
    }

    private void enable(SimulatedKernel kernel, SriovHost host) {
        say("Enabling VFs: host.enableVfs(" + PF + ", 7)");
        kernel.clearWrites();
        PhysicalFunction pf = host.enableVfs(PF, 7);
        library(kernel);
        out.printf("   %d VFs, at routing id PF + offset %d + stride %d x index, bound to igbvf by autoprobe%n",
                pf.numVfs(), pf.vfOffset(), pf.vfStride());
        events();
    }

    private void kernelRules(SimulatedKernel kernel, SriovHost host) {
        say("The kernel's rules, and the library keeping them");
        kernel.clearWrites();
        refused("host.enableVfs(pf, 8)", () -> host.enableVfs(PF, 8));
        out.println("   (checked against sriov_totalvfs 7: nothing was written: " + kernel.writes() + ")");
        refused("the kernel, asked directly: echo 4 > sriov_numvfs (7 enabled)", () -> kernel.write(NUMVFS, "4"));
        kernel.clearWrites();
        out.println("   host.enableVfs(pf, 4): the library goes through 0, as the kernel requires:");
        host.enableVfs(PF, 4);
        library(kernel);
        events();
    }

    private Lease pool(SimulatedKernel kernel, SriovHost host) {
        VfSelector selector = VfSelector.parse("0000:01:00.0#0-3 driver=igbvf");
        say("A pool: host.pool(VfSelector.parse(\"" + selector + "\")).lease(\"vm-1\")");
        VfPool pool = host.pool(selector);
        out.println("   members now: " + pool.members());
        kernel.clearWrites();
        Lease vm1 = pool.lease("vm-1");
        library(kernel);
        int group = kernel.iommuGroupOf(vm1.device()).orElseThrow();
        out.printf("   vm-1 holds %s: now on %s, /dev/vfio/%d %s; the ledger records its original driver igbvf%n",
                vm1.device(), kernel.driverOf(vm1.device()).orElse("no driver"), group,
                kernel.devices().exists("vfio/" + group) ? "appeared" : "is missing");
        events();
        try (SriovHost other = kernel.openHost()) {
            refused("another host object (another thread or process) leasing " + vm1.device(),
                    () -> other.lease(vm1.device(), "vm-2"));
            try (Lease vm2 = other.pool(selector).lease("vm-2")) {
                out.println("   its pool.lease(\"vm-2\") skips the taken VF and gets " + vm2.device()
                        + " (it no longer matches driver=igbvf once on vfio-pci, and is locked anyway)");
            }
            out.println("   vm-2's lease closed: " + kernel.driverOf(PciAddress.parse("0000:01:10.2"))
                    .orElse("no driver") + " again");
        }
        return vm1;
    }

    private void groupViability(SimulatedKernel kernel, SriovHost host) {
        say("IOMMU group viability: host.detach(" + SHARED_PORT + ")");
        kernel.clearWrites();
        refused("the library, for the kernel's VFIO rule", () -> host.detach(SHARED_PORT));
        out.println("   nothing was written: " + kernel.writes() + "; " + SHARED_PORT + " is still on "
                + kernel.driverOf(SHARED_PORT).orElse("no driver"));
    }

    private void killAndRecover(SimulatedKernel kernel, SriovHost host) {
        PciAddress vf = PciAddress.parse("0000:01:10.4");
        say("Kill and recover: a second JVM leases " + vf + " for vm-crash and is killed");
        Process child;
        try {
            child = startChild(kernel, vf);
        } catch (IOException e) {
            out.println("   could not start a second JVM (" + e.getMessage() + "): step skipped");
            return;
        }
        CompletableFuture<Void> server = CompletableFuture.runAsync(
                () -> DemoPipe.serve(kernel, child.getInputStream(), child.getOutputStream()));
        String held;
        try {
            held = awaitHeld(child);
        } catch (RuntimeException e) {
            child.destroyForcibly();
            out.println("   the second JVM failed: " + e.getMessage() + ": step skipped");
            return;
        }
        out.println("   child: " + held);
        out.println("   " + vf + " is on " + kernel.driverOf(vf).orElse("no driver") + "; kill -9 " + child.pid());
        child.destroyForcibly();
        try {
            child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            server.get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            out.println("   (the pipe did not close: " + e + ")");
        }
        out.println("   the dead VMM left " + vf + " on " + kernel.driverOf(vf).orElse("no driver")
                + " and this in the ledger:");
        for (Assignment a : host.assignments()) {
            if (a.device().equals(vf)) {
                out.println("     " + a.device() + " " + a.phase() + ", from " + a.originalDriver().orElse("no driver")
                        + ", guest " + a.guest().orElse("-") + ", recorded by pid "
                        + (a.ownerPid().isPresent() ? a.ownerPid().getAsLong() : "?") + ", held by "
                        + a.heldBy().orElse("no live process"));
            }
        }
        kernel.clearWrites();
        RecoveryReport report = host.recover();
        out.println("   host.recover(): restored " + report.restored() + ", still held by live processes "
                + report.stillHeld() + (report.problems().isEmpty() ? "" : ", problems " + report.problems()));
        library(kernel);
        out.println("   " + vf + " is back on " + kernel.driverOf(vf).orElse("no driver"));
        events();
    }

    private Process startChild(SimulatedKernel kernel, PciAddress vf) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DemoChild.class.getName());
        cmd.add(kernel.stateDir().toString());
        cmd.add(vf.toString());
        cmd.add("vm-crash");
        return new ProcessBuilder(cmd).start();
    }

    /** Waits for the child's "held" line on its standard error. */
    private static String awaitHeld(Process child) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                BufferedReader err = new BufferedReader(new InputStreamReader(child.getErrorStream(),
                        StandardCharsets.UTF_8));
                for (String l; (l = err.readLine()) != null;) {
                    if (l.startsWith("held ")) {
                        return l;
                    }
                    seen.append(l).append('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("it ended without a lease: " + seen.toString().strip());
        });
        try {
            return line.get(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(String.valueOf(cause.getMessage()), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no lease after " + CHILD_TIMEOUT_SECONDS + " s");
        }
    }

    private void vfio(SimulatedKernel kernel, Lease vm1) {
        PciAddress dev = vm1.device();
        say("VFIO on the same host: SimulatedVfio.joinedTo(kernel).system() (sriov4j-vfio-testing's fake VFIO"
                + " kernel, which answers as Linux 6.12's VFIO does), vm-1's VF opened and DMA-mapped");
        SimulatedVfio simulated = SimulatedVfio.joinedTo(kernel);
        VfioSystem vfio = simulated.system();
        int group = vfio.iommuGroup(dev);
        out.println("   vfio.iommuGroup(" + dev + "): " + group + ", read from the host's sysfs (bound to vfio-pci,"
                + " its iommu_group link); /dev/vfio/" + group + " is the simulator's node");
        PciAddress onIgbvf = PciAddress.parse("0000:01:10.2");
        refusedVfio("vfio.iommuGroup(" + onIgbvf + ") (not leased, on "
                + kernel.driverOf(onIgbvf).orElse("no driver") + ")", () -> vfio.iommuGroup(onIgbvf));
        try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(2L << 20)) {
            out.println("   vfio.newDomain(): " + domain.api() + " (container opened, API version and type1v2"
                    + " checked)");
            AssignedDevice device = domain.openDevice(vm1);
            out.printf("   domain.openDevice(vm-1's lease): group %d viable and set on the container (type1v2 IOMMU"
                    + " set), device fd; config space %04x:%04x, %d regions, %d MSI-X vectors%n",
                    device.iommuGroup(), device.readConfig16(0), device.readConfig16(2),
                    device.info().regionCount(), device.irq(IrqInfo.MSIX).count());
            out.println("   the kernel's IOMMU: page sizes 0x" + Long.toHexString(domain.pageSizes())
                    + ", IOVA ranges " + domain.iovaRanges());
            long iova = 0x1000_0000L;
            domain.map(iova, ram.address(), ram.length(), DmaAccess.READ_WRITE);
            out.println("   domain.map(iova 0x" + Long.toHexString(iova) + ", 2 MiB of host memory, READ_WRITE):"
                    + " mapped; " + domain.mappings());
            refusedVfio("domain.map(iova 0x" + Long.toHexString(iova + (2L << 20) + 0x800) + ", 4 KiB) (not"
                    + " page-aligned)", () -> domain.map(iova + (2L << 20) + 0x800, ram.address(), 4096,
                    DmaAccess.READ_WRITE));
            refusedVfio("domain.map(iova 0x" + Long.toHexString(iova + 4096) + ", 4 KiB) (inside the first"
                    + " mapping)", () -> domain.map(iova + 4096, ram.address(), 4096, DmaAccess.READ_WRITE));
            refusedVfio("domain.map(iova 0xfee00000, 4 KiB) (the MSI window, outside the IOVA ranges)",
                    () -> domain.map(0xfee0_0000L, ram.address(), 4096, DmaAccess.READ_WRITE));
            try (IommuDomain other = vfio.newDomain()) {
                refusedVfio("a second domain (another guest) opening " + dev, () -> other.openDevice(vm1));
            }
            device.close();
        }
        out.println("   device, domain and memory closed (before the lease, which the kernel requires): "
                + simulated.openDescriptors() + " VFIO descriptors open, " + simulated.mappedBytes()
                + " bytes mapped");
    }

    /** Runs a VFIO {@code action}, which must be refused, and prints the refusal and who made it. */
    private void refusedVfio(String what, Runnable action) {
        try {
            action.run();
            out.println("   " + what + ": unexpectedly accepted");
        } catch (VfioException e) {
            out.println("   " + what + ": refused, VfioException " + e.kind() + " ("
                    + e.errno().map(Enum::name).orElse("no errno") + ", "
                    + (e.rejectedBeforeKernel() ? "by the library before the kernel, as the kernel would)"
                            : "by the kernel)") + ":");
            out.println("     " + e.getMessage());
        }
    }

    /** Runs {@code action}, which must be refused, and prints the refusal. */
    private void refused(String what, Runnable action) {
        try {
            action.run();
            out.println("   " + what + ": unexpectedly accepted");
        } catch (GroupNotViableException e) {
            out.println("   " + what + ": refused, " + e.getClass().getSimpleName() + " (group " + e.group()
                    + ", offenders " + e.offenders() + "):");
            out.println("     " + e.getMessage());
        } catch (LeaseUnavailableException e) {
            out.println("   " + what + ": refused, " + e.errno().map(Enum::name).orElse("?") + " "
                    + e.getClass().getSimpleName() + ", holder " + e.holder().orElse("unknown"));
        } catch (SysfsIoException e) {
            out.println("   " + what + ": refused by the kernel, " + e.errno().map(x -> x.name() + " ("
                    + x.message() + ")").orElse("?"));
        } catch (SriovException e) {
            out.println("   " + what + ": refused, " + e.errno().map(Enum::name).orElse("") + " "
                    + e.getClass().getSimpleName() + ":");
            out.println("     " + e.getMessage());
        }
    }

    /** Prints the sysfs writes the library made since the last {@code clearWrites}. */
    private void library(SimulatedKernel kernel) {
        List<String> writes = kernel.writes();
        out.println("   sysfs writes:" + (writes.isEmpty() ? " none" : ""));
        for (String w : writes) {
            out.println("     " + w.replace("bus/pci/", "").replace("\n", "\\n"));
        }
    }

    /** Prints the events heard since the last call, consecutive ones of a kind on one line. */
    private void events() {
        List<SriovEvent> heard = List.copyOf(events);
        events.clear();
        StringBuilder line = new StringBuilder();
        String kind = "";
        for (SriovEvent e : heard) {
            String k = e.getClass().getSimpleName();
            if (!k.equals(kind)) {
                if (line.length() > 0) {
                    out.println("   event " + line);
                }
                line.setLength(0);
                line.append(k).append(':');
                kind = k;
            }
            line.append(' ').append(describe(e));
        }
        if (line.length() > 0) {
            out.println("   event " + line);
        }
    }

    private static String describe(SriovEvent e) {
        if (e instanceof SriovEvent.VfCreated c) {
            return c.device().toString();
        }
        if (e instanceof SriovEvent.VfRemoved r) {
            return r.device().toString();
        }
        if (e instanceof SriovEvent.Detached d) {
            return d.device() + " from " + d.originalDriver().orElse("no driver") + " to " + d.stubDriver();
        }
        if (e instanceof SriovEvent.Reattached r) {
            return r.device() + " to " + r.driver().orElse("no driver");
        }
        if (e instanceof SriovEvent.Leased l) {
            return l.device() + " to " + l.guest() + (l.managed() ? " (managed)" : "");
        }
        if (e instanceof SriovEvent.Released r) {
            return r.device() + " from " + r.guest();
        }
        return e.toString();
    }

    private void say(String text) {
        out.println();
        out.println(++step + ". " + text);
    }

    private void indent(String block) {
        block.lines().forEach(l -> out.println("   " + l));
    }
}
