package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.sriov4j.DeviceInUseException;
import org.sriov4j.PciAddress;
import org.sriov4j.SysfsIoException;
import org.sriov4j.VfioHolder;
import org.sriov4j.spi.SysfsAccess;

/**
 * Finds the processes that hold a vfio-pci function's VFIO device open, and refuses an unbind that would block on
 * them (the rule is described in the repository's {@code docs/vfio-holders.md}):
 *
 * <ol>
 *   <li>A function not on vfio-pci has no VFIO device: nothing to check.</li>
 *   <li>vfio-pci enables the PCI device when its VFIO device is first opened and disables it when the last
 *       descriptor is closed, so its sysfs {@code enable} count is 0 exactly while nobody has it open: then the
 *       unbind cannot block and nothing more is read.</li>
 *   <li>Otherwise (open, or {@code enable} unreadable) every process in the proc root is looked at: a device fd
 *       whose {@code fdinfo} names the function ({@code vfio-device-syspath}, newer kernels), the function's device
 *       cdev, or its group together with a device fd make a process a certain holder; a device fd that cannot be
 *       attributed (no syspath, and not the function's group) makes it a possible holder of every vfio-pci
 *       function.</li>
 *   <li>An open device is refused even when no holder is visible (another PID namespace, a restricted /proc).</li>
 * </ol>
 *
 * <p>All /proc reading goes through the proc root (a {@link Path}, like {@link SysfsAccess}'s root), so that tests
 * use a fake tree.
 */
final class VfioHolders {

    static final String VFIO_PCI = "vfio-pci";
    static final String DEVICE_FD = "anon_inode:[vfio-device]";
    static final String SYSPATH = "vfio-device-syspath:";
    private static final long POLL_MILLIS = 50;
    private static final System.Logger LOG = System.getLogger(VfioHolders.class.getName());

    private final SysfsAccess sysfs;
    private final Path procRoot;
    private final Duration wait;
    private final Consumer<PciAddress> selfRequest;

    /**
     * @param sysfs sysfs
     * @param procRoot what stands for /proc
     * @param wait how long {@link #checkUnbind} waits for the holders to close the device
     * @param selfRequest asks this process's own user of the device to give it up (called once per wait, when this
     *     process is among the holders)
     */
    VfioHolders(SysfsAccess sysfs, Path procRoot, Duration wait, Consumer<PciAddress> selfRequest) {
        this.sysfs = sysfs;
        this.procRoot = procRoot;
        this.wait = wait;
        this.selfRequest = selfRequest;
    }

    /**
     * Refuses to go on when unbinding {@code f} from vfio-pci could block. A no-op for a function not on vfio-pci.
     * Waits up to the configured time for the holders to close it first.
     *
     * @param operation for the message
     * @param f the function about to be unbound (or removed with its PF's VFs)
     * @throws DeviceInUseException if its VFIO device is (or may be) open
     */
    void checkUnbind(String operation, PciAddress f) {
        if (!onVfioPci(f)) {
            return;
        }
        waitUntilClosed(operation, f);
    }

    /**
     * {@link #checkUnbind(String, PciAddress)} for a function whose driver was just read: nothing is read again to
     * see whether it is on vfio-pci.
     *
     * @param operation for the message
     * @param f the function about to be unbound
     * @param driver its driver as just read
     * @throws DeviceInUseException if its VFIO device is (or may be) open
     */
    void checkUnbind(String operation, PciAddress f, Optional<String> driver) {
        if (driver.filter(VFIO_PCI::equals).isEmpty()) {
            return;
        }
        waitUntilClosed(operation, f);
    }

    private void waitUntilClosed(String operation, PciAddress f) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean asked = false;
        while (true) {
            Finding finding = find(f);
            if (!finding.open()) {
                return;
            }
            if (!asked && finding.holders().stream().anyMatch(h -> h.pid() == ProcessHandle.current().pid())
                    && !wait.isZero()) {
                asked = true;
                try {
                    selfRequest.accept(f);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "asking this process's user of " + f + " to give it up "
                            + "failed", e);
                }
                continue;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new DeviceInUseException(operation, f, finding.holders(), finding.note()
                        + (wait.isZero() ? "" : (finding.note().isEmpty() ? "" : "; ") + "waited " + wait.toMillis()
                                + " ms for it to be closed"));
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceInUseException(operation, f, finding.holders(), "interrupted while waiting");
            }
        }
    }

    /** Whether {@code f} is bound to vfio-pci. */
    boolean onVfioPci(PciAddress f) {
        return sysfs.linkName(TopologyScanner.dev(f) + "/driver").filter(VFIO_PCI::equals).isPresent();
    }

    /**
     * What is known about who holds {@code f}'s VFIO device.
     *
     * @param open whether it is (or may be) open
     * @param holders who holds it, certain ones first
     * @param note why it counts as open without a visible holder, or empty
     */
    record Finding(boolean open, List<VfioHolder> holders, String note) {
    }

    /**
     * Looks for the holders of {@code f}'s VFIO device (the function must be on vfio-pci).
     *
     * @param f the function
     * @return what was found
     */
    Finding find(PciAddress f) {
        String d = TopologyScanner.dev(f);
        Optional<Integer> enabled = enableCount(d);
        if (enabled.isPresent() && enabled.get() == 0) {
            return new Finding(false, List.of(), "");
        }
        Optional<String> group = sysfs.linkName(d + "/iommu_group");
        List<String> cdevs = sysfs.exists(d + "/vfio-dev") ? sysfs.list(d + "/vfio-dev") : List.of();
        List<VfioHolder> holders = new ArrayList<>();
        boolean[] unreadable = {false};
        for (long pid : pids()) {
            holderEvidence(pid, f, group, cdevs, unreadable)
                    .ifPresent(e -> holders.add(new VfioHolder(pid, command(pid), e)));
        }
        holders.sort(Comparator.comparing((VfioHolder h) -> !h.certain()).thenComparingLong(VfioHolder::pid));
        if (enabled.isEmpty()) {
            // no enable count to go by: only what /proc shows
            return new Finding(!holders.isEmpty(), holders, "");
        }
        String note = holders.isEmpty() ? "sysfs enable is " + enabled.get() + " (the device is open) but no process in "
                + procRoot + " shows a VFIO device fd" + (unreadable[0] ? " it may read" : "")
                + ": a holder in another PID namespace, or /proc mounted with hidepid?" : "";
        return new Finding(true, holders, note);
    }

    private Optional<Integer> enableCount(String d) {
        try {
            return Optional.of(Integer.parseInt(sysfs.read(d + "/enable").strip()));
        } catch (SysfsIoException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Optional<VfioHolder.Evidence> holderEvidence(long pid, PciAddress f, Optional<String> group,
            List<String> cdevs, boolean[] unreadable) {
        Path fdDir = procRoot.resolve(Long.toString(pid)).resolve("fd");
        boolean hasGroup = false;
        boolean cdev = false;
        boolean syspathMatch = false;
        boolean unlabeled = false;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // closed meanwhile
                }
                if (group.isPresent() && target.equals("/dev/vfio/" + group.get())) {
                    hasGroup = true;
                } else if (target.startsWith("/dev/vfio/devices/")
                        && cdevs.contains(target.substring("/dev/vfio/devices/".length()))) {
                    cdev = true;
                } else if (target.equals(DEVICE_FD)) {
                    Optional<String> syspath = syspath(pid, fd.getFileName().toString());
                    if (syspath.isEmpty()) {
                        unlabeled = true;
                    } else if (Path.of(syspath.get()).getFileName() != null
                            && Path.of(syspath.get()).getFileName().toString().equals(f.toString())) {
                        syspathMatch = true;
                    }
                }
            }
        } catch (IOException e) {
            if (Files.isDirectory(procRoot.resolve(Long.toString(pid)))) {
                unreadable[0] = true;
            }
            return Optional.empty();
        }
        if (syspathMatch) {
            return Optional.of(VfioHolder.Evidence.DEVICE_SYSPATH);
        }
        if (cdev) {
            return Optional.of(VfioHolder.Evidence.DEVICE_CDEV);
        }
        if (hasGroup && unlabeled) {
            return Optional.of(VfioHolder.Evidence.GROUP_AND_DEVICE_FD);
        }
        if (unlabeled) {
            return Optional.of(VfioHolder.Evidence.UNATTRIBUTED_DEVICE_FD);
        }
        return Optional.empty();
    }

    /** The {@code vfio-device-syspath} line of a device fd's fdinfo, if the kernel writes one. */
    private Optional<String> syspath(long pid, String fd) {
        Path info = procRoot.resolve(Long.toString(pid)).resolve("fdinfo").resolve(fd);
        try {
            for (String line : Files.readAllLines(info, StandardCharsets.UTF_8)) {
                if (line.startsWith(SYSPATH)) {
                    String v = line.substring(SYSPATH.length()).strip();
                    return v.isEmpty() ? Optional.empty() : Optional.of(v);
                }
            }
        } catch (IOException e) {
            // closed meanwhile, or unreadable: unlabeled
        }
        return Optional.empty();
    }

    private List<Long> pids() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
            for (Path p : dirs) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.length() <= 10 && n.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    out.add(Long.parseLong(n));
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list {0}: {1}", procRoot, e.toString());
        }
        out.sort(null);
        return out;
    }

    private String command(long pid) {
        try {
            String c = Files.readString(procRoot.resolve(Long.toString(pid)).resolve("comm"), StandardCharsets.UTF_8)
                    .strip();
            return c.isEmpty() ? "?" : c;
        } catch (IOException e) {
            return "?";
        }
    }
}
