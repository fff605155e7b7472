package org.sriov4j.migration;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.PciId;
import org.sriov4j.VfNetConfig;
import org.sriov4j.internal.json.Json;
import org.sriov4j.internal.json.JsonFormatException;
import org.sriov4j.migration.DeviceProfile.Bar;
import org.sriov4j.migration.DeviceProfile.BarType;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.migration.DeviceProfile.Pf;
import org.sriov4j.migration.DeviceProfile.VfioMigration;

/** The JSON form of {@link DeviceProfile} (docs/device-profile.md). */
final class ProfileJson {
    static final String UNKNOWN = "unknown";

    private ProfileJson() {
    }

    // ---------------------------------------------------------------- writing

    static String write(DeviceProfile p) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", (long) DeviceProfile.SCHEMA_VERSION);
        doc.put("kind", DeviceProfile.KIND);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("address", p.address().toString());
        source.put("iommuGroup", num(p.iommuGroup()));
        source.put("numaNode", num(p.numaNode()));
        source.put("backend", str(p.backend()));
        source.put("iommuInterface", str(p.iommuInterface()));
        doc.put("source", source);
        Map<String, Object> device = new LinkedHashMap<>();
        device.put("vendorId", p.id().vendorHex());
        device.put("deviceId", p.id().deviceHex());
        device.put("subsystemVendorId", str(p.subsystem().map(PciId::vendorHex)));
        device.put("subsystemDeviceId", str(p.subsystem().map(PciId::deviceHex)));
        device.put("revision", p.revision().isPresent() ? String.format("%02x", p.revision().getAsInt()) : UNKNOWN);
        device.put("classCode", String.format("%06x", p.classCode()));
        device.put("vfDriver", str(p.vfDriver()));
        device.put("bars", p.bars().<Object>map(list -> {
            List<Object> out = new ArrayList<>();
            for (Bar b : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", (long) b.index());
                m.put("size", b.size());
                m.put("type", b.type().jsonName());
                m.put("prefetchable", b.prefetchable());
                out.add(m);
            }
            return out;
        }).orElse(UNKNOWN));
        device.put("msixVectors", num(p.msixVectors()));
        doc.put("device", device);
        Map<String, Object> pf = new LinkedHashMap<>();
        pf.put("address", p.pf().address().toString());
        pf.put("vendorId", p.pf().id().vendorHex());
        pf.put("deviceId", p.pf().id().deviceHex());
        pf.put("driver", p.pf().driver().<Object>map(s -> s).orElse(Json.NULL));
        pf.put("driverVersion", str(p.pf().driverVersion()));
        pf.put("driverOrigin", str(p.pf().driverOrigin().map(DriverOrigin::jsonName)));
        pf.put("firmwareVersion", str(p.pf().firmwareVersion()));
        doc.put("pf", pf);
        doc.put("net", p.net().<Object>map(ProfileJson::net).orElse(UNKNOWN));
        doc.put("vfioMigration", p.vfioMigration().<Object>map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("supported", v.supported());
            m.put("flags", new ArrayList<Object>(v.flagNames()));
            return m;
        }).orElse(UNKNOWN));
        doc.put("vendor", new LinkedHashMap<String, Object>(p.vendorFields()));
        return Json.write(doc);
    }

    /** The JSON object of network settings: numbers and booleans as such, {@code "unknown"} for a missing setting. */
    static Map<String, Object> net(VfNetConfig n) {
        Map<String, Object> m = new LinkedHashMap<>();
        DeviceProfile.netFields(n).forEach((k, v) -> m.put(k, v.<Object>map(text -> switch (k) {
            case "vlan", "qos", "minTxRateMbps", "maxTxRateMbps" -> Long.parseLong(text);
            case "spoofCheck", "trust" -> Boolean.parseBoolean(text);
            default -> text;
        }).orElse(UNKNOWN)));
        return m;
    }

    private static Object str(Optional<String> v) {
        return v.<Object>map(s -> s).orElse(UNKNOWN);
    }

    private static Object num(OptionalInt v) {
        return v.isPresent() ? (Object) (long) v.getAsInt() : UNKNOWN;
    }

    // ---------------------------------------------------------------- reading

    static DeviceProfile read(byte[] utf8) {
        Object doc;
        try {
            doc = Json.parse(utf8);
        } catch (JsonFormatException e) {
            throw new ProfileFormatException("$", String.valueOf(e.getMessage()));
        }
        return read(doc);
    }

    static DeviceProfile read(String json) {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (JsonFormatException e) {
            throw new ProfileFormatException("$", String.valueOf(e.getMessage()));
        }
        return read(doc);
    }

    private static DeviceProfile read(Object doc) {
        Obj root = new Obj("$", doc);
        Object version = root.raw("schemaVersion");
        if (!(version instanceof Long v)) {
            throw new ProfileFormatException("schemaVersion", "missing or not an integer (this library reads "
                    + DeviceProfile.SCHEMA_VERSION + ")");
        }
        if (v != DeviceProfile.SCHEMA_VERSION) {
            throw new ProfileFormatException("schemaVersion", "unsupported version " + v + " (this library reads "
                    + DeviceProfile.SCHEMA_VERSION + ")");
        }
        Object kind = root.raw("kind");
        if (kind != null && !DeviceProfile.KIND.equals(kind)) {
            throw new ProfileFormatException("kind", "not \"" + DeviceProfile.KIND + "\"");
        }
        Obj source = root.obj("source");
        Obj device = root.obj("device");
        Obj pf = root.obj("pf");
        try {
            PciAddress address = source.address("address");
            OptionalInt group = source.optInt("iommuGroup", 0, Integer.MAX_VALUE);
            OptionalInt numa = source.optInt("numaNode", 0, Integer.MAX_VALUE);
            Optional<String> backend = source.optString("backend");
            Optional<String> iommu = source.optString("iommuInterface");
            PciId id = new PciId(device.hex("vendorId", 4, 0xffff), device.hex("deviceId", 4, 0xffff));
            OptionalInt subVendor = device.optHex("subsystemVendorId", 4, 0xffff);
            OptionalInt subDevice = device.optHex("subsystemDeviceId", 4, 0xffff);
            Optional<PciId> subsystem = subVendor.isPresent() && subDevice.isPresent()
                    ? Optional.of(new PciId(subVendor.getAsInt(), subDevice.getAsInt())) : Optional.empty();
            OptionalInt revision = device.optHex("revision", 2, 0xff);
            int classCode = device.hex("classCode", 6, 0xffffff);
            Optional<String> vfDriver = device.optString("vfDriver");
            Optional<List<Bar>> bars = device.bars("bars");
            OptionalInt msix = device.optInt("msixVectors", 0, 2048);
            Pf pfValue = new Pf(pf.address("address"), new PciId(pf.hex("vendorId", 4, 0xffff),
                    pf.hex("deviceId", 4, 0xffff)), pf.nullableString("driver"), pf.optString("driverVersion"),
                    pf.optString("driverOrigin").map(o -> origin(pf.path("driverOrigin"), o)),
                    pf.optString("firmwareVersion"));
            Optional<VfNetConfig> net = root.isUnknown("net") ? Optional.empty() : Optional.of(net(root.obj("net")));
            Optional<VfioMigration> mig = root.isUnknown("vfioMigration") ? Optional.empty()
                    : Optional.of(migration(root.obj("vfioMigration")));
            Map<String, String> vendor = new TreeMap<>();
            if (root.raw("vendor") != null) {
                Obj vendorObj = root.obj("vendor");
                for (Object k : vendorObj.map.keySet()) {
                    vendor.put((String) k, vendorObj.string((String) k));
                }
            }
            return new DeviceProfile(address, group, numa, backend, iommu, id, subsystem, revision, classCode,
                    vfDriver, bars, msix, pfValue, net, mig, vendor);
        } catch (IllegalArgumentException e) {
            if (e instanceof ProfileFormatException) {
                throw e;
            }
            throw new ProfileFormatException("$", String.valueOf(e.getMessage()));
        }
    }

    private static DriverOrigin origin(String path, String text) {
        switch (text) {
            case "in-tree":
                return DriverOrigin.IN_TREE;
            case "out-of-tree":
                return DriverOrigin.OUT_OF_TREE;
            default:
                throw new ProfileFormatException(path, "must be \"in-tree\", \"out-of-tree\" or \"unknown\"");
        }
    }

    /**
     * Reads {@code net}: each setting known or {@code "unknown"}; {@code vlan}, {@code qos} and {@code vlanProtocol}
     * are one setting (known together or not at all); the values are checked as {@link VfNetConfig.Builder} checks
     * them (a unicast MAC or 00:00:00:00:00:00, a minimum rate not above a non-zero maximum).
     */
    private static VfNetConfig net(Obj n) {
        VfNetConfig.Builder b = VfNetConfig.builder();
        Optional<String> mac = n.optString("mac");
        if (mac.isPresent()) {
            String text = mac.get();
            MacAddress parsed;
            try {
                parsed = MacAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ProfileFormatException(n.path("mac"), "must be xx:xx:xx:xx:xx:xx (lower-case hex)");
            }
            if (!parsed.toString().equals(text)) {
                throw new ProfileFormatException(n.path("mac"), "must be xx:xx:xx:xx:xx:xx (lower-case hex)");
            }
            try {
                b.mac(parsed);
            } catch (IllegalArgumentException e) {
                throw new ProfileFormatException(n.path("mac"), "must be a unicast MAC, or 00:00:00:00:00:00 (none)");
            }
        }
        OptionalInt vlan = n.optInt("vlan", 0, 4095);
        OptionalInt qos = n.optInt("qos", 0, 7);
        Optional<String> proto = n.optString("vlanProtocol");
        if (vlan.isPresent() != qos.isPresent() || vlan.isPresent() != proto.isPresent()) {
            String missing = vlan.isEmpty() ? "vlan" : qos.isEmpty() ? "qos" : "vlanProtocol";
            throw new ProfileFormatException(n.path(missing), "vlan, qos and vlanProtocol are known together or "
                    + "all \"unknown\"");
        }
        if (vlan.isPresent()) {
            VfNetConfig.VlanProtocol p;
            switch (proto.orElseThrow()) {
                case "802.1Q" -> p = VfNetConfig.VlanProtocol.IEEE_802_1Q;
                case "802.1ad" -> p = VfNetConfig.VlanProtocol.IEEE_802_1AD;
                default -> throw new ProfileFormatException(n.path("vlanProtocol"), "must be \"802.1Q\" or \"802.1ad\"");
            }
            b.vlan(new VfNetConfig.Vlan(vlan.getAsInt(), qos.getAsInt(), p));
        }
        n.optBool("spoofCheck").ifPresent(b::spoofCheck);
        n.optBool("trust").ifPresent(b::trust);
        Optional<String> link = n.optString("linkState");
        if (link.isPresent()) {
            switch (link.get()) {
                case "auto" -> b.linkState(VfNetConfig.LinkState.AUTO);
                case "enable" -> b.linkState(VfNetConfig.LinkState.ENABLE);
                case "disable" -> b.linkState(VfNetConfig.LinkState.DISABLE);
                default -> throw new ProfileFormatException(n.path("linkState"),
                        "must be \"auto\", \"enable\" or \"disable\"");
            }
        }
        n.optInt("minTxRateMbps", 0, Integer.MAX_VALUE).ifPresent(b::minTxRateMbps);
        n.optInt("maxTxRateMbps", 0, Integer.MAX_VALUE).ifPresent(b::maxTxRateMbps);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ProfileFormatException(n.path("minTxRateMbps"), String.valueOf(e.getMessage()));
        }
    }

    private static VfioMigration migration(Obj m) {
        boolean supported = m.bool("supported");
        List<Object> flags = m.list("flags");
        boolean sc = false;
        boolean p2p = false;
        boolean pre = false;
        for (int i = 0; i < flags.size(); i++) {
            Object f = flags.get(i);
            if ("STOP_COPY".equals(f)) {
                sc = true;
            } else if ("P2P".equals(f)) {
                p2p = true;
            } else if ("PRE_COPY".equals(f)) {
                pre = true;
            } else {
                throw new ProfileFormatException(m.path("flags") + "[" + i + "]",
                        "must be \"STOP_COPY\", \"P2P\" or \"PRE_COPY\"");
            }
        }
        if (!supported && (sc || p2p || pre)) {
            throw new ProfileFormatException(m.path("flags"), "an unsupported capability has no flags");
        }
        return new VfioMigration(supported, sc, p2p, pre);
    }

    /** One JSON object with its path, for errors that name the field. */
    private static final class Obj {
        final String path;
        final Map<?, ?> map;

        Obj(String path, Object value) {
            if (!(value instanceof Map<?, ?> m)) {
                throw new ProfileFormatException(path, "must be an object");
            }
            this.path = path;
            this.map = m;
        }

        String path(String key) {
            return path.equals("$") ? key : path + "." + key;
        }

        @org.jspecify.annotations.Nullable Object raw(String key) {
            return map.get(key);
        }

        boolean isUnknown(String key) {
            Object v = map.get(key);
            if (v == null) {
                throw new ProfileFormatException(path(key), "missing");
            }
            return UNKNOWN.equals(v);
        }

        Obj obj(String key) {
            Object v = map.get(key);
            if (v == null) {
                throw new ProfileFormatException(path(key), "missing");
            }
            return new Obj(path(key), v);
        }

        List<Object> list(String key) {
            Object v = map.get(key);
            if (!(v instanceof List<?> l)) {
                throw new ProfileFormatException(path(key), v == null ? "missing" : "must be an array");
            }
            return new ArrayList<>(l);
        }

        String string(String key) {
            Object v = map.get(key);
            if (!(v instanceof String s)) {
                throw new ProfileFormatException(path(key), v == null ? "missing" : "must be a string");
            }
            if (s.length() > 256) {
                throw new ProfileFormatException(path(key), "longer than 256 characters");
            }
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) < 0x20 || s.charAt(i) == 0x7f) {
                    throw new ProfileFormatException(path(key), "contains a control character");
                }
            }
            return s;
        }

        Optional<String> optString(String key) {
            String s = string(key);
            return UNKNOWN.equals(s) ? Optional.empty() : Optional.of(s);
        }

        Optional<String> nullableString(String key) {
            Object v = map.get(key);
            if (v == Json.NULL) {
                return Optional.empty();
            }
            String s = string(key);
            if (UNKNOWN.equals(s)) {
                throw new ProfileFormatException(path(key), "cannot be unknown (null: none)");
            }
            return Optional.of(s);
        }

        boolean bool(String key) {
            Object v = map.get(key);
            if (!(v instanceof Boolean b)) {
                throw new ProfileFormatException(path(key), v == null ? "missing" : "must be true or false");
            }
            return b;
        }

        Optional<Boolean> optBool(String key) {
            Object v = map.get(key);
            if (UNKNOWN.equals(v)) {
                return Optional.empty();
            }
            return Optional.of(bool(key));
        }

        long integer(String key, long min, long max) {
            Object v = map.get(key);
            if (!(v instanceof Long n)) {
                if (v instanceof BigDecimal) {
                    throw new ProfileFormatException(path(key), "must be an integer in " + min + ".." + max);
                }
                throw new ProfileFormatException(path(key), v == null ? "missing" : "must be an integer");
            }
            if (n < min || n > max) {
                throw new ProfileFormatException(path(key), "out of range " + min + ".." + max + ": " + n);
            }
            return n;
        }

        OptionalInt optInt(String key, int min, int max) {
            if (UNKNOWN.equals(map.get(key))) {
                return OptionalInt.empty();
            }
            return OptionalInt.of((int) integer(key, min, max));
        }

        int hex(String key, int digits, int max) {
            String s = string(key);
            if (s.length() != digits) {
                throw new ProfileFormatException(path(key), "must be " + digits + " lower-case hex digits");
            }
            int v = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                int d = Character.digit(c, 16);
                if (d < 0 || c > 'f' || (c >= 'A' && c <= 'F')) {
                    throw new ProfileFormatException(path(key), "must be " + digits + " lower-case hex digits");
                }
                v = v * 16 + d;
            }
            if (v > max) {
                throw new ProfileFormatException(path(key), "out of range");
            }
            return v;
        }

        OptionalInt optHex(String key, int digits, int max) {
            if (UNKNOWN.equals(map.get(key))) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(hex(key, digits, max));
        }

        PciAddress address(String key) {
            String s = string(key);
            try {
                return PciAddress.parse(s);
            } catch (PciAddressFormatException e) {
                throw new ProfileFormatException(path(key), "not a PCI address (DDDD:BB:DD.F)");
            }
        }

        Optional<List<Bar>> bars(String key) {
            if (isUnknown(key)) {
                return Optional.empty();
            }
            List<Object> l = list(key);
            List<Bar> bars = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                Obj b = new Obj(path(key) + "[" + i + "]", l.get(i));
                int index = (int) b.integer("index", 0, 6);
                long size = b.integer("size", 1, Long.MAX_VALUE);
                if (Long.bitCount(size) != 1) {
                    throw new ProfileFormatException(b.path("size"), "must be a power of two");
                }
                String type = b.string("type");
                BarType t;
                switch (type) {
                    case "mem32": t = BarType.MEM32; break;
                    case "mem64": t = BarType.MEM64; break;
                    case "io": t = BarType.IO; break;
                    default: throw new ProfileFormatException(b.path("type"), "must be mem32, mem64 or io");
                }
                if (!bars.isEmpty() && bars.get(bars.size() - 1).index() >= index) {
                    throw new ProfileFormatException(b.path("index"), "BARs must be sorted by index, each once");
                }
                bars.add(new Bar(index, size, t, b.bool("prefetchable")));
            }
            return Optional.of(bars);
        }
    }
}
