package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.DriverCompatibility;
import org.sriov4j.GuestVfDriver;
import org.sriov4j.IncompatibleVfDriverException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.SriovEvent;
import org.sriov4j.migration.DeviceProfile;
import org.sriov4j.spi.CompatibilityMatrix;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.VendorPlugin;
import org.sriov4j.testdata.CapturedTrees;

/**
 * The lease-time judgement of a guest's VF driver with a vendor matrix that has an INCOMPATIBLE entry (the shipped igb
 * matrix has none): INCOMPATIBLE refuses whether strict or not, COMPATIBLE passes, and each verdict is an event.
 */
class LeaseCompatibilityTest {
    static final PciAddress VF0 = PciAddress.parse("0000:01:10.0");

    @TempDir
    Path tmp;

    static final class MatrixPlugin implements VendorPlugin {
        @Override
        public String id() {
            return "matrix-test";
        }

        @Override
        public MatchLevel match(PciFunction pf) {
            return MatchLevel.DEVICE;
        }

        @Override
        public Optional<CompatibilityMatrix> compatibilityMatrix() {
            return Optional.of(CompatibilityMatrix.parse("""
                    {"matrixVersion": 1, "id": "matrix-test", "entries": [
                      {"pfDriver": "igb", "vfDriver": "igbvf", "vfVersion": "<5.8", "result": "INCOMPATIBLE",
                       "note": "too old for this PF", "source": "test"},
                      {"pfDriver": "igb", "vfDriver": "igbvf", "vfVersion": ">=5.8", "result": "COMPATIBLE",
                       "note": "fine", "source": "test"}]}
                    """));
        }
    }

    DestinationChecker checker() throws Exception {
        Path root = CapturedTrees.unpack("igb-7vf-mixed", tmp);
        NioSysfsAccess sysfs = new NioSysfsAccess(root);
        TopologyScanner scanner = new TopologyScanner(sysfs);
        VendorPlugins plugins = new VendorPlugins(List.of(new MatrixPlugin()));
        return new DestinationChecker(scanner, plugins, () -> new ProfileReader(sysfs, scanner, plugins, () -> n -> {
            throw new org.sriov4j.SriovException("ethtool", "not here");
        }, () -> Optional.of("kvm-vfio"), () -> Optional.of(DeviceProfile.IOMMU_TYPE1)), List::of,
                () -> Optional.of("kvm-vfio"), Set::of);
    }

    @Test
    void anIncompatibleVerdictRefusesEvenWhenNotStrictAndACompatibleOnePasses() throws Exception {
        DestinationChecker checker = checker();
        List<SriovEvent> seen = new ArrayList<>();
        Events events = new Events();
        events.subscribe(seen::add);
        IncompatibleVfDriverException e = assertThrows(IncompatibleVfDriverException.class,
                () -> LeaseCompatibility.judge(checker, events, VF0, "vm-1", GuestVfDriver.parse("igbvf:4.19"),
                        false));
        assertEquals(DriverCompatibility.INCOMPATIBLE, e.verdict().result());
        assertTrue(e.getMessage().contains("too old for this PF") && e.getMessage().contains("nothing was changed"),
                e.getMessage());
        CompatibilityVerdict ok = LeaseCompatibility.judge(checker, events, VF0, "vm-1",
                GuestVfDriver.parse("igbvf:6.12.118"), true);
        assertEquals(DriverCompatibility.COMPATIBLE, ok.result());
        assertEquals(List.of(true, false), seen.stream().map(ev -> ((SriovEvent.DriverChecked) ev).refused())
                .toList());
    }
}
