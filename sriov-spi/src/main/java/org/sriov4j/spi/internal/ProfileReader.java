package org.sriov4j.spi.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Supplier;
import org.sriov4j.Errno;
import org.sriov4j.FunctionKind;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PciId;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.VfNetConfig;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.DeviceProfile.Bar;
import org.sriov4j.migration.DeviceProfile.BarType;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.VendorContext;
import org.sriov4j.spi.VendorPlugin;

/**
 * Reads the {@link DeviceProfile} of a VF (docs/device-profile.md says where each field comes from). What cannot be
 * read is unknown: a missing attribute, a {@code config} cut short (read without root, the kernel gives 64 bytes), a
 * PF without a netdev, an ethtool request the kernel refuses. Malformed content is an error, never a default.
 * One reader per profile or check: it remembers what it learned about each PF.
 */
final class ProfileReader {
    private static final System.Logger LOG = System.getLogger(ProfileReader.class.getName());

    /** IORESOURCE_IO, IORESOURCE_MEM, IORESOURCE_PREFETCH, IORESOURCE_MEM_64 (include/linux/ioport.h). */
    static final long IORESOURCE_IO = 0x100;
    static final long IORESOURCE_MEM = 0x200;
    static final long IORESOURCE_PREFETCH = 0x2000;
    static final long IORESOURCE_MEM_64 = 0x100000;
    /** PCI_CAP_ID_MSIX, PCI_STATUS_CAP_LIST, PCI_CAPABILITY_LIST (include/uapi/linux/pci_regs.h). */
    static final int CAP_ID_MSIX = 0x11;
    static final int STATUS_CAP_LIST = 0x10;
    static final int CAPABILITY_LIST = 0x34;

    private final SysfsAccess sysfs;
    private final TopologyScanner scanner;
    private final VendorPlugins plugins;
    private final Supplier<Ethtool> ethtool;
    private final Supplier<Optional<String>> backend;
    private final Supplier<Optional<String>> iommuInterface;
    private final Function<PciAddress, Optional<VfNetConfig>> net;
    private final Attributes attrs;
    private final Map<PciAddress, DeviceProfile.Pf> pfs = new HashMap<>();

    ProfileReader(SysfsAccess sysfs, TopologyScanner scanner, VendorPlugins plugins, Supplier<Ethtool> ethtool,
            Supplier<Optional<String>> backend, Supplier<Optional<String>> iommuInterface) {
        this(sysfs, scanner, plugins, ethtool, backend, iommuInterface, vf -> Optional.empty());
    }

    /**
     * A reader.
     *
     * @param net a VF's network settings as its PF reports them; empty when they cannot be read
     */
    ProfileReader(SysfsAccess sysfs, TopologyScanner scanner, VendorPlugins plugins, Supplier<Ethtool> ethtool,
            Supplier<Optional<String>> backend, Supplier<Optional<String>> iommuInterface,
            Function<PciAddress, Optional<VfNetConfig>> net) {
        this.net = net;
        this.sysfs = sysfs;
        this.scanner = scanner;
        this.plugins = plugins;
        this.ethtool = ethtool;
        this.backend = backend;
        this.iommuInterface = iommuInterface;
        this.attrs = new Attributes(sysfs);
    }

    /**
     * The profile of a VF.
     *
     * @param address the VF
     * @return its profile
     * @throws SriovException ENODEV if it is not a VF; sysfs errors
     */
    DeviceProfile read(PciAddress address) {
        String d = TopologyScanner.dev(address);
        if (!sysfs.exists(d)) {
            throw new org.sriov4j.DeviceNotFoundException("profile", address, "no such PCI function");
        }
        PciFunction f = scanner.function(address);
        if (f.kind() != FunctionKind.VF) {
            throw new SriovException("profile", address, Errno.ENODEV, null, "not a virtual function (no physfn)",
                    null);
        }
        PciAddress pfAddress = linkedAddress(d + "/physfn");
        PhysicalFunction pf = scanner.physicalFunction(pfAddress);
        VendorPlugin plugin = plugins.forPf("profile", pf.function());
        Optional<String> vfDriver = plugin.vfDriver(pf.function());
        if (vfDriver.isEmpty()) {
            vfDriver = f.driver().filter(drv -> !isStub(drv));
        }
        Map<String, String> vendor = plugin.profileFields(new VendorContext(sysfs, pfAddress), address);
        return new DeviceProfile(address, f.iommuGroup(), f.numaNode(), backend.get(), iommuInterface.get(), f.id(),
                subsystem(d), optionalHex(d + "/revision", 2), f.classCode(), vfDriver, bars(d), msix(d),
                pfs.computeIfAbsent(pfAddress, a -> pf(pf.function())), net.apply(address), Optional.empty(), vendor);
    }

    /**
     * Reads VF network settings for profiles through the engine's routing netlink, when that netlink describes the
     * sysfs tree read ({@code ownTree}: the real {@code /sys} with the kernel's netlink, or a simulated kernel with
     * its own): a captured tree's netdevs are not this host's, so their settings are unknown. A VF whose PF has no
     * netdev, or whose settings the kernel does not report, has unknown settings too.
     *
     * @param identity the engine's VF network settings
     * @param ownTree whether the netlink describes the tree read
     * @return the reader
     */
    static Function<PciAddress, Optional<VfNetConfig>> netReader(VfNetIdentity identity, boolean ownTree) {
        if (!ownTree) {
            return vf -> Optional.empty();
        }
        return vf -> {
            try {
                return Optional.of(identity.read(vf).config());
            } catch (RuntimeException e) { // no netdev, no VF info, netlink refused: unknown, not guessed
                LOG.log(System.Logger.Level.DEBUG, "{0}: network settings unknown: {1}", vf, e.getMessage());
                return Optional.empty();
            }
        };
    }

    static boolean isStub(String driver) {
        return driver.equals("vfio-pci") || driver.equals("pciback") || driver.equals("pci-stub");
    }

    private PciAddress linkedAddress(String path) {
        String name = sysfs.linkName(path).orElseThrow(() -> new SysfsIoException("readlink", sysfs.describe(path),
                Errno.ENOENT, "no such link", null));
        try {
            return PciAddress.parse(name);
        } catch (IllegalArgumentException e) {
            throw new MalformedAttributeException(sysfs.describe(path), name, "a link to a PCI function");
        }
    }

    private Optional<PciId> subsystem(String d) {
        OptionalInt v = optionalHex(d + "/subsystem_vendor", 4);
        OptionalInt dev = optionalHex(d + "/subsystem_device", 4);
        return v.isPresent() && dev.isPresent() ? Optional.of(new PciId(v.getAsInt(), dev.getAsInt()))
                : Optional.empty();
    }

    private OptionalInt optionalHex(String path, int digits) {
        if (!sysfs.exists(path)) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(attrs.hex(path, digits));
    }

    /** The VF's BARs from {@code resource}: one line per resource, "start end flags" in hex; lines 0-5 BARs, 6 ROM. */
    private Optional<List<Bar>> bars(String d) {
        String path = d + "/resource";
        String raw;
        try {
            raw = sysfs.read(path);
        } catch (SysfsIoException e) {
            if (e.isNotFound() || e.errno().orElse(null) == Errno.EACCES) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(parseResource(sysfs.describe(path), raw));
    }

    static List<Bar> parseResource(String path, String raw) {
        List<Bar> bars = new ArrayList<>();
        String[] lines = raw.split("\n");
        for (int i = 0; i < Math.min(7, lines.length); i++) {
            String[] cols = lines[i].trim().split(" +");
            if (cols.length != 3) {
                throw new MalformedAttributeException(path, raw, "lines of three hex numbers (start end flags)");
            }
            long start;
            long end;
            long flags;
            try {
                start = Long.parseUnsignedLong(strip0x(path, raw, cols[0]), 16);
                end = Long.parseUnsignedLong(strip0x(path, raw, cols[1]), 16);
                flags = Long.parseUnsignedLong(strip0x(path, raw, cols[2]), 16);
            } catch (NumberFormatException e) {
                throw new MalformedAttributeException(path, raw, "lines of three hex numbers (start end flags)");
            }
            if (flags == 0 || Long.compareUnsigned(end, start) <= 0) {
                continue;
            }
            long size = end - start + 1;
            if (Long.bitCount(size) != 1) {
                throw new MalformedAttributeException(path, raw, "BAR sizes that are powers of two");
            }
            BarType type = (flags & IORESOURCE_IO) != 0 ? BarType.IO
                    : (flags & IORESOURCE_MEM_64) != 0 ? BarType.MEM64 : BarType.MEM32;
            if ((flags & (IORESOURCE_IO | IORESOURCE_MEM)) == 0) {
                continue;
            }
            bars.add(new Bar(i, size, type, (flags & IORESOURCE_PREFETCH) != 0));
        }
        return bars;
    }

    private static String strip0x(String path, String raw, String s) {
        if (!s.startsWith("0x")) {
            throw new MalformedAttributeException(path, raw, "hex numbers with 0x");
        }
        return s.substring(2);
    }

    /** The MSI-X table size from the capability list of {@code config}; unknown when it cannot be walked. */
    private OptionalInt msix(String d) {
        String path = d + "/config";
        String raw;
        try {
            raw = sysfs.read(path);
        } catch (SysfsIoException e) {
            if (e.isNotFound() || e.errno().orElse(null) == Errno.EACCES) {
                return OptionalInt.empty();
            }
            throw e;
        }
        return msixFromConfig(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Walks the capability list (pci_find_capability): unknown when the bytes end before the list does (an
     * unprivileged read gets only the first 64 bytes), 0 without MSI-X.
     */
    static OptionalInt msixFromConfig(byte[] config) {
        if (config.length < 64) {
            return OptionalInt.empty();
        }
        int status = (config[6] & 0xff) | (config[7] & 0xff) << 8;
        if ((status & STATUS_CAP_LIST) == 0) {
            return OptionalInt.of(0);
        }
        int pos = config[CAPABILITY_LIST] & 0xfc;
        for (int ttl = 48; ttl > 0 && pos >= 0x40; ttl--) {
            if (pos + 4 > config.length) {
                return OptionalInt.empty();
            }
            int id = config[pos] & 0xff;
            if (id == 0xff) {
                break;
            }
            if (id == CAP_ID_MSIX) {
                int control = (config[pos + 2] & 0xff) | (config[pos + 3] & 0xff) << 8;
                return OptionalInt.of((control & 0x7ff) + 1);
            }
            pos = config[pos + 1] & 0xfc;
        }
        return OptionalInt.of(0);
    }

    private DeviceProfile.Pf pf(PciFunction pf) {
        Optional<String> version = Optional.empty();
        Optional<String> firmware = Optional.empty();
        Optional<DriverOrigin> origin = Optional.empty();
        if (pf.driver().isPresent()) {
            String driver = pf.driver().get();
            Optional<String> module = sysfs.linkName("bus/pci/drivers/" + driver + "/module");
            if (module.isPresent() && sysfs.exists("module/" + module.get() + "/taint")) {
                origin = Optional.of(Attributes.chomp(sysfs.read("module/" + module.get() + "/taint")).indexOf('O') >= 0
                        ? DriverOrigin.OUT_OF_TREE : DriverOrigin.IN_TREE);
            }
            for (String netdev : pf.netdevs()) {
                try {
                    Ethtool.DriverInfo info = ethtool.get().driverInfo(netdev);
                    if (!info.driver().equals(driver)) {
                        LOG.log(System.Logger.Level.DEBUG, "{0}: ethtool on {1} names driver {2}, sysfs {3}",
                                pf.address(), netdev, info.driver(), driver);
                        continue;
                    }
                    version = nonBlank(info.version());
                    firmware = nonBlank(info.firmwareVersion()).filter(s -> !s.equals("N/A"));
                    break;
                } catch (SriovException | UnsatisfiedLinkError | NoClassDefFoundError e) {
                    LOG.log(System.Logger.Level.DEBUG, "{0}: ETHTOOL_GDRVINFO on {1} failed: {2}", pf.address(),
                            netdev, e.toString());
                }
            }
            if (version.isEmpty() && module.isPresent() && sysfs.exists("module/" + module.get() + "/version")) {
                version = nonBlank(Attributes.chomp(sysfs.read("module/" + module.get() + "/version")));
            }
        }
        return new DeviceProfile.Pf(pf.address(), pf.id(), pf.driver(), version, origin, firmware);
    }

    private static Optional<String> nonBlank(String s) {
        String t = s.strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
    }
}
