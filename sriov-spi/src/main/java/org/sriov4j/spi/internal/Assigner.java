package org.sriov4j.spi.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.GroupNotViableException;
import org.sriov4j.NoIommuException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.AssignmentSteps;
import org.sriov4j.spi.GroupViability;
import org.sriov4j.spi.Rollback;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.SysfsNames;

/**
 * Takes PCI functions away from their host drivers onto the backend's stub driver (vfio-pci, pciback) and gives
 * them back to exactly the driver they had (docs/kernel-facts.md, "Detach a function to vfio-pci"). Each is a
 * transaction: a failed step undoes the completed ones.
 */
final class Assigner {

    static final String DETACH = "detach";
    static final String REATTACH = "reattach";
    /** The stub driver that resets a function itself when its VFIO device is closed. */
    static final String VFIO_PCI = "vfio-pci";
    private static final System.Logger LOG = System.getLogger(Assigner.class.getName());
    /** Drivers a group member may be on besides the stub: VFIO accepts pci-stub. */

    private final SriovConfig config;
    private final SysfsAccess sysfs;
    private final TopologyScanner scanner;
    private final Supplier<String> stubDriver;
    private final Supplier<Optional<AssignmentSteps>> steps;
    private final UnbindGuard guard;

    Assigner(SriovConfig config, SysfsAccess sysfs, TopologyScanner scanner, Supplier<String> stubDriver) {
        this(config, sysfs, scanner, stubDriver, Optional::empty, UnbindGuard.NONE);
    }

    /**
     * @param guard called before every unbind ({@link VfioHolders}: refuses while the function's VFIO device is
     *     open), also before the backend's own reattach
     */
    Assigner(SriovConfig config, SysfsAccess sysfs, TopologyScanner scanner, Supplier<String> stubDriver,
            Supplier<Optional<AssignmentSteps>> steps, UnbindGuard guard) {
        this.guard = guard;
        this.config = config;
        this.sysfs = sysfs;
        this.scanner = scanner;
        this.stubDriver = stubDriver;
        this.steps = steps;
    }

    /** The backend's own steps, if it has them. */
    Optional<AssignmentSteps> steps() {
        return steps.get();
    }

    /**
     * Moves {@code f} onto the stub driver with the backend's steps, or the engine's own.
     *
     * @return backend data for the ledger
     */
    Map<String, String> detachToStub(PciFunction f) {
        // a function on vfio-pci moving to another stub (pciback); its driver as described just before
        guard.beforeUnbind(DETACH, f.address(), f.driver());
        Optional<AssignmentSteps> s = steps.get();
        if (s.isPresent()) {
            return s.get().detach(f);
        }
        detach(f);
        return Map.of();
    }

    /** Gives {@code f} back with the backend's steps, or the engine's own. */
    void reattach(PciAddress f, Original original, Map<String, String> extras) {
        guard.beforeUnbind(REATTACH, f);
        Optional<AssignmentSteps> s = steps.get();
        if (s.isPresent()) {
            s.get().reattach(f, original.driver(), original.driverOverride(), extras);
            return;
        }
        reattach(f, original);
    }

    /**
     * Gives {@code before} back with the backend's steps, or the engine's own, going by its driver and
     * {@code driver_override} as described just before (under its lock) instead of reading them again.
     *
     * @param before the function as described just before
     * @param original what to restore
     * @param extras the backend's data from the ledger
     */
    void reattach(PciFunction before, Original original, Map<String, String> extras) {
        PciAddress f = before.address();
        guard.beforeUnbind(REATTACH, f, before.driver());
        Optional<AssignmentSteps> s = steps.get();
        if (s.isPresent()) {
            s.get().reattach(f, original.driver(), original.driverOverride(), extras);
            return;
        }
        reattach(f, before.driver(), before.driverOverride(), original);
    }

    /**
     * {@code before}, described just before a detach that succeeded, as it is now. The engine's own detach wrote
     * {@code driver_override} = the stub and verified the {@code driver} link names the stub, and a stub driver
     * registers no netdev: nothing needs reading again. The backend's own steps (Xen) are read again.
     *
     * @param before the function as described just before the detach
     * @return the function now
     */
    PciFunction afterDetach(PciFunction before) {
        String stub = stubDriver.get();
        if (steps.get().isPresent()) {
            return describeAfter(DETACH, before);
        }
        if (before.driver().filter(stub::equals).isPresent()) {
            return before; // nothing was written
        }
        return TopologyScanner.withDriver(before, Optional.of(stub), Optional.of(stub), List.of());
    }

    /**
     * {@code before}, described just before a reattach that succeeded, as it is now: the engine's own reattach
     * restored exactly the recorded {@code driver_override} and verified the {@code driver} link names the original
     * driver (or bound nothing, for a function that had none); only the netdevs that driver registered are read. The
     * backend's own steps (Xen) are read again.
     *
     * @param before the function as described just before the reattach
     * @param original what was restored
     * @return the function now
     */
    PciFunction afterReattach(PciFunction before, Original original) {
        if (steps.get().isPresent()) {
            return describeAfter(REATTACH, before);
        }
        return TopologyScanner.withDriver(before, original.driver(), original.driverOverride(),
                original.driver().isPresent() ? scanner.netdevs(before.address()) : List.of());
    }

    /** What a function was on before it was detached: what reattach restores. */
    record Original(Optional<String> driver, Optional<String> driverOverride) {
    }

    /**
     * The function as it is now.
     *
     * @throws DeviceNotFoundException if it does not exist
     */
    PciFunction describe(String operation, PciAddress f) {
        return describeForChange(operation, f).function();
    }

    /**
     * The function as it is now, with its PF if it is a VF ({@link TopologyScanner#describe}: one sysfs operation
     * an attribute).
     *
     * @throws DeviceNotFoundException if it does not exist
     */
    TopologyScanner.Described describeForChange(String operation, PciAddress f) {
        try {
            return scanner.describe(f);
        } catch (SysfsIoException e) {
            if (e.isNotFound() && !sysfs.exists(TopologyScanner.dev(f))) {
                throw new DeviceNotFoundException(operation, f, "no such PCI function in "
                        + sysfs.describe(TopologyScanner.dev(f)));
            }
            throw e;
        }
    }

    /**
     * {@code before}, described just before a change of its driver, as it is after it (only what a bind or unbind
     * changes is read again).
     *
     * @throws DeviceNotFoundException if it disappeared
     */
    PciFunction describeAfter(String operation, PciFunction before) {
        try {
            return scanner.afterDriverChange(before);
        } catch (SysfsIoException e) {
            if (e.isNotFound() && !sysfs.exists(TopologyScanner.dev(before.address()))) {
                throw new DeviceNotFoundException(operation, before.address(), "the function disappeared");
            }
            throw e;
        }
    }

    /**
     * Refuses a function whose {@code driver_override} is not a driver name (the kernel stores any text there):
     * the ledger could not record it, so it could not be restored.
     *
     * @throws SriovException {@code EINVAL} naming the file
     */
    void checkRecordable(String operation, PciFunction f) {
        Optional<String> o = f.driverOverride();
        if (o.isPresent() && !SysfsNames.isDriverName(o.get())) {
            throw new SriovException(operation, f.address(), Errno.EINVAL,
                    sysfs.describe(TopologyScanner.dev(f.address()) + "/driver_override"), "it holds "
                            + SysfsNames.quote(o.get()) + ", not a driver name: sriov4j could not record it to put "
                            + "it back later; clear it (write a newline to it) first", null);
        }
    }

    /**
     * Checks that {@code f} may be handed to a guest: it has an IOMMU group (or the unsafe option is set) and every
     * other member of the group is on the stub driver, pci-stub, no driver, or is a bridge.
     *
     * @throws GroupNotViableException naming each offending member
     * @throws NoIommuException if there is no IOMMU and the unsafe option is not set
     */
    void checkAssignable(String operation, PciFunction f) {
        checkAssignable(operation, f, new java.util.HashMap<>());
    }

    /**
     * {@link #checkAssignable(String, PciFunction)} listing each group's members once for many functions.
     *
     * @param groups each group's members as listed so far (filled here); the members' drivers are read each time
     */
    void checkAssignable(String operation, PciFunction f, Map<Integer, List<PciAddress>> groups) {
        Optional<AssignmentSteps> s = steps.get();
        if (s.isPresent()) {
            s.get().checkAssignable(operation, f);
            return;
        }
        String stub = stubDriver.get();
        if (f.iommuGroup().isEmpty()) {
            if (!config.allowUnsafeAssignmentWithoutIommu()) {
                throw new NoIommuException(operation, f.address(), null,
                        sysfs.describe(TopologyScanner.dev(f.address()) + "/iommu_group"),
                        "the host has no IOMMU (no iommu_group): a guest could read and write all host memory "
                                + "through this device; enable the IOMMU (intel_iommu=on / amd_iommu=on), or, if you "
                                + "accept that, use --allow-unsafe-no-iommu (command line) or "
                                + "SriovConfig.Builder.allowUnsafeAssignmentWithoutIommu() (Java)");
            }
            LOG.log(System.Logger.Level.WARNING, "UNSAFE: {0} is handed out without an IOMMU", f.address());
            return;
        }
        int group = f.iommuGroup().getAsInt();
        List<PciAddress> members = groups.computeIfAbsent(group, g -> GroupViability.members(sysfs, g));
        Map<PciAddress, String> offenders = GroupViability.offenders(sysfs, members, f.address(), stub);
        if (!offenders.isEmpty()) {
            throw new GroupNotViableException(operation, f.address(), group, offenders, stub);
        }
    }

    /**
     * Moves {@code f} onto the stub driver: driver_override, unbind, drivers_probe, verify.
     *
     * @param f the function, as described just before
     * @return what it was on, for reattach
     */
    Original detach(PciFunction f) {
        String stub = stubDriver.get();
        PciAddress a = f.address();
        String d = TopologyScanner.dev(a);
        Original original = new Original(f.driver(), f.driverOverride());
        if (f.driver().filter(stub::equals).isPresent()) {
            return original; // already there
        }
        Rollback tx = new Rollback(DETACH, a);
        String step = "set driver_override to " + stub;
        try {
            write(DETACH, a, d + "/driver_override", stub);
            // The override must be restored before the host driver is bound again (an override naming the stub
            // makes the host driver's bind fail with ENODEV), so the rebind undo restores it first itself.
            boolean[] overrideRestored = {false};
            Rollback.Undo restoreOverride = () -> {
                if (!overrideRestored[0]) {
                    sysfs.write(d + "/driver_override", original.driverOverride().orElse("\n"));
                    overrideRestored[0] = true;
                }
            };
            tx.done("restored driver_override", restoreOverride);
            if (f.driver().isPresent()) {
                String host = f.driver().get();
                step = "unbind from " + host;
                write(DETACH, a, "bus/pci/drivers/" + host + "/unbind", a.toString());
                tx.done("rebound " + host, () -> {
                    restoreOverride.run();
                    sysfs.write("bus/pci/drivers/" + host + "/bind", a.toString());
                });
            }
            step = "probe " + stub;
            write(DETACH, a, "bus/pci/drivers_probe", a.toString());
            Optional<String> now = scanner.driverOf(a);
            if (now.isPresent() && !now.get().equals(stub)) {
                String other = now.get();
                tx.done("unbound " + other, () -> sysfs.write("bus/pci/drivers/" + other + "/unbind", a.toString()));
            }
            if (now.filter(stub::equals).isEmpty()) {
                step = "verify the driver link";
                throw new SriovException(DETACH, a, Errno.ENODEV, sysfs.describe(d + "/driver"),
                        now.map(x -> "it bound to " + x + " instead of " + stub)
                                .orElse("nothing bound (drivers_probe reports success even then): is " + stub
                                        + " loaded? (modprobe " + stub.replace('-', '_') + ")"), null);
            }
        } catch (RuntimeException e) {
            throw tx.fail(e, step);
        }
        return original;
    }

    /**
     * Gives {@code f} back: reset (when on a stub other than vfio-pci, which resets it itself), unbind from the
     * stub, restore driver_override, bind the original driver (none if it had none), verify.
     *
     * @param f the function
     * @param original what to restore
     */
    void reattach(PciAddress f, Original original) {
        reattach(f, scanner.driverOf(f), null, original);
    }

    /**
     * {@link #reattach(PciAddress, Original)} from a known state.
     *
     * @param now the function's driver now
     * @param override its {@code driver_override} now; null: read it
     */
    private void reattach(PciAddress f, Optional<String> now, @org.jspecify.annotations.Nullable
            Optional<String> override, Original original) {
        String stub = stubDriver.get();
        String d = TopologyScanner.dev(f);
        if (now.equals(original.driver())) {
            restoreOverride(f, override, original);
            return;
        }
        if (now.isPresent()) {
            // vfio-pci resets the function itself when its last user closes it (and again when the next one opens
            // it): a reset here would only repeat that, at ~0.1 s a function (docs/kernel-facts.md, "Who resets
            // a function on its way back"). Other stubs (pci-stub) do not, so the function is reset here.
            if (now.get().equals(stub) && !stub.equals(VFIO_PCI) && sysfs.exists(d + "/reset")) {
                try {
                    sysfs.write(d + "/reset", "1");
                } catch (SysfsIoException e) {
                    LOG.log(System.Logger.Level.WARNING, "reset of {0} failed: {1}", f, e.getMessage());
                }
            }
            write(REATTACH, f, "bus/pci/drivers/" + now.get() + "/unbind", f.toString());
        }
        restoreOverride(f, override, original);
        if (original.driver().isPresent()) {
            String host = original.driver().get();
            if (!SysfsNames.isDriverName(host)) {
                throw new SriovException(REATTACH, f, Errno.EINVAL, null, "its recorded original driver \""
                        + host + "\" is not a driver name; the function is unbound", null);
            }
            try {
                sysfs.write("bus/pci/drivers/" + host + "/bind", f.toString());
            } catch (SysfsIoException e) {
                // told apart only when the write fails: one operation fewer a reattach
                if (!sysfs.exists("bus/pci/drivers/" + host)) {
                    throw new SriovException(REATTACH, f, Errno.ENOENT, sysfs.describe("bus/pci/drivers/" + host),
                            "its original driver " + host + " is not loaded (modprobe it, then reattach again); the "
                                    + "function is unbound", null);
                }
                throw refused(REATTACH, f, "bus/pci/drivers/" + host + "/bind", f.toString(), e);
            }
            Optional<String> after = scanner.driverOf(f);
            if (!after.equals(original.driver())) {
                throw new SriovException(REATTACH, f, Errno.ENODEV, sysfs.describe(d + "/driver"),
                        "bound to " + after.orElse("nothing") + " instead of " + host, null);
            }
        }
    }

    private void restoreOverride(PciAddress f, @org.jspecify.annotations.Nullable Optional<String> known,
            Original original) {
        String path = TopologyScanner.dev(f) + "/driver_override";
        Optional<String> current = known != null ? known : new Attributes(sysfs).driverOverride(path);
        if (!current.equals(original.driverOverride())) {
            write(REATTACH, f, path, original.driverOverride().orElse("\n"));
        }
    }

    private void write(String operation, PciAddress f, String path, String value) {
        Objects.requireNonNull(value);
        try {
            sysfs.write(path, value);
        } catch (SysfsIoException e) {
            throw refused(operation, f, path, value, e);
        }
    }

    private SriovException refused(String operation, PciAddress f, String path, String value, SysfsIoException e) {
        return new SriovException(operation, f, e.errno().orElse(null), sysfs.describe(path),
                "writing '" + value.replace("\n", "\\n") + "' was refused"
                        + (e.detail().isEmpty() ? "" : ": " + e.detail()), e);
    }
}
