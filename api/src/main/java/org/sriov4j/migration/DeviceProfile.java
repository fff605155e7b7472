package org.sriov4j.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;
import org.sriov4j.VfNetConfig;

/**
 * A host-independent description of a VF as a guest sees it, made on the source host
 * ({@link MigrationHost#profile(PciAddress)}) and checked on a destination
 * ({@link MigrationHost#checkDestination(DeviceProfile, DestinationOptions)}). Its JSON form
 * ({@link #toJson()}, {@link #fromJson(String)}) is the transfer format; {@code docs/device-profile.md} documents it.
 *
 * <p>Every field a host may be unable to know is optional: empty means <em>unknown</em> (e.g. BAR sizes on a
 * captured sysfs tree without {@code resource} files, the firmware version of a PF without a netdev, the VFIO
 * migration capability while the device is not open), never a guess. Where "none" is a real answer it is a value:
 * {@link Pf#driver()} empty means no driver is bound (sysfs always says), {@link VfioMigration#unsupported()} that the
 * device has no migration driver.
 *
 * @param address the VF on the source host (informational: ignored by the check)
 * @param iommuGroup its IOMMU group on the source host (ignored); empty: no IOMMU or unknown
 * @param numaNode its NUMA node (ignored unless the check pins it); empty: unknown
 * @param backend the source host's backend id ({@code kvm-vfio}, {@code xen-pciback}); empty: unknown
 * @param iommuInterface how the source host maps guest memory for it ({@value #IOMMU_TYPE1},
 *     {@value #IOMMU_IOMMUFD}, {@value #IOMMU_HYPERVISOR}); empty: unknown
 * @param id the VF's vendor and device id
 * @param subsystem its subsystem vendor and device id; empty: unknown
 * @param revision its revision id; empty: unknown
 * @param classCode its 24-bit class code
 * @param vfDriver the host driver family of the VF, as its PF's vendor plugin names it (e.g. {@code igbvf});
 *     empty: unknown
 * @param bars its memory and I/O BARs (only those the device has, by index); empty: unknown
 * @param msixVectors its MSI-X table size; empty: unknown ({@code 0}: no MSI-X capability)
 * @param pf what the VF's PF is
 * @param net the VF's network settings as its PF reported them ({@link org.sriov4j.SriovHost#vfNetConfig}), carried
 *     over to the destination; empty: unknown (the PF has no netdev, its driver reports no VF settings, or the host
 *     reads a sysfs tree that is not its own). A setting the value does not have is unknown; "none" is a value of the
 *     setting ({@link org.sriov4j.MacAddress#ZERO}: no administrative MAC, {@link VfNetConfig.Vlan#NONE}: no VLAN, a
 *     rate of 0: no limit)
 * @param vfioMigration what VFIO migration v2 the device offers; empty: unknown (known while the device is open)
 * @param vendorFields fields a vendor plugin adds ({@code vendor.NAME} in the check), sorted by name
 */
public record DeviceProfile(PciAddress address, OptionalInt iommuGroup, OptionalInt numaNode,
        Optional<String> backend, Optional<String> iommuInterface, PciId id, Optional<PciId> subsystem,
        OptionalInt revision, int classCode, Optional<String> vfDriver, Optional<List<Bar>> bars,
        OptionalInt msixVectors, Pf pf, Optional<VfNetConfig> net, Optional<VfioMigration> vfioMigration,
        Map<String, String> vendorFields) {

    /** The schema version this library writes and reads: {@value}. */
    public static final int SCHEMA_VERSION = 1;
    /** The value of the document's {@code kind} member: {@value}. */
    public static final String KIND = "sriov4j-device-profile";
    /** IOMMU interface: VFIO's type1 container ({@code /dev/vfio/vfio}). */
    public static final String IOMMU_TYPE1 = "vfio-type1";
    /** IOMMU interface: iommufd ({@code /dev/iommu}). */
    public static final String IOMMU_IOMMUFD = "iommufd";
    /** IOMMU interface: the hypervisor owns the IOMMU (Xen). */
    public static final String IOMMU_HYPERVISOR = "hypervisor";

    private static final Pattern VENDOR_KEY = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]{0,63}");

    /**
     * Checks the fields and copies the collections.
     *
     * @param address the VF on the source host
     * @param iommuGroup its IOMMU group
     * @param numaNode its NUMA node
     * @param backend the backend id
     * @param iommuInterface the IOMMU interface
     * @param id vendor and device id
     * @param subsystem subsystem ids
     * @param revision revision id
     * @param classCode class code
     * @param vfDriver VF driver family
     * @param bars BARs
     * @param msixVectors MSI-X table size
     * @param pf the PF
     * @param net network settings
     * @param vfioMigration VFIO migration capability
     * @param vendorFields vendor fields
     * @throws NullPointerException if a field is null
     * @throws IllegalArgumentException if a value is out of range, two BARs share an index, or a vendor field name
     *     is not {@code [a-zA-Z][a-zA-Z0-9_.-]*} (at most 64 characters)
     */
    public DeviceProfile {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(iommuGroup, "iommuGroup");
        Objects.requireNonNull(numaNode, "numaNode");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(iommuInterface, "iommuInterface");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subsystem, "subsystem");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(vfDriver, "vfDriver");
        Objects.requireNonNull(msixVectors, "msixVectors");
        Objects.requireNonNull(pf, "pf");
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(vfioMigration, "vfioMigration");
        if (classCode < 0 || classCode > 0xffffff) {
            throw new IllegalArgumentException("class code must be 24-bit: " + classCode);
        }
        if (revision.isPresent() && (revision.getAsInt() < 0 || revision.getAsInt() > 0xff)) {
            throw new IllegalArgumentException("revision must be 0..0xff: " + revision.getAsInt());
        }
        if (msixVectors.isPresent() && (msixVectors.getAsInt() < 0 || msixVectors.getAsInt() > 2048)) {
            throw new IllegalArgumentException("MSI-X vectors must be 0..2048: " + msixVectors.getAsInt());
        }
        if (iommuGroup.isPresent() && iommuGroup.getAsInt() < 0 || numaNode.isPresent() && numaNode.getAsInt() < 0) {
            throw new IllegalArgumentException("negative IOMMU group or NUMA node");
        }
        bars = bars.map(List::copyOf);
        bars.ifPresent(list -> {
            for (int i = 1; i < list.size(); i++) {
                if (list.get(i).index() <= list.get(i - 1).index()) {
                    throw new IllegalArgumentException("BARs must be sorted by index, each once");
                }
            }
        });
        TreeMap<String, String> vf = new TreeMap<>();
        for (Map.Entry<String, String> e : vendorFields.entrySet()) {
            if (!VENDOR_KEY.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("vendor field name must be [a-zA-Z][a-zA-Z0-9_.-]* (<= 64): \""
                        + e.getKey() + "\"");
            }
            vf.put(e.getKey(), Objects.requireNonNull(e.getValue(), "vendor field value"));
        }
        vendorFields = java.util.Collections.unmodifiableMap(vf);
    }

    /**
     * What the VF's physical function is.
     *
     * @param address the PF on the source host (ignored by the check)
     * @param id its vendor and device id
     * @param driver its driver; empty: none bound
     * @param driverVersion the driver's version as ethtool reports it ({@code ETHTOOL_GDRVINFO}; in-tree drivers
     *     report the kernel release); empty: unknown
     * @param driverOrigin whether the driver module is in-tree or out-of-tree ({@code /sys/module/NAME/taint});
     *     empty: unknown
     * @param firmwareVersion the firmware version ethtool reports; empty: unknown
     */
    public record Pf(PciAddress address, PciId id, Optional<String> driver, Optional<String> driverVersion,
            Optional<DriverOrigin> driverOrigin, Optional<String> firmwareVersion) {

        /**
         * Checks the fields.
         *
         * @param address the PF
         * @param id its ids
         * @param driver its driver
         * @param driverVersion the driver's version
         * @param driverOrigin the driver's origin
         * @param firmwareVersion the firmware version
         * @throws NullPointerException if a field is null
         */
        public Pf {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(driver, "driver");
            Objects.requireNonNull(driverVersion, "driverVersion");
            Objects.requireNonNull(driverOrigin, "driverOrigin");
            Objects.requireNonNull(firmwareVersion, "firmwareVersion");
        }
    }

    /** Where a kernel driver module comes from. */
    public enum DriverOrigin {
        /** Built from the kernel's own tree (its {@code taint} has no {@code O}). */
        IN_TREE,
        /** An out-of-tree module ({@code O} in {@code /sys/module/NAME/taint}), e.g. a vendor's own release. */
        OUT_OF_TREE;

        /**
         * The JSON name.
         *
         * @return {@code in-tree} or {@code out-of-tree}
         */
        public String jsonName() {
            return this == IN_TREE ? "in-tree" : "out-of-tree";
        }
    }

    /** What kind of BAR. */
    public enum BarType {
        /** 32-bit memory. */
        MEM32,
        /** 64-bit memory. */
        MEM64,
        /** I/O ports. */
        IO;

        /**
         * The JSON name.
         *
         * @return {@code mem32}, {@code mem64} or {@code io}
         */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One BAR of the VF, as the guest sees it.
     *
     * @param index 0 to 5, or 6 for the expansion ROM
     * @param size its size in bytes (a power of two)
     * @param type memory (32 or 64 bit) or I/O
     * @param prefetchable whether it is prefetchable
     */
    public record Bar(int index, long size, BarType type, boolean prefetchable) {

        /**
         * Checks the fields.
         *
         * @param index 0 to 6
         * @param size at least 1
         * @param type the type
         * @param prefetchable prefetchable
         * @throws IllegalArgumentException if the index or size is out of range
         */
        public Bar {
            Objects.requireNonNull(type, "type");
            if (index < 0 || index > 6 || size <= 0) {
                throw new IllegalArgumentException("BAR index must be 0..6 and size positive: " + index + ", "
                        + size);
            }
        }

        /**
         * The compact form used in the check, e.g. {@code 0:16384:mem64:prefetchable}.
         *
         * @return the text
         */
        public String describe() {
            return index + ":" + size + ":" + type.jsonName() + (prefetchable ? ":prefetchable" : "");
        }
    }

    /**
     * What VFIO migration v2 ({@code VFIO_DEVICE_FEATURE_MIGRATION}) the device's driver offers.
     *
     * @param supported whether the device has a migration driver at all
     * @param stopCopy {@code VFIO_MIGRATION_STOP_COPY}: STOP, STOP_COPY and RESUMING
     * @param p2p {@code VFIO_MIGRATION_P2P}: RUNNING_P2P
     * @param preCopy {@code VFIO_MIGRATION_PRE_COPY}: PRE_COPY
     */
    public record VfioMigration(boolean supported, boolean stopCopy, boolean p2p, boolean preCopy) {

        /**
         * Checks that an unsupported capability has no flags.
         *
         * @param supported supported
         * @param stopCopy STOP_COPY
         * @param p2p P2P
         * @param preCopy PRE_COPY
         * @throws IllegalArgumentException if unsupported with a flag set
         */
        public VfioMigration {
            if (!supported && (stopCopy || p2p || preCopy)) {
                throw new IllegalArgumentException("an unsupported migration capability has no flags");
            }
        }

        /**
         * No migration driver.
         *
         * @return the capability
         */
        public static VfioMigration unsupported() {
            return new VfioMigration(false, false, false, false);
        }

        /**
         * From the kernel's {@code VFIO_MIGRATION_*} bits.
         *
         * @param flags STOP_COPY 1, P2P 2, PRE_COPY 4
         * @return the capability (supported)
         */
        public static VfioMigration ofFlags(long flags) {
            return new VfioMigration(true, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
        }

        /**
         * Whether the device's state can be transferred: supported with STOP_COPY.
         *
         * @return true if so
         */
        public boolean stateTransfer() {
            return supported && stopCopy;
        }

        /**
         * The flags by name.
         *
         * @return e.g. {@code [STOP_COPY, PRE_COPY]}
         */
        public List<String> flagNames() {
            List<String> l = new ArrayList<>();
            if (stopCopy) {
                l.add("STOP_COPY");
            }
            if (p2p) {
                l.add("P2P");
            }
            if (preCopy) {
                l.add("PRE_COPY");
            }
            return l;
        }
    }

    /**
     * This profile with the VFIO migration capability known (from the open device: the VMM's
     * {@code AssignedDevice.migration()}).
     *
     * @param migration the capability
     * @return the copy
     */
    public DeviceProfile withVfioMigration(VfioMigration migration) {
        return new DeviceProfile(address, iommuGroup, numaNode, backend, iommuInterface, id, subsystem, revision,
                classCode, vfDriver, bars, msixVectors, pf, net, Optional.of(migration), vendorFields);
    }

    /**
     * This profile with these network settings (e.g. a VMM that describes the settings its guest is defined with
     * rather than those the host reports).
     *
     * @param config the settings; a setting it does not have is unknown
     * @return the copy
     */
    public DeviceProfile withNet(VfNetConfig config) {
        return new DeviceProfile(address, iommuGroup, numaNode, backend, iommuInterface, id, subsystem, revision,
                classCode, vfDriver, bars, msixVectors, pf, Optional.of(config), vfioMigration, vendorFields);
    }

    /**
     * This profile with more vendor fields (added to, or replacing, those it has).
     *
     * @param fields the fields
     * @return the copy
     */
    public DeviceProfile withVendorFields(Map<String, String> fields) {
        Map<String, String> all = new TreeMap<>(vendorFields);
        all.putAll(fields);
        return new DeviceProfile(address, iommuGroup, numaNode, backend, iommuInterface, id, subsystem, revision,
                classCode, vfDriver, bars, msixVectors, pf, net, vfioMigration, all);
    }

    /**
     * Every field the destination check compares, by its dotted name (the names of {@link ProfileRules}), as text;
     * empty values are unknown. With {@link #net()} known, every network field appears ({@link #netFields}; those the
     * PF did not report are unknown); with it unknown, {@code net} alone stands for all of them.
     *
     * @return the fields, in schema order
     */
    public Map<String, Optional<String>> comparableFields() {
        Map<String, Optional<String>> m = new LinkedHashMap<>();
        m.put("source.address", Optional.of(address.toString()));
        m.put("source.iommuGroup", text(iommuGroup));
        m.put("source.numaNode", text(numaNode));
        m.put("source.backend", backend);
        m.put("source.iommuInterface", iommuInterface);
        m.put("device.vendorId", Optional.of(id.vendorHex()));
        m.put("device.deviceId", Optional.of(id.deviceHex()));
        m.put("device.subsystemVendorId", subsystem.map(PciId::vendorHex));
        m.put("device.subsystemDeviceId", subsystem.map(PciId::deviceHex));
        m.put("device.revision", revision.isPresent() ? Optional.of(String.format("%02x", revision.getAsInt()))
                : Optional.empty());
        m.put("device.classCode", Optional.of(String.format("%06x", classCode)));
        m.put("device.vfDriver", vfDriver);
        m.put("device.bars", bars.map(l -> l.isEmpty() ? "none"
                : String.join(" ", l.stream().map(Bar::describe).toList())));
        m.put("device.msixVectors", text(msixVectors));
        m.put("pf.address", Optional.of(pf.address().toString()));
        m.put("pf.vendorId", Optional.of(pf.id().vendorHex()));
        m.put("pf.deviceId", Optional.of(pf.id().deviceHex()));
        m.put("pf.driver", Optional.of(pf.driver().orElse("none")));
        m.put("pf.driverVersion", pf.driverVersion());
        m.put("pf.driverOrigin", pf.driverOrigin().map(DriverOrigin::jsonName));
        m.put("pf.firmwareVersion", pf.firmwareVersion());
        if (net.isPresent()) {
            netFields(net.get()).forEach((k, v) -> m.put("net." + k, v));
        } else {
            m.put("net", Optional.empty());
        }
        m.put("vfioMigration", vfioMigration.map(v -> v.supported() ? String.join(",", v.flagNames())
                : "unsupported"));
        vendorFields.forEach((k, v) -> m.put("vendor." + k, Optional.of(v)));
        return m;
    }

    /**
     * Network settings by their profile field names ({@code mac}, {@code vlan}, {@code qos}, {@code vlanProtocol},
     * {@code spoofCheck}, {@code trust}, {@code linkState}, {@code minTxRateMbps}, {@code maxTxRateMbps}), as the JSON
     * form writes them; empty values are settings the value does not have (unknown).
     *
     * @param c the settings
     * @return every field, in schema order
     */
    public static Map<String, Optional<String>> netFields(VfNetConfig c) {
        Map<String, Optional<String>> m = new LinkedHashMap<>();
        m.put("mac", c.mac().map(MacAddress::toString));
        m.put("vlan", c.vlan().map(v -> Integer.toString(v.id())));
        m.put("qos", c.vlan().map(v -> Integer.toString(v.qos())));
        m.put("vlanProtocol", c.vlan().map(v -> v.protocol().label()));
        m.put("spoofCheck", c.spoofCheck().map(Object::toString));
        m.put("trust", c.trust().map(Object::toString));
        m.put("linkState", c.linkState().map(l -> l.name().toLowerCase(Locale.ROOT)));
        m.put("minTxRateMbps", text(c.minTxRateMbps()));
        m.put("maxTxRateMbps", text(c.maxTxRateMbps()));
        return m;
    }

    /**
     * The {@link VfNetConfig.Setting} a network field of {@link #netFields} belongs to ({@code vlan}, {@code qos} and
     * {@code vlanProtocol} are one setting, as the kernel sets them together).
     *
     * @param field a field name without {@code net.}
     * @return the setting, or empty for another name
     */
    public static Optional<VfNetConfig.Setting> netSetting(String field) {
        return Optional.ofNullable(switch (field) {
            case "mac" -> VfNetConfig.Setting.MAC;
            case "vlan", "qos", "vlanProtocol" -> VfNetConfig.Setting.VLAN;
            case "spoofCheck" -> VfNetConfig.Setting.SPOOF_CHECK;
            case "trust" -> VfNetConfig.Setting.TRUST;
            case "linkState" -> VfNetConfig.Setting.LINK_STATE;
            case "minTxRateMbps" -> VfNetConfig.Setting.MIN_TX_RATE;
            case "maxTxRateMbps" -> VfNetConfig.Setting.MAX_TX_RATE;
            default -> null;
        });
    }

    private static Optional<String> text(OptionalInt v) {
        return v.isPresent() ? Optional.of(Integer.toString(v.getAsInt())) : Optional.empty();
    }

    /**
     * The JSON form (schema version {@value #SCHEMA_VERSION}), indented, without a trailing newline. Unknown fields
     * are the string {@code "unknown"}; absent ones (no PF driver) {@code null}.
     *
     * @return the JSON text
     */
    public String toJson() {
        return ProfileJson.write(this);
    }

    /**
     * Reads a profile from its JSON form. Members this version does not know are ignored (a newer writer may add
     * some); every known member is checked.
     *
     * @param json the text
     * @return the profile
     * @throws ProfileFormatException if the text is not JSON, its {@code schemaVersion} is missing or not
     *     {@value #SCHEMA_VERSION}, or a field is missing, of the wrong type or out of range (the exception names it)
     */
    public static DeviceProfile fromJson(String json) {
        return ProfileJson.read(json);
    }

    /**
     * Reads a profile from its JSON form in UTF-8, as {@link #fromJson(String)}.
     *
     * @param utf8 the bytes
     * @return the profile
     * @throws ProfileFormatException as {@link #fromJson(String)}, also for bytes that are not UTF-8
     */
    public static DeviceProfile fromJson(byte[] utf8) {
        return ProfileJson.read(utf8);
    }
}
