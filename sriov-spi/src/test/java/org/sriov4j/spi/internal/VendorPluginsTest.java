package org.sriov4j.spi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.sriov4j.FunctionKind;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PciId;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.SriovException;
import org.sriov4j.spi.VendorPlugin;
import org.sriov4j.spi.VendorPlugin.MatchLevel;
import org.sriov4j.spi.vendor.GenericVendorPlugin;
import org.sriov4j.spi.vendor.IntelIgbVendorPlugin;

/** The choice of a vendor plugin per PF: best match level, then priority, a tie an error; no kernel involved. */
class VendorPluginsTest {

    static final PciFunction I82576 = pf(0x8086, 0x10c9, "igb");
    static final PciFunction I82599 = pf(0x8086, 0x10fb, "ixgbe");

    static PciFunction pf(int vendor, int device, String driver) {
        return new PciFunction(PciAddress.parse("0000:01:00.0"), FunctionKind.PF, new PciId(vendor, device), 0x020000,
                Optional.ofNullable(driver), Optional.empty(), OptionalInt.empty(), OptionalInt.of(5), List.of());
    }

    /** A plugin that answers {@code level} for every PF. */
    record Fixed(String id, MatchLevel level, int priority) implements VendorPlugin {
        @Override
        public MatchLevel match(PciFunction pf) {
            return level;
        }
    }

    static VendorPlugin select(PciFunction pf, VendorPlugin... plugins) {
        return VendorPlugins.select("test", List.of(plugins), pf);
    }

    @Test
    void aBetterMatchLevelWinsWhateverThePriority() {
        VendorPlugin device = new Fixed("device", MatchLevel.DEVICE, -100);
        VendorPlugin vendor = new Fixed("vendor", MatchLevel.VENDOR, 100);
        VendorPlugin generic = new Fixed("generic2", MatchLevel.GENERIC, 1000);
        assertSame(device, select(I82576, generic, vendor, device));
        assertSame(device, select(I82576, device, vendor, generic));
        assertSame(vendor, select(I82576, generic, vendor));
    }

    @Test
    void withinTheBestLevelTheHighestPriorityWins() {
        VendorPlugin low = new Fixed("low", MatchLevel.VENDOR, 1);
        VendorPlugin high = new Fixed("high", MatchLevel.VENDOR, 2);
        assertSame(high, select(I82576, low, high));
        assertSame(high, select(I82576, high, low));
    }

    @Test
    void aTieOnLevelAndPriorityIsAnErrorNamingBothPlugins() {
        VendorPlugin a = new Fixed("acme-a", MatchLevel.DEVICE, 5);
        VendorPlugin b = new Fixed("acme-b", MatchLevel.DEVICE, 5);
        SriovException e = assertThrows(SriovException.class,
                () -> select(I82576, new GenericVendorPlugin(), a, b));
        assertTrue(e.getMessage().contains("'acme-a'") && e.getMessage().contains("'acme-b'"), e.getMessage());
        assertTrue(e.getMessage().contains("DEVICE") && e.getMessage().contains("priority 5"), e.getMessage());
        assertEquals(Optional.of(I82576.address()), e.device());
    }

    @Test
    void aTieBelowTheWinnerIsNoError() {
        VendorPlugin a = new Fixed("a", MatchLevel.GENERIC, 0);
        VendorPlugin b = new Fixed("b", MatchLevel.GENERIC, 0);
        VendorPlugin c = new Fixed("c", MatchLevel.VENDOR, 0);
        assertSame(c, select(I82576, a, b, c));
    }

    @Test
    void pluginsThatDoNotMatchAreNeverChosenAndNothingMatchingGivesTheGenericPlugin() {
        VendorPlugin none = new Fixed("none", MatchLevel.NONE, 1000);
        assertInstanceOf(GenericVendorPlugin.class, select(I82576, none));
        assertInstanceOf(GenericVendorPlugin.class, select(I82576));
    }

    @Test
    void theShippedPluginsIntelIgbForAn82576GenericForOtherDevices() {
        VendorPlugin generic = new GenericVendorPlugin();
        VendorPlugin igb = new IntelIgbVendorPlugin();
        assertSame(igb, select(I82576, generic, igb));
        assertSame(generic, select(I82599, generic, igb));
        for (int device : new int[] {0x10c9, 0x10e6, 0x10e7, 0x10e8, 0x1526, 0x150a, 0x1518, 0x150d}) {
            assertEquals(MatchLevel.DEVICE, igb.match(pf(0x8086, device, "igb")), Integer.toHexString(device));
        }
        assertEquals(MatchLevel.NONE, igb.match(pf(0x8086, 0x10ca, "igbvf")), "the VF is not a PF of igb");
        assertEquals(MatchLevel.NONE, igb.match(pf(0x1af4, 0x10c9, null)), "another vendor");
    }

    @Test
    void aSecondGenericPluginWinsOverTheShippedOne() {
        VendorPlugin mine = new Fixed("my-generic", MatchLevel.GENERIC, 0);
        assertSame(mine, select(I82576, new GenericVendorPlugin(), mine));
    }

    @Test
    void aMatchThatThrowsIsAnErrorNamingThePlugin() {
        VendorPlugin broken = new VendorPlugin() {
            @Override
            public String id() {
                return "broken";
            }

            @Override
            public MatchLevel match(PciFunction pf) {
                throw new IllegalStateException("boom");
            }
        };
        SriovException e = assertThrows(SriovException.class, () -> select(I82576, new GenericVendorPlugin(), broken));
        assertTrue(e.getMessage().contains("'broken'") && e.getMessage().contains("boom"), e.getMessage());
    }

    @Test
    void theIntelPluginLimitsIgbTo7VfsAndNamesIgbvf() {
        IntelIgbVendorPlugin igb = new IntelIgbVendorPlugin();
        PhysicalFunction onIgb = new PhysicalFunction(I82576, 7, 0, 128, 2, 0x10ca, true, List.of());
        PhysicalFunction noDriver = new PhysicalFunction(pf(0x8086, 0x10c9, null), 8, 0, 128, 2, 0x10ca, true,
                List.of());
        assertEquals(OptionalInt.of(7), igb.vfLimit(onIgb));
        assertEquals(OptionalInt.empty(), igb.vfLimit(noDriver));
        assertEquals(Optional.of("igbvf"), igb.vfDriver(I82576));
    }

    @Test
    void theIntelPluginRefusesAPfThatDoesNotReportTheIgbvfDevice() {
        IntelIgbVendorPlugin igb = new IntelIgbVendorPlugin();
        PhysicalFunction odd = new PhysicalFunction(I82576, 7, 0, 128, 2, 0x1520, true, List.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> igb.beforeEnable(null, odd, 2));
        assertTrue(e.getMessage().contains("1520") && e.getMessage().contains("10ca"), e.getMessage());
    }
}
