package org.sriov4j.cli;

import java.io.PrintStream;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovHost;
import org.sriov4j.SysfsIoException;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;
import org.sriov4j.testing.SimulatedKernel;

/**
 * The narrated demo: discovery on a simulated Intel 82576 host, with the kernel's SR-IOV rules shown as they
 * apply. Nothing on the real machine is read or written.
 */
final class Demo {

    private static final String PF = "0000:01:00.0";
    private static final String NUMVFS = "bus/pci/devices/" + PF + "/sriov_numvfs";

    private final PrintStream out;
    private int step;

    Demo(PrintStream out) {
        this.out = out;
    }

    int run() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        say("A simulated host: an Intel 82576 (8086:10c9) at " + PF + " on the igb driver, behind an IOMMU,");
        out.println("   with igbvf and vfio-pci loaded. It follows Linux 6.12's sysfs rules; nothing on this");
        out.println("   machine is read or written.");
        try (SriovHost host = kernel.openHost()) {
            say("Discovery: host.topology()");
            Topology t = host.topology();
            PhysicalFunction pf = t.physicalFunctions().get(0);
            out.printf("   found %d PF: %s %s on %s, %d of %d VFs enabled, VF device id %s%n",
                    t.physicalFunctions().size(), pf.address(), pf.function().id(),
                    pf.function().driver().orElse("no driver"), pf.numVfs(), pf.totalVfs(), pf.vfId());
            indent(Table.render(t));

            say("Enabling 7 VFs, as root would: echo 7 > /sys/" + NUMVFS);
            kernel.write(NUMVFS, "7");
            t = host.topology();
            out.printf("   the kernel placed %d VFs at routing id PF + offset %d + stride %d x index;"
                    + " autoprobe bound them to igbvf:%n", t.virtualFunctions().size(), pf.vfOffset(), pf.vfStride());
            indent(Table.render(t));

            say("Asking for 8 VFs when the device allows 7: echo 8 > sriov_numvfs");
            refused(kernel, NUMVFS, "8");
            say("Changing 7 VFs to 3 directly: echo 3 > sriov_numvfs");
            refused(kernel, NUMVFS, "3");
            out.println("   The rule: a non-zero VF count can only change by going through 0. sriov4j's");
            out.println("   enableVfs() will do that for you; here we do it by hand: echo 0, then echo 3.");
            kernel.write(NUMVFS, "0");
            kernel.write(NUMVFS, "3");
            t = host.topology();
            out.printf("   now %d VFs: %s%n", t.virtualFunctions().size(),
                    t.virtualFunctions().stream().map(v -> v.address().toString()).toList());

            VirtualFunction vf0 = t.virtualFunctions().get(0);
            PciAddress a = vf0.address();
            int group = vf0.function().iommuGroup().orElseThrow();
            say("Handing VF 0 (" + a + ") to vfio-pci the safe way: driver_override, unbind, drivers_probe");
            out.println("   (this is what sriov4j's detach will do, after checking IOMMU group " + group
                    + " is viable and recording the original driver "
                    + vf0.function().driver().orElse("(none)") + ")");
            kernel.write("bus/pci/devices/" + a + "/driver_override", "vfio-pci");
            kernel.write("bus/pci/drivers/" + vf0.function().driver().orElseThrow() + "/unbind", a.toString());
            kernel.write("bus/pci/drivers_probe", a.toString());
            t = host.topology();
            out.printf("   %s is now on %s; /dev/vfio/%d %s%n", a,
                    t.function(a).orElseThrow().driver().orElse("no driver"), group,
                    kernel.devices().exists("vfio/" + group) ? "appeared" : "did not appear");

            say("Disabling SR-IOV: echo 0 > sriov_numvfs");
            kernel.write(NUMVFS, "0");
            t = host.topology();
            out.printf("   %d VFs left; /dev/vfio/%d %s%n", t.virtualFunctions().size(), group,
                    kernel.devices().exists("vfio/" + group) ? "is still there" : "is gone with its group");
        }
        say("Done. Run './sriov4j list' on a real host, or './sriov4j --sysfs-root DIR list' on a captured tree.");
        return Cli.OK;
    }

    private void refused(SimulatedKernel kernel, String path, String value) {
        try {
            kernel.write(path, value);
            out.println("   unexpectedly accepted");
        } catch (SysfsIoException e) {
            out.println("   refused by the kernel: " + e.errno().map(Enum::name).orElse("?") + " ("
                    + e.errno().map(x -> x.message()).orElse("") + ")");
        }
    }

    private void say(String text) {
        out.println();
        out.println(++step + ". " + text);
    }

    private void indent(String block) {
        block.lines().forEach(l -> out.println("   " + l));
    }
}
