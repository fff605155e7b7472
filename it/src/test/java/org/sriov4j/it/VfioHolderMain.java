package org.sriov4j.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.VfioSystem;

/**
 * A stand-in VMM, run in a child JVM by the real-kernel tests: opens a function's VFIO group and device through
 * {@link VfioSystem} (container, group, {@code VFIO_GROUP_GET_DEVICE_FD}), optionally closes its group fd (keeping
 * the device fd, as a VMM may after setting the device up: docs/vfio-holders.md), prints {@code READY}, and holds
 * everything until its standard input closes or it is killed.
 *
 * <p>Usage: {@code VfioHolderMain BDF keep-group|close-group}
 */
public final class VfioHolderMain {

    /** libc's close(2), for the group fd that {@link IommuDomain} keeps. */
    interface LibC extends Library {
        int close(int fd);
    }

    private VfioHolderMain() {
    }

    /**
     * Runs the stand-in.
     *
     * @param args BDF and keep-group or close-group
     * @throws Exception on failure (exit status 1)
     */
    public static void main(String[] args) throws Exception {
        PciAddress f = PciAddress.parse(args[0]);
        boolean keepGroup = args[1].equals("keep-group");
        VfioSystem vfio = VfioSystem.open();
        int group = vfio.iommuGroup(f);
        IommuDomain domain = vfio.newDomain();
        AssignedDevice dev = domain.openDevice(f, group);
        if (!keepGroup) {
            LibC libc = Native.load("c", LibC.class);
            String node = "/dev/vfio/" + group;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(node)) {
                            libc.close(Integer.parseInt(fd.getFileName().toString()));
                        }
                    } catch (java.io.IOException e) {
                        // the directory stream's own fd, gone
                    }
                }
            }
        }
        System.out.println("READY " + ProcessHandle.current().pid() + " " + f + " group " + group
                + (keepGroup ? "" : " (group fd closed)"));
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until stdin closes
        }
        System.out.println("holder ends; device " + dev.address());
        System.exit(0);
    }
}
