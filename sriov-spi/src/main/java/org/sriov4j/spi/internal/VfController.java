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
import org.sriov4j.spi.SysfsNames;
import org.sriov4j.spi.VendorContext;
import org.sriov4j.spi.VendorPlugin;

/**
 * Enables and disables VFs through {@code sriov_numvfs}, following the kernel's rules (docs/kernel-facts.md, "Enable N
 * VFs"): count checked against {@code sriov_totalvfs} first, same count a no-op, a non-zero change through 0, each
 * write bounded by a timeout, and a bounded wait for the {@code virtfnN}/{@code physfn} links. The PF's
 * {@link VendorPlugin} (chosen by {@link VendorPlugins}) adds its limit and its steps around the writes (step 4).
 * Undoes what it did when a later step fails, a failing plugin hook included.
 */
final class VfController implements AutoCloseable {

    static final String ENABLE = "enable VFs";
    static final String DISABLE = "disable VFs";

    private final SysfsAccess sysfs;
    private final TopologyScanner scanner;
    private final Attributes attrs;
    private final VendorPlugins plugins;
    /** Runs the blocking sysfs writes, so that a write stuck in the kernel cannot hold the caller forever. */
    private final ExecutorService writer;

    VfController(SysfsAccess sysfs, TopologyScanner scanner, VendorPlugins plugins) {
        this.sysfs = sysfs;
        this.scanner = scanner;
        this.attrs = new Attributes(sysfs);
        this.plugins = plugins;
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
        PhysicalFunction original = scanner.physicalFunction(pf);
        VendorPlugin plugin = plugins.forPf(ENABLE, original.function());
        VendorContext ctx = new VendorContext(sysfs, pf);
        var limit = new java.util.OptionalInt[1];
        hook(ENABLE, plugin, "vfLimit", pf, () -> limit[0] = plugin.vfLimit(original));
        if (limit[0].isPresent() && count > limit[0].getAsInt()) {
            throw new SriovException(ENABLE, pf, Errno.ERANGE, null, "asked for " + count
                    + " VFs, vendor plugin " + VendorPlugins.name(plugin) + " allows at most " + limit[0].getAsInt()
                    + " with driver " + original.function().driver().orElse("(none)") + "; nothing was changed",
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
                    hook(ENABLE, plugin, "beforeDisable", pf, () -> plugin.beforeDisable(ctx, original));
                    write(ENABLE, pf, d + "/sriov_numvfs", "0", options.timeout());
                    awaitVfs(ENABLE, pf, 0, deadline);
                }
                if (count != 0) {
                    try {
                        hook(ENABLE, plugin, "beforeEnable", pf, () -> plugin.beforeEnable(ctx, original, count));
                        write(ENABLE, pf, d + "/sriov_numvfs", Integer.toString(count), options.timeout());
                    } catch (SriovException e) {
                        if (before != 0 && restorable(e)) {
                            restoreCount(pf, before, options.timeout(), undone);
                        }
                        throw e;
                    }
                    awaitVfs(ENABLE, pf, count, deadline);
                    PhysicalFunction created = scanner.physicalFunction(pf);
                    try {
                        hook(ENABLE, plugin, "afterEnable", pf, () -> plugin.afterEnable(ctx, created, count));
                    } catch (HookFailure e) {
                        if (removeCreated(pf, count, options.timeout(), undone) && before != 0) {
                            restoreCount(pf, before, options.timeout(), undone);
                        }
                        throw e;
                    }
                }
            }
            awaitVfs(ENABLE, pf, count, deadline);
        } catch (SriovException e) {
            if (originalAutoprobe != null && restorable(e)) {
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
            PhysicalFunction current = scanner.physicalFunction(pf);
            VendorPlugin plugin = plugins.forPf(DISABLE, current.function());
            hook(DISABLE, plugin, "beforeDisable", pf,
                    () -> plugin.beforeDisable(new VendorContext(sysfs, pf), current));
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
                        "writing '" + value + "' was refused" + (io.detail().isEmpty() ? "" : ": " + io.detail())
                                + hint(pf, io.errno().orElse(null), value), io);
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
                && !sysfs.exists(TopologyScanner.dev(pf) + "/driver")) {
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
            var vf = SysfsNames.linkedAddress(sysfs, link);
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

    /** False only for a write still pending in the kernel: undoing around it could race with it. */
    private static boolean restorable(SriovException e) {
        return e instanceof HookFailure || !timedOut(e);
    }

    /** A vendor plugin hook failed; the message names the plugin and the hook. */
    private static final class HookFailure extends SriovException {
        private static final long serialVersionUID = 1L;

        HookFailure(String operation, PciAddress pf, @Nullable Errno errno, String detail, Throwable cause) {
            super(operation, pf, errno, null, detail, cause);
        }
    }

    /** Runs a plugin hook; whatever it throws becomes a {@link HookFailure} naming the plugin and the hook. */
    private static void hook(String operation, VendorPlugin plugin, String hook, PciAddress pf, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            Errno errno = e instanceof SriovException se ? se.errno().orElse(null)
                    : e instanceof SysfsIoException io ? io.errno().orElse(null) : null;
            throw new HookFailure(operation, pf, errno,
                    "vendor plugin " + VendorPlugins.name(plugin) + " failed in " + hook + ": " + e.getMessage(), e);
        }
    }

    /** After a failed afterEnable: writes 0 and waits for the VFs to go; true if they went. */
    private boolean removeCreated(PciAddress pf, int count, Duration timeout, List<String> undone) {
        try {
            write(ENABLE, pf, TopologyScanner.dev(pf) + "/sriov_numvfs", "0", timeout);
            awaitVfs(ENABLE, pf, 0, System.nanoTime() + timeout.toNanos());
            undone.add("removed the " + count + " new VFs");
            return true;
        } catch (SriovException e) {
            undone.add("could not remove the " + count + " new VFs (" + e.getMessage() + ")");
            return false;
        }
    }


    @Override
    public void close() {
        writer.shutdown();
    }
}
