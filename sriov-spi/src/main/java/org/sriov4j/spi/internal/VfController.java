package org.sriov4j.spi.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.spi.SysfsAccess;

/**
 * Enables and disables VFs through {@code sriov_numvfs}, following the kernel's rules (KERNEL-FACTS.md, "Enable N
 * VFs"): count checked against {@code sriov_totalvfs} first, same count a no-op, a non-zero change through 0, each
 * write bounded by a timeout, and a bounded wait for the {@code virtfnN}/{@code physfn} links. Undoes what it did
 * when a later step fails.
 */
final class VfController implements AutoCloseable {

    static final String ENABLE = "enable VFs";
    static final String DISABLE = "disable VFs";

    private final SysfsAccess sysfs;
    private final TopologyScanner scanner;
    private final Attributes attrs;
    /** Runs the blocking sysfs writes, so that a write stuck in the kernel cannot hold the caller forever. */
    private final ExecutorService writer;

    VfController(SysfsAccess sysfs, TopologyScanner scanner) {
        this.sysfs = sysfs;
        this.scanner = scanner;
        this.attrs = new Attributes(sysfs);
        this.writer = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sriov4j-sysfs-writer");
            t.setDaemon(true);
            return t;
        });
    }

    synchronized PhysicalFunction enable(PciAddress pf, int count, VfEnableOptions options) {
        Objects.requireNonNull(pf, "pf");
        Objects.requireNonNull(options, "options");
        if (count < 0) {
            throw new IllegalArgumentException("VF count must not be negative: " + count + " (PF " + pf + ")");
        }
        String d = TopologyScanner.dev(pf);
        int total = totalVfs(ENABLE, pf);
        if (count > total) {
            throw new SriovException(ENABLE, pf, Errno.ERANGE, sysfs.describe(d + "/sriov_totalvfs"),
                    "asked for " + count + " VFs, the device allows at most " + total + "; nothing was changed",
                    null);
        }
        long deadline = System.nanoTime() + options.timeout().toNanos();
        List<String> undone = new ArrayList<>();
        Boolean originalAutoprobe = null;
        if (options.driversAutoprobe().isPresent() && sysfs.exists(d + "/sriov_drivers_autoprobe")) {
            boolean current = attrs.bool(d + "/sriov_drivers_autoprobe");
            boolean wanted = options.driversAutoprobe().get();
            if (current != wanted) {
                write(ENABLE, pf, d + "/sriov_drivers_autoprobe", wanted ? "1" : "0", options.timeout());
                originalAutoprobe = current;
            }
        }
        int before = attrs.decimal(d + "/sriov_numvfs");
        try {
            if (before != count) {
                if (before != 0) {
                    write(ENABLE, pf, d + "/sriov_numvfs", "0", options.timeout());
                    awaitVfs(ENABLE, pf, 0, deadline);
                }
                if (count != 0) {
                    try {
                        write(ENABLE, pf, d + "/sriov_numvfs", Integer.toString(count), options.timeout());
                    } catch (SriovException e) {
                        if (before != 0 && !timedOut(e)) {
                            restoreCount(pf, before, options.timeout(), undone);
                        }
                        throw e;
                    }
                }
            }
            awaitVfs(ENABLE, pf, count, deadline);
        } catch (SriovException e) {
            if (originalAutoprobe != null && !timedOut(e)) {
                restoreAutoprobe(pf, originalAutoprobe, options.timeout(), undone);
            }
            if (undone.isEmpty()) {
                throw e;
            }
            throw new SriovException(e.operation(), pf, e.errno().orElse(null), e.path().orElse(null),
                    (e.detail().isEmpty() ? "" : e.detail() + "; ") + String.join("; ", undone), e);
        }
        return scanner.physicalFunction(pf);
    }

    synchronized PhysicalFunction disable(PciAddress pf, Duration timeout) {
        Objects.requireNonNull(pf, "pf");
        String d = TopologyScanner.dev(pf);
        totalVfs(DISABLE, pf);
        long deadline = System.nanoTime() + timeout.toNanos();
        if (attrs.decimal(d + "/sriov_numvfs") != 0) {
            write(DISABLE, pf, d + "/sriov_numvfs", "0", timeout);
        }
        awaitVfs(DISABLE, pf, 0, deadline);
        return scanner.physicalFunction(pf);
    }

    private int totalVfs(String operation, PciAddress pf) {
        String d = TopologyScanner.dev(pf);
        if (!sysfs.exists(d)) {
            throw new DeviceNotFoundException(operation, pf, "no such PCI function in " + sysfs.describe(d));
        }
        if (!sysfs.exists(d + "/sriov_totalvfs")) {
            throw new SriovException(operation, pf, Errno.ENOENT, sysfs.describe(d + "/sriov_totalvfs"),
                    "not an SR-IOV physical function", null);
        }
        return attrs.decimal(d + "/sriov_totalvfs");
    }

    /** Writes through the writer thread; a write still blocked after {@code timeout} is left to finish on its own. */
    private void write(String operation, PciAddress pf, String path, String value, Duration timeout) {
        Future<?> f = writer.submit(() -> sysfs.write(path, value));
        try {
            f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SriovException(operation, pf, Errno.ETIMEDOUT, sysfs.describe(path),
                    "writing '" + value + "' did not return within " + timeout
                            + "; the write is still pending in the kernel and nothing was undone", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SriovException(operation, pf, Errno.EINTR, sysfs.describe(path),
                    "interrupted while writing '" + value + "'; the write may still complete", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SysfsIoException io) {
                throw new SriovException(operation, pf, io.errno().orElse(null), sysfs.describe(path),
                        "writing '" + value + "' was refused" + hint(pf, io.errno().orElse(null), value), io);
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new SriovException(operation, pf, null, sysfs.describe(path), "writing '" + value + "' failed",
                    cause);
        }
    }

    private String hint(PciAddress pf, @Nullable Errno errno, String value) {
        if (errno == Errno.ENOENT && !value.equals("0")
                && sysfs.linkName(TopologyScanner.dev(pf) + "/driver").isEmpty()) {
            return " (the PF has no driver bound: sriov_numvfs needs the PF driver)";
        }
        if (errno == Errno.ENOSPC) {
            return " (the device or platform may be out of interrupt vectors or bus numbers)";
        }
        return "";
    }

    /** Waits until exactly {@code count} virtfn links exist, each VF with its physfn link. */
    private void awaitVfs(String operation, PciAddress pf, int count, long deadline) {
        String d = TopologyScanner.dev(pf);
        long pause = 1;
        while (true) {
            String missing = missingLink(d, count);
            if (missing == null) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new SriovException(operation, pf, Errno.ETIMEDOUT, sysfs.describe(missing),
                        count == 0 ? "VFs were still present when the timeout expired"
                                : "the kernel had not created " + count + " VFs when the timeout expired", null);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SriovException(operation, pf, Errno.EINTR, sysfs.describe(missing),
                        "interrupted while waiting for the VFs", e);
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    /** The first link that is not yet as wanted, or null when every link is. */
    private @Nullable String missingLink(String d, int count) {
        for (int i = 0; i < count; i++) {
            String link = d + "/virtfn" + i;
            var vf = sysfs.linkName(link);
            if (vf.isEmpty()) {
                return link;
            }
            String physfn = TopologyScanner.DEVICES + "/" + vf.get() + "/physfn";
            if (!sysfs.exists(physfn)) {
                return physfn;
            }
        }
        String extra = d + "/virtfn" + count;
        return sysfs.exists(extra) ? extra : null;
    }

    private void restoreCount(PciAddress pf, int before, Duration timeout, List<String> undone) {
        String path = TopologyScanner.dev(pf) + "/sriov_numvfs";
        try {
            write(ENABLE, pf, path, Integer.toString(before), timeout);
            undone.add("restored the previous " + before + " VFs");
        } catch (SriovException e) {
            undone.add("could not restore the previous " + before + " VFs (" + e.getMessage() + ")");
        }
    }

    private void restoreAutoprobe(PciAddress pf, boolean original, Duration timeout, List<String> undone) {
        String path = TopologyScanner.dev(pf) + "/sriov_drivers_autoprobe";
        try {
            write(ENABLE, pf, path, original ? "1" : "0", timeout);
            undone.add("restored sriov_drivers_autoprobe to " + (original ? 1 : 0));
        } catch (SriovException e) {
            undone.add("could not restore sriov_drivers_autoprobe to " + (original ? 1 : 0) + " ("
                    + e.getMessage() + ")");
        }
    }

    private static boolean timedOut(SriovException e) {
        return e.errno().filter(x -> x == Errno.ETIMEDOUT).isPresent();
    }


    @Override
    public void close() {
        writer.shutdown();
    }
}
