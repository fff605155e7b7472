package org.sriov4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;

/**
 * A process of a {@link SimulatedKernel} that opens VFIO groups and devices, as a VMM does: it shows in the kernel's
 * fake {@code /proc} ({@link SimulatedKernel#procRoot()}) exactly as Linux 6.12 shows such a process (measured): a
 * group fd links to {@code /dev/vfio/N}, a device fd to {@code anon_inode:[vfio-device]} with an {@code fdinfo}
 * of {@code pos}, {@code flags}, {@code mnt_id} and {@code ino} only (plus {@code vfio-device-syspath} when
 * {@link SimulatedKernel#fdinfoSyspath(boolean)} asks for a newer kernel), a device cdev to
 * {@code /dev/vfio/devices/vfioN}. While it holds a device fd, the function's sysfs {@code enable} is 1 and
 * unbinding the function from vfio-pci fails the test with {@link VfioUnbindWouldBlockError} (the real kernel would
 * block). Closing the group fd keeps the device fd open, as on Linux. Thread-safe.
 */
public final class SimulatedProcess {

    private final SimulatedKernel kernel;
    private final long pid;
    private final String command;
    private final Path dir;
    /** fd to what it is: "group:N", "device:BDF" or "cdev:BDF". */
    private final TreeMap<Integer, String> fds = new TreeMap<>();
    private int nextFd = 3;
    private boolean exited;

    SimulatedProcess(SimulatedKernel kernel, long pid, String command, Path dir) {
        this.kernel = kernel;
        this.pid = pid;
        this.command = command;
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("fd"));
            Files.createDirectories(dir.resolve("fdinfo"));
            Files.writeString(dir.resolve("comm"), command + "\n", StandardCharsets.UTF_8);
            link(0, Path.of("/dev/null"));
            link(1, Path.of("/dev/null"));
            link(2, Path.of("/dev/null"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The process id in the fake {@code /proc}.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * Its command ({@code /proc/PID/comm}).
     *
     * @return the command
     */
    public String command() {
        return command;
    }

    /**
     * Opens {@code /dev/vfio/GROUP}.
     *
     * @param group the IOMMU group number
     * @return the fd
     * @throws IllegalStateException if the process exited or the node does not exist (no member on vfio-pci)
     */
    public synchronized int openGroup(int group) {
        checkAlive();
        if (!kernel.devices().exists("vfio/" + group)) {
            throw new IllegalStateException("/dev/vfio/" + group + " does not exist (no member of group " + group
                    + " is bound to vfio-pci)");
        }
        return add("group:" + group, Path.of("/dev/vfio/" + group), null);
    }

    /**
     * Gets the device fd of {@code f} from its group ({@code VFIO_GROUP_GET_DEVICE_FD}): the group must be open in
     * this process.
     *
     * @param f the function, on vfio-pci
     * @return the fd
     * @throws IllegalStateException if the process exited, the function is not on vfio-pci, or its group is not
     *     open here
     */
    public synchronized int openDevice(PciAddress f) {
        checkAlive();
        int group = kernel.vfioGroupOf(f);
        if (!fds.containsValue("group:" + group)) {
            throw new IllegalStateException("group " + group + " of " + f + " is not open in pid " + pid);
        }
        kernel.vfioOpened(f);
        return add("device:" + f, Path.of("anon_inode:[vfio-device]"), f);
    }

    /**
     * Opens {@code f}'s device cdev {@code /dev/vfio/devices/vfioN} (kernels with VFIO cdev).
     *
     * @param f the function, on vfio-pci
     * @return the fd
     * @throws IllegalStateException if the process exited, the function is not on vfio-pci, or the kernel has no
     *     cdevs
     */
    public synchronized int openDeviceCdev(PciAddress f) {
        checkAlive();
        String cdev = kernel.vfioCdevOf(f);
        kernel.vfioOpened(f);
        return add("cdev:" + f, Path.of("/dev/vfio/devices/" + cdev), null);
    }

    /**
     * Closes one descriptor.
     *
     * @param fd the fd
     * @throws IllegalArgumentException if it is not open
     */
    public synchronized void close(int fd) {
        String what = fds.remove(fd);
        if (what == null) {
            throw new IllegalArgumentException("fd " + fd + " is not open in pid " + pid);
        }
        if (what.startsWith("device:") || what.startsWith("cdev:")) {
            kernel.vfioClosed(PciAddress.parse(what.substring(what.indexOf(':') + 1)));
        }
        try {
            Files.deleteIfExists(dir.resolve("fd").resolve(Integer.toString(fd)));
            Files.deleteIfExists(dir.resolve("fdinfo").resolve(Integer.toString(fd)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes every group fd, keeping the device fds (as a VMM may once it has its devices). */
    public synchronized void closeGroups() {
        for (Map.Entry<Integer, String> e : List.copyOf(fds.entrySet())) {
            if (e.getValue().startsWith("group:")) {
                close(e.getKey());
            }
        }
    }

    /** Exits: every descriptor is closed and the process leaves {@code /proc}. Idempotent. */
    public synchronized void exit() {
        if (exited) {
            return;
        }
        for (int fd : List.copyOf(fds.keySet())) {
            close(fd);
        }
        exited = true;
        SimulatedKernel.deleteTree(dir);
    }

    /**
     * Whether it has not exited.
     *
     * @return true while running
     */
    public synchronized boolean isAlive() {
        return !exited;
    }

    private void checkAlive() {
        if (exited) {
            throw new IllegalStateException("pid " + pid + " has exited");
        }
    }

    private int add(String what, Path target, @Nullable PciAddress syspathOf) {
        int fd = nextFd++;
        fds.put(fd, what);
        try {
            link(fd, target);
            StringBuilder info = new StringBuilder("pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n");
            if (syspathOf != null && kernel.fdinfoSyspath()) {
                info.append("vfio-device-syspath: /sys/").append(kernel.canonicalDevicePath(syspathOf)).append('\n');
            }
            Files.writeString(dir.resolve("fdinfo").resolve(Integer.toString(fd)), info.toString(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fd;
    }

    private void link(int fd, Path target) throws IOException {
        Files.createSymbolicLink(dir.resolve("fd").resolve(Integer.toString(fd)), target);
    }

    @Override
    public String toString() {
        return "SimulatedProcess[" + pid + " " + command + (exited ? ", exited" : "") + " " + fds + "]";
    }
}
