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
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;

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
 * @param net the VF's network settings, carried over to the destination; empty: unknown
 * @param vfioMigration what VFIO migration v2 the device offers; empty: unknown (known while the device is open)
 * @param vendorFields fields a vendor plugin adds ({@code vendor.NAME} in the check), sorted by name
 */
public record DeviceProfile(PciAddress address, OptionalInt iommuGroup, OptionalInt numaNode,
        Optional<String> backend, Optional<String> iommuInterface, PciId id, Optional<PciId> subsystem,
        OptionalInt revision, int classCode, Optional<String> vfDriver, Optional<List<Bar>> bars,
        OptionalInt msixVectors, Pf pf, Optional<NetConfig> net, Optional<VfioMigration> vfioMigration,
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
     * The VF's network settings as its PF applies them ({@code ip link set PF vf N ...}). Each is optional: empty
     * means unknown (nothing to carry over). The destination applies every known setting to the VF it chooses.
     *
     * @param mac the MAC address, lower-case {@code xx:xx:xx:xx:xx:xx}
     * @param vlan the VLAN id, 0 to 4095 (0 with QoS 0: no VLAN)
     * @param qos the 802.1p priority, 0 to 7
     * @param vlanProtocol {@code 802.1Q} or {@code 802.1ad}
     * @param spoofCheck spoof checking
     * @param trust trusted mode
     * @param linkState {@code auto}, {@code enable} or {@code disable}
     * @param minTxRateMbps the minimum TX rate, Mbit/s (0: none)
     * @param maxTxRateMbps the maximum TX rate, Mbit/s (0: no limit)
     */
    public record NetConfig(Optional<String> mac, OptionalInt vlan, OptionalInt qos, Optional<String> vlanProtocol,
            Optional<Boolean> spoofCheck, Optional<Boolean> trust, Optional<String> linkState,
            OptionalInt minTxRateMbps, OptionalInt maxTxRateMbps) {

        private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

        /**
         * Checks the values.
         *
         * @param mac the MAC
         * @param vlan the VLAN id
         * @param qos the priority
         * @param vlanProtocol the VLAN protocol
         * @param spoofCheck spoof checking
         * @param trust trust
         * @param linkState link state
         * @param minTxRateMbps minimum rate
         * @param maxTxRateMbps maximum rate
         * @throws IllegalArgumentException if a value is malformed or out of range
         */
        public NetConfig {
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(vlan, "vlan");
            Objects.requireNonNull(qos, "qos");
            Objects.requireNonNull(vlanProtocol, "vlanProtocol");
            Objects.requireNonNull(spoofCheck, "spoofCheck");
            Objects.requireNonNull(trust, "trust");
            Objects.requireNonNull(linkState, "linkState");
            Objects.requireNonNull(minTxRateMbps, "minTxRateMbps");
            Objects.requireNonNull(maxTxRateMbps, "maxTxRateMbps");
            mac.ifPresent(m -> {
                if (!MAC.matcher(m).matches()) {
                    throw new IllegalArgumentException("MAC must be lower-case xx:xx:xx:xx:xx:xx: \"" + m + "\"");
                }
            });
            if (vlan.isPresent() && (vlan.getAsInt() < 0 || vlan.getAsInt() > 4095)) {
                throw new IllegalArgumentException("VLAN must be 0..4095: " + vlan.getAsInt());
            }
            if (qos.isPresent() && (qos.getAsInt() < 0 || qos.getAsInt() > 7)) {
                throw new IllegalArgumentException("QoS must be 0..7: " + qos.getAsInt());
            }
            vlanProtocol.ifPresent(p -> {
                if (!p.equals("802.1Q") && !p.equals("802.1ad")) {
                    throw new IllegalArgumentException("VLAN protocol must be 802.1Q or 802.1ad: \"" + p + "\"");
                }
            });
            linkState.ifPresent(s -> {
                if (!s.equals("auto") && !s.equals("enable") && !s.equals("disable")) {
                    throw new IllegalArgumentException("link state must be auto, enable or disable: \"" + s + "\"");
                }
            });
            if (minTxRateMbps.isPresent() && minTxRateMbps.getAsInt() < 0
                    || maxTxRateMbps.isPresent() && maxTxRateMbps.getAsInt() < 0) {
                throw new IllegalArgumentException("negative TX rate");
            }
        }

        /**
         * No setting known.
         *
         * @return the empty configuration
         */
        public static NetConfig none() {
            return new NetConfig(Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty());
        }

        /**
         * This configuration with another MAC.
         *
         * @param newMac lower-case {@code xx:xx:xx:xx:xx:xx}
         * @return the copy
         */
        public NetConfig withMac(String newMac) {
            return new NetConfig(Optional.of(newMac), vlan, qos, vlanProtocol, spoofCheck, trust, linkState,
                    minTxRateMbps, maxTxRateMbps);
        }

        /**
         * This configuration with a VLAN and priority.
         *
         * @param id 0 to 4095
         * @param priority 0 to 7
         * @return the copy
         */
        public NetConfig withVlan(int id, int priority) {
            return new NetConfig(mac, OptionalInt.of(id), OptionalInt.of(priority), vlanProtocol, spoofCheck, trust,
                    linkState, minTxRateMbps, maxTxRateMbps);
        }

        /**
         * The known settings by field name ({@code mac}, {@code vlan}, ...), as text.
         *
         * @return the settings in schema order
         */
        public Map<String, String> known() {
            Map<String, String> m = new LinkedHashMap<>();
            mac.ifPresent(v -> m.put("mac", v));
            vlan.ifPresent(v -> m.put("vlan", Integer.toString(v)));
            qos.ifPresent(v -> m.put("qos", Integer.toString(v)));
            vlanProtocol.ifPresent(v -> m.put("vlanProtocol", v));
            spoofCheck.ifPresent(v -> m.put("spoofCheck", v.toString()));
            trust.ifPresent(v -> m.put("trust", v.toString()));
            linkState.ifPresent(v -> m.put("linkState", v));
            minTxRateMbps.ifPresent(v -> m.put("minTxRateMbps", Integer.toString(v)));
            maxTxRateMbps.ifPresent(v -> m.put("maxTxRateMbps", Integer.toString(v)));
            return m;
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
     * This profile with its network settings known.
     *
     * @param config the settings
     * @return the copy
     */
    public DeviceProfile withNet(NetConfig config) {
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
     * empty values are unknown. Network fields appear only when {@link #net()} is known ({@code net} itself stands
     * for all of them when it is not).
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
            net.get().known().forEach((k, v) -> m.put("net." + k, Optional.of(v)));
        } else {
            m.put("net", Optional.empty());
        }
        m.put("vfioMigration", vfioMigration.map(v -> v.supported() ? String.join(",", v.flagNames())
                : "unsupported"));
        vendorFields.forEach((k, v) -> m.put("vendor." + k, Optional.of(v)));
        return m;
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
