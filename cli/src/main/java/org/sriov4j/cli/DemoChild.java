package org.sriov4j.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.spi.engine.SriovEngine;

/**
 * The demo's second process, a VMM that is about to be killed: it opens sriov4j on the demo's simulated kernel
 * (through {@link DemoPipe}, its standard input and output) and the demo's state directory, leases a VF for a
 * guest, says so on standard error, and waits to be killed. Usage: {@code DemoChild STATE_DIR BDF GUEST}.
 */
public final class DemoChild {

    private DemoChild() {
    }

    /**
     * Leases the VF and waits to be killed.
     *
     * @param args the state directory, the VF, the guest
     * @throws InterruptedException never in the demo (it is killed)
     */
    public static void main(String[] args) throws InterruptedException {
        // standard output carries the pipe's requests: nothing else may be printed there
        PrintStream requests = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        DemoPipe.Client kernel = new DemoPipe.Client(System.in, requests);
        SriovConfig config = SriovConfig.builder().stateDir(Path.of(args[0])).backend("kvm-vfio").build();
        PciAddress vf = PciAddress.parse(args[1]);
        SriovHost host = SriovEngine.open(config, kernel, kernel.devices(), HostCommands.none());
        Lease lease = host.lease(vf, args[2]);
        System.err.println("held " + lease.device() + " for " + lease.guest() + " in pid "
                + ProcessHandle.current().pid());
        System.err.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
