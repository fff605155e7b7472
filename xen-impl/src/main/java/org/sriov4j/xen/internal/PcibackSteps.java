package org.sriov4j.xen.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sriov4j.Errno;
import org.sriov4j.NoIommuException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.AssignmentSteps;
import org.sriov4j.spi.Rollback;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.SysfsNames;
import org.sriov4j.xen.XenToolstackException;

/**
 * Assignable / not assignable, the way libxl does it (docs/xen.md): {@code driver_override} set to {@code pciback}
 * for the bind only (pciback accepts its own name, and a VF of a PF with {@code sriov_drivers_autoprobe} 0 cannot be
 * bound without an override; the original is put back right after, so that {@code xl pci-assignable-remove -r} can
 * bind the host driver again), unbind from the host driver, {@code new_slot} (only when the BDF is not in {@code slots} yet),
 * {@code bind} to pciback, {@code xl pci-assignable-add} (which on a device already on pciback only quarantines it,
 * as it does its own), and the original driver recorded in
 * xenstore at {@code /libxl/pci/DDDD-BB-DD-F/driver_path} so that {@code xl pci-assignable-list} shows the device
 * and {@code xl pci-assignable-remove -r} gives it back. The reverse: {@code xl pci-assignable-remove} (without
 * {@code -r}: it takes the device out of Xen's quarantine, where {@code xl pci-detach} leaves it) and, whatever it did
 * not do, unbind from pciback, {@code remove_slot},
 * {@code driver_override} restored, the original driver bound, the xenstore record removed. Guests: {@code xl
 * pci-attach} and {@code pci-detach}, refused when Xen reports no IOMMU ({@code pv_directio} missing from
 * {@code xl info}) unless {@link SriovConfig#allowUnsafeAssignmentWithoutIommu()}.
 */
final class PcibackSteps implements AssignmentSteps {

    static final String STUB = "pciback";
    static final String DRIVERS = "bus/pci/drivers/";
    static final String PCIBACK = DRIVERS + STUB + "/";
    private static final System.Logger LOG = System.getLogger(PcibackSteps.class.getName());

    private final SriovConfig config;
    private final SysfsAccess sysfs;
    private final XenToolstack xl;

    PcibackSteps(SriovConfig config, SysfsAccess sysfs, XenToolstack xl) {
        this.config = config;
        this.sysfs = sysfs;
        this.xl = xl;
    }

    private static String dev(PciAddress f) {
        return "bus/pci/devices/" + f;
    }

    @Override
    public void checkAssignable(String operation, PciFunction f) {
        checkIommu(operation, f.address());
    }

    private void checkIommu(String operation, PciAddress f) {
        if (xl.virtCaps().contains("pv_directio")) {
            return;
        }
        if (!config.allowUnsafeAssignmentWithoutIommu()) {
            throw new NoIommuException(operation, f, Errno.ENODEV, null, "Xen reports no IOMMU (pv_directio is "
                    + "missing from the virt_caps of xl info): a guest could read and write all host memory through "
                    + "this device; enable VT-d/AMD-Vi for Xen, or, if you accept that, use the CLI's "
                    + "--allow-unsafe-no-iommu (in Java: SriovConfig.builder().allowUnsafeAssignmentWithoutIommu())");
        }
        LOG.log(System.Logger.Level.WARNING, "UNSAFE: {0} is handed out although Xen reports no IOMMU", f);
    }

    private boolean inSlots(PciAddress f) {
        if (!sysfs.exists(PCIBACK + "slots")) {
            return false;
        }
        return XlToolstack.addresses(sysfs.read(PCIBACK + "slots")).contains(f);
    }

    private Optional<String> driverOf(PciAddress f) {
        return SysfsNames.linkedDriver(sysfs, dev(f) + "/driver");
    }

    private Optional<String> override(PciAddress f) {
        if (!sysfs.exists(dev(f) + "/driver_override")) {
            return Optional.empty();
        }
        String v = sysfs.read(dev(f) + "/driver_override").strip();
        return v.isEmpty() || v.equals("(null)") ? Optional.empty() : Optional.of(v);
    }

    /**
     * Undoes the completed steps of a failed detach (the engine's one rollback mechanism) and keeps the toolstack's
     * kind of a libxl refusal.
     */
    private static SriovException rollback(Rollback undo, PciAddress f, String step, SriovException cause) {
        if (cause instanceof XenToolstackException x) {
            RollbackOutcome outcome = undo.undoAll();
            return new XenToolstackException(x.kind(), "detach", f, Rollback.detail(step, cause, "detach", f,
                    outcome), cause, outcome);
        }
        return undo.fail(cause, step);
    }

    @Override
    public Map<String, String> detach(PciFunction fn) {
        PciAddress f = fn.address();
        if (!sysfs.exists(DRIVERS + STUB)) {
            throw new SriovException("detach", f, Errno.ENOENT, sysfs.describe(DRIVERS + STUB),
                    "the pciback driver is not loaded (modprobe xen-pciback)", null);
        }
        Optional<String> host = fn.driver();
        Optional<String> override = override(f);
        Rollback undo = new Rollback("detach", f);
        String step = "start";
        try {
            if (override.filter(STUB::equals).isEmpty()) {
                // an override naming another driver makes pciback's bind fail with ENODEV, and so does a VF whose
                // PF has sriov_drivers_autoprobe 0 unless it has an override: pciback accepts its own name
                step = "set driver_override to pciback";
                sysfs.write(dev(f) + "/driver_override", STUB);
                undo.done("restored driver_override", () -> sysfs.write(dev(f) + "/driver_override",
                        override.orElse("\n")));
            }
            if (host.isPresent()) {
                step = "unbind from " + host.get();
                sysfs.write(DRIVERS + host.get() + "/unbind", f.toString());
                undo.done("rebound " + host.get(), () -> sysfs.write(DRIVERS + host.get() + "/bind", f.toString()));
            }
            if (!inSlots(f)) {
                step = "new_slot";
                sysfs.write(PCIBACK + "new_slot", f.toString());
                undo.done("removed the slot", () -> {
                    if (inSlots(f)) {
                        sysfs.write(PCIBACK + "remove_slot", f.toString());
                    }
                });
            }
            step = "bind to pciback";
            sysfs.write(PCIBACK + "bind", f.toString());
            undo.done("unbound pciback", () -> {
                if (driverOf(f).filter(STUB::equals).isPresent()) {
                    sysfs.write(PCIBACK + "unbind", f.toString());
                }
            });
            step = "verify the driver link";
            Optional<String> now = driverOf(f);
            if (now.filter(STUB::equals).isEmpty()) {
                throw new SriovException("detach", f, Errno.ENODEV, sysfs.describe(dev(f) + "/driver"),
                        "bound to " + now.orElse("nothing") + " instead of pciback", null);
            }
            if (override.filter(STUB::equals).isEmpty()) {
                // the override matters only when a driver probes: put the original back at once, so that an
                // operator's xl pci-assignable-remove -r can bind the host driver again
                step = "restore driver_override";
                sysfs.write(dev(f) + "/driver_override", override.orElse("\n"));
            }
            if (host.isPresent()) {
                step = "record the original driver in xenstore";
                xl.xenstoreWrite(XenToolstack.driverPathKey(f), "/sys/" + DRIVERS + host.get());
                undo.done("removed the xenstore record", () -> xl.xenstoreRm(XenToolstack.recordDir(f)));
            }
            // xl pci-assignable-add on a device already on pciback only quarantines it (assigns it to dom_io), as
            // it does for the devices it makes assignable itself; xl pci-assignable-remove needs that
            step = "quarantine (xl pci-assignable-add)";
            try {
                xl.assignableAdd(f);
                undo.done("released from quarantine", () -> xl.assignableRemove(f, false));
            } catch (XenToolstackException e) {
                if (e.kind() != XenToolstackException.Kind.NO_IOMMU || !config.allowUnsafeAssignmentWithoutIommu()) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "UNSAFE: {0} is not quarantined: Xen has no IOMMU", f);
            }
        } catch (SriovException e) {
            throw rollback(undo, f, step, e);
        }
        return host.isPresent() ? Map.of("xen.driver_path", "/sys/" + DRIVERS + host.get()) : Map.of();
    }

    @Override
    public Optional<String> originalDriverOf(PciFunction f) {
        return recordedDriver(f.address());
    }

    /**
     * The driver libxl recorded in xenstore for a function (the last component of its {@code driver_path}).
     *
     * @throws SriovException {@code EINVAL} if the record does not name a driver: it would become a sysfs path
     */
    private Optional<String> recordedDriver(PciAddress f) {
        String key = XenToolstack.driverPathKey(f);
        Optional<String> name = xl.xenstoreRead(key).map(PcibackSteps::lastComponent).filter(s -> !s.isEmpty());
        if (name.isPresent() && !SysfsNames.isDriverName(name.get())) {
            throw new SriovException("read the original driver", f, Errno.EINVAL, null, "xenstore " + key
                    + " does not name a driver (" + SysfsNames.quote(name.get()) + "); not used", null);
        }
        return name;
    }

    private static String lastComponent(String path) {
        String p = path.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    @Override
    public void reattach(PciAddress f, Optional<String> originalDriver, Optional<String> originalDriverOverride,
            Map<String, String> extras) {
        Optional<String> original = originalDriver.filter(d -> !d.equals(STUB));
        if (original.isEmpty()) {
            // not recorded by us (or recorded as found on pciback): what libxl recorded, if anything
            original = recordedDriver(f).filter(s -> !s.equals(STUB));
        }
        Optional<String> now = driverOf(f);
        if (now.filter(STUB::equals).isPresent()) {
            // libxl first: after xl pci-detach, Xen keeps the device quarantined (dom_io) and only libxl's
            // pci-assignable-remove gives it back to dom0 (then unbinds pciback and removes the slot); a device
            // that was never quarantined makes libxl fail before it changes anything, and sysfs does the rest
            try {
                xl.assignableRemove(f, false);
            } catch (SriovException e) {
                LOG.log(System.Logger.Level.DEBUG, "xl pci-assignable-remove {0}: {1}; giving it back through sysfs",
                        f, e.getMessage());
            }
            now = driverOf(f);
        }
        try {
            if (now.isPresent() && !now.equals(original)) {
                sysfs.write(DRIVERS + now.get() + "/unbind", f.toString());
            }
            if (inSlots(f)) {
                sysfs.write(PCIBACK + "remove_slot", f.toString());
            }
            if (!override(f).equals(originalDriverOverride)) {
                sysfs.write(dev(f) + "/driver_override", originalDriverOverride.orElse("\n"));
            }
            if (original.isPresent() && !driverOf(f).equals(original)) {
                String host = original.get();
                if (!sysfs.exists(DRIVERS + host)) {
                    throw new SriovException("reattach", f, Errno.ENOENT, sysfs.describe(DRIVERS + host),
                            "its original driver " + host + " is not loaded (modprobe it, then reattach again); "
                                    + "the function is unbound", null);
                }
                sysfs.write(DRIVERS + host + "/bind", f.toString());
                Optional<String> after = driverOf(f);
                if (!after.equals(original)) {
                    throw new SriovException("reattach", f, Errno.ENODEV, sysfs.describe(dev(f) + "/driver"),
                            "bound to " + after.orElse("nothing") + " instead of " + host, null);
                }
            }
        } catch (SysfsIoException e) {
            throw new SriovException("reattach", f, e.errno().orElse(null), e.path().orElse(null),
                    "giving it back to " + original.orElse("no driver") + " failed: " + e.getMessage(), e);
        }
        xl.xenstoreRm(XenToolstack.recordDir(f));
    }

    @Override
    public void attachToGuest(PciAddress f, String guest) {
        XlToolstack.domain(guest);
        checkIommu("attach to guest", f);
        List<String> options = List.of();
        if (config.xenPermissive()) {
            LOG.log(System.Logger.Level.WARNING, "PERMISSIVE: {0} is attached to {1} with permissive=1: the guest "
                    + "may write any of its PCI configuration space", f, guest);
            options = List.of("permissive=1");
        }
        xl.pciAttach(guest, f, options);
    }

    @Override
    public void detachFromGuest(PciAddress f, String guest) {
        if (!xl.pciList(guest).contains(f)) {
            return; // gone already (the guest rebooted, or an operator detached it)
        }
        xl.pciDetach(guest, f);
    }

    @Override
    public boolean guestExists(String guest) {
        return xl.domainExists(guest);
    }
}
