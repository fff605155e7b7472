package org.sriov4j.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;
import org.sriov4j.migration.DeviceProfile.Bar;
import org.sriov4j.migration.DeviceProfile.BarType;
import org.sriov4j.migration.DeviceProfile.DriverOrigin;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;
import org.sriov4j.migration.DeviceProfile.Pf;
import org.sriov4j.migration.DeviceProfile.VfioMigration;

/** The profile's JSON form: round trip, "unknown", tolerance of unknown members, errors that name the field. */
class DeviceProfileJsonTest {

    static DeviceProfile igbVf() {
        return new DeviceProfile(PciAddress.parse("0000:01:10.0"), OptionalInt.of(6), OptionalInt.empty(),
                Optional.of("kvm-vfio"), Optional.of(DeviceProfile.IOMMU_TYPE1), new PciId(0x8086, 0x10ca),
                Optional.of(new PciId(0x1af4, 0x1100)), OptionalInt.of(1), 0x020000, Optional.of("igbvf"),
                Optional.of(List.of(new Bar(0, 16384, BarType.MEM64, true), new Bar(3, 16384, BarType.MEM64, true))),
                OptionalInt.of(3), new Pf(PciAddress.parse("0000:01:00.0"), new PciId(0x8086, 0x10c9),
                        Optional.of("igb"), Optional.of("6.12.118+deb12-amd64"), Optional.of(DriverOrigin.IN_TREE),
                        Optional.empty()),
                Optional.empty(), Optional.empty(), Map.of());
    }

    @Test
    void roundTripsWithUnknownsAndKnownValues() {
        DeviceProfile p = igbVf();
        assertEquals(p, DeviceProfile.fromJson(p.toJson()));
        DeviceProfile q = p.withNet(VfNetConfig.builder().mac(MacAddress.parse("52:54:00:12:34:56")).vlan(100, 3).build())
                .withVfioMigration(VfioMigration.ofFlags(5)).withVendorFields(Map.of("fwFeature", "x2"));
        assertEquals(q, DeviceProfile.fromJson(q.toJson()));
        assertEquals(q, DeviceProfile.fromJson(q.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(p.toJson().contains("\"firmwareVersion\": \"unknown\""), p.toJson());
        assertTrue(p.toJson().contains("\"net\": \"unknown\""), p.toJson());
    }

    @Test
    void unknownMembersAreTolerated() {
        String json = igbVf().toJson().replaceFirst("\\{", "{\"addedLater\": {\"x\": [1, 2]},")
                .replace("\"msixVectors\": 3", "\"msixVectors\": 3, \"newField\": true");
        assertEquals(igbVf(), DeviceProfile.fromJson(json));
    }

    @Test
    void aPfWithoutDriverIsNullNotUnknown() {
        String json = igbVf().toJson().replace("\"driver\": \"igb\"", "\"driver\": null");
        assertEquals(Optional.empty(), DeviceProfile.fromJson(json).pf().driver());
        ProfileFormatException e = assertThrows(ProfileFormatException.class, () -> DeviceProfile.fromJson(
                igbVf().toJson().replace("\"driver\": \"igb\"", "\"driver\": \"unknown\"")));
        assertEquals("pf.driver", e.field());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"schemaVersion\": 1|\"schemaVersion\": 2|schemaVersion",
        "\"schemaVersion\": 1,|\"schemaVersion\": \"1\",|schemaVersion",
        "\"revision\": \"01\"|\"revision\": \"1\"|device.revision",
        "\"vendorId\": \"8086\"|\"vendorId\": \"808G\"|device.vendorId",
        "\"size\": 16384,|\"size\": 16385,|device.bars[0].size",
        "\"type\": \"mem64\"|\"type\": \"mem16\"|device.bars[0].type",
        "\"msixVectors\": 3|\"msixVectors\": 5000|device.msixVectors",
        "\"address\": \"0000:01:10.0\"|\"address\": \"01:10.0/../x\"|source.address",
        "\"iommuGroup\": 6|\"iommuGroup\": -1|source.iommuGroup",
        "\"driverOrigin\": \"in-tree\"|\"driverOrigin\": \"vendor\"|pf.driverOrigin",
        "\"vfioMigration\": \"unknown\"|\"vfioMigration\": {\"supported\": false, \"flags\": [\"P2P\"]}|vfioMigration.flags",
        "\"net\": \"unknown\"|\"net\": {\"mac\": \"52:54:00:12:34:5\"}|net.mac",
        "\"net\": \"unknown\"|\"net\": {\"mac\": \"01:54:00:12:34:56\"}|net.mac",
        "\"net\": \"unknown\"|\"net\": {\"mac\": \"52:54:00:12:34:56\"}|net.vlan",
        "\"kind\": \"sriov4j-device-profile\"|\"kind\": \"other\"|kind",
        "\"vendor\": {}|\"vendor\": {\"a\": 1}|vendor.a"})
    void aMalformedFieldIsNamed(String from, String to, String field) {
        String json = igbVf().toJson();
        assertTrue(json.contains(from), from);
        ProfileFormatException e = assertThrows(ProfileFormatException.class,
                () -> DeviceProfile.fromJson(json.replace(from, to)));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    @Test
    void aMissingSectionOrBrokenTextIsNamed() {
        assertEquals("$", assertThrows(ProfileFormatException.class, () -> DeviceProfile.fromJson("{")).field());
        assertEquals("device", assertThrows(ProfileFormatException.class,
                () -> DeviceProfile.fromJson("{\"schemaVersion\": 1, \"source\": {}, \"pf\": {}}")).field());
        assertEquals("$", assertThrows(ProfileFormatException.class, () -> DeviceProfile.fromJson("[]")).field());
    }

    @Test
    void mutatedProfilesFailOnlyWithProfileFormatException() {
        String base = igbVf().withNet(VfNetConfig.builder().mac(MacAddress.parse("52:54:00:12:34:56")).vlan(100, 3).build()).toJson();
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(base);
            for (int k = 0; k < 1 + r.nextInt(3); k++) {
                int at = r.nextInt(b.length());
                switch (r.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, "{}[]\":,0-9aez\\ \u0000".charAt(r.nextInt(16)));
                    default -> b.setCharAt(at, "{}[]\":,0-9aez\\".charAt(r.nextInt(14)));
                }
            }
            try {
                DeviceProfile.fromJson(b.toString());
            } catch (ProfileFormatException expected) {
                // the only failure allowed
            }
        }
    }
}
