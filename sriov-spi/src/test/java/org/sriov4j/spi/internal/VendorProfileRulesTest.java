package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.BackendFeature;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.migration.DestinationOptions;
import org.sriov4j.migration.DestinationReport;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.migration.FieldRule;
import org.sriov4j.migration.Finding.Outcome;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.VendorContext;
import org.sriov4j.spi.VendorPlugin;
import org.sriov4j.testdata.CapturedTrees;

/** Vendor plugins extend the check: fields of their own in the profile, rules of their own for their PFs. */
class VendorProfileRulesTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    @TempDir
    Path tmp;

    /** An igb plugin that reports a firmware feature level and may relax the revision rule. */
    static final class FeaturePlugin implements VendorPlugin {
        final String level;
        final Map<String, FieldRule> rules;

        FeaturePlugin(String level, Map<String, FieldRule> rules) {
            this.level = level;
            this.rules = rules;
        }

        @Override
        public String id() {
            return "feature-test";
        }

        @Override
        public MatchLevel match(PciFunction pf) {
            return MatchLevel.DEVICE;
        }

        @Override
        public Map<String, String> profileFields(VendorContext ctx, PciAddress vf) {
            return Map.of("featureLevel", level);
        }

        @Override
        public Map<String, FieldRule> profileRules(PciFunction pf) {
            return rules;
        }
    }

    DestinationChecker checker(Path root, VendorPlugin plugin) {
        NioSysfsAccess sysfs = new NioSysfsAccess(root);
        TopologyScanner scanner = new TopologyScanner(sysfs);
        VendorPlugins plugins = new VendorPlugins(List.of(plugin));
        return new DestinationChecker(scanner, plugins, () -> new ProfileReader(sysfs, scanner, plugins, () -> n -> {
            throw new org.sriov4j.SriovException("ethtool", "not here");
        }, () -> Optional.of("kvm-vfio"), () -> Optional.of(DeviceProfile.IOMMU_TYPE1)), List::of,
                () -> Optional.of("kvm-vfio"), () -> Set.of(BackendFeature.VF_NET_CONFIG));
    }

    @Test
    void aVendorFieldMustMatchUnlessItsPluginSaysOtherwise() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        NioSysfsAccess sysfs = new NioSysfsAccess(root);
        TopologyScanner scanner = new TopologyScanner(sysfs);
        DeviceProfile source = new ProfileReader(sysfs, scanner, new VendorPlugins(List.of(new FeaturePlugin("3",
                Map.of()))), () -> n -> {
                    throw new org.sriov4j.SriovException("ethtool", "not here");
                }, () -> Optional.of("kvm-vfio"), () -> Optional.of(DeviceProfile.IOMMU_TYPE1)).read(VF0);
        assertEquals(Map.of("featureLevel", "3"), source.vendorFields());

        DestinationReport same = checker(root, new FeaturePlugin("3", Map.of())).check(source,
                DestinationOptions.defaults());
        assertTrue(same.fits());

        DestinationReport older = checker(root, new FeaturePlugin("2", Map.of())).check(source,
                DestinationOptions.defaults());
        assertFalse(older.fits());
        assertEquals(Outcome.DIFFERENT, older.candidates().get(0).findings().stream()
                .filter(f -> f.field().equals("vendor.featureLevel")).findFirst().orElseThrow().outcome());

        DestinationReport relaxed = checker(root, new FeaturePlugin("2", Map.of("vendor.featureLevel",
                FieldRule.IGNORED))).check(source, DestinationOptions.defaults());
        assertTrue(relaxed.fits(), relaxed.candidates().toString());

        DeviceProfile rev2 = DeviceProfile.fromJson(source.toJson().replace("\"revision\": \"01\"",
                "\"revision\": \"02\""));
        assertFalse(checker(root, new FeaturePlugin("3", Map.of())).check(rev2, DestinationOptions.defaults())
                .fits());
        assertTrue(checker(root, new FeaturePlugin("3", Map.of("device.revision", FieldRule.IGNORED))).check(rev2,
                DestinationOptions.defaults()).fits(), "the plugin knows revisions 01 and 02 are the same to a guest");
    }
}
