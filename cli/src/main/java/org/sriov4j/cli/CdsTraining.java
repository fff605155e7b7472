package org.sriov4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.sriov4j.PciAddress;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.testing.SysfsCapture;

/**
 * The training run of the command line's class-data-sharing archive ({@code cli/target/sriov4j.jsa}, made when the
 * jar is built: {@code java -XX:ArchiveClassesAtExit=sriov4j.jsa -cp sriov4j.jar org.sriov4j.cli.CdsTraining}). It
 * runs, in this one JVM, the commands an operator runs — help, list (table, JSON, all functions), show, status,
 * detach and reattach of several functions, recover — on a copy of a simulated Intel 82576 host written to a
 * temporary directory (nothing of the real machine is read or written), then the demo, so that the archive holds
 * the classes those commands load. What the commands print is discarded and their exit status does not matter (on a
 * tree of plain files a driver never binds, so some of them fail, through the same classes as on a real host).
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    /**
     * Runs the training commands.
     *
     * @param args ignored
     * @throws IOException when the temporary tree cannot be written or removed
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("sriov4j-cds-training");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true);
        try {
            SimulatedKernel k = SimulatedKernel.intel82576Host();
            PciAddress pf = PciAddress.parse("0000:01:00.0");
            k.write("bus/pci/devices/" + pf + "/sriov_numvfs", "3");
            PciAddress onVfio = k.vfsOf(pf).get(1);
            k.write("bus/pci/devices/" + onVfio + "/driver_override", "vfio-pci");
            k.write("bus/pci/drivers/igbvf/unbind", onVfio.toString());
            k.write("bus/pci/drivers_probe", onVfio.toString());
            Path sys = dir.resolve("sys");
            SysfsCapture.capture(k, sys);
            String[] common = {"--sysfs-root", sys.toString(), "--writable-tree", "--state-dir",
                dir.resolve("state").toString()};
            String vf0 = k.vfsOf(pf).get(0).toString();
            String vf1 = onVfio.toString();
            String vf2 = k.vfsOf(pf).get(2).toString();
            String[][] commands = {
                {"--help"}, {"--version"}, {"list"}, {"list", "--json"}, {"list", "--all"}, {"show", pf.toString()},
                {"show", vf1}, {"status"}, {"detach", vf1}, {"detach", vf1, vf0}, {"status"}, {"status", "--json"},
                {"reattach", vf1}, {"reattach", vf1, vf2}, {"recover"}, {"show", "not-a-bdf"}, {"nonsense"},
            };
            for (String[] c : commands) {
                String[] argv = c[0].startsWith("--") && c.length == 1 ? c : concat(common, c);
                new Cli(quiet, quiet).run(argv);
            }
            new Cli(quiet, quiet).run(new String[] {"demo"});
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
