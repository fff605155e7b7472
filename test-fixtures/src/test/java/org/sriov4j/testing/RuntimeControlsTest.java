package org.sriov4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.testing.Expect.PF;
import static org.sriov4j.testing.Expect.PF_ADDRESS;
import static org.sriov4j.testing.Expect.dev;
import static org.sriov4j.testing.Expect.vf;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sriov4j.PciAddress;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.ScanScope;
import org.sriov4j.SriovHost;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;

/** loadDriver/unloadDriver, the inspectors, remove/rescan, openHost and concurrent use. */
class RuntimeControlsTest {

    private final SimulatedKernel k = SimulatedKernel.intel82576Host();

    @Test
    void loadingADriverBindsTheUnboundDevicesItMatches() {
        k.unloadDriver("igbvf");
        k.write(PF + "sriov_numvfs", "2");
        assertEquals(Optional.empty(), k.driverOf(vf(0)));
        k.loadDriver("igbvf");
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(0)));
        assertEquals(Optional.of("igbvf"), k.driverOf(vf(1)));
        k.loadDriver("igbvf");
        assertEquals(List.of("pcieport", "virtio-pci", "igb", "vfio-pci", "igbvf"), k.loadedDrivers());
    }

    @Test
    void unloadingADriverUnbindsItsDevices() {
        k.write(PF + "sriov_numvfs", "3");
        k.unloadDriver("igb");
        assertEquals(Optional.empty(), k.driverOf(PF_ADDRESS));
        assertEquals(0, k.numVfs(PF_ADDRESS), "igb's remove disabled SR-IOV");
        assertFalse(k.exists("bus/pci/drivers/igb"));
        assertFalse(k.exists("module/igb"));
        k.unloadDriver("igb");
        k.loadDriver("igb");
        assertEquals(Optional.of("igb"), k.driverOf(PF_ADDRESS));
        assertEquals(List.of("pci:igb"), k.list("module/igb/drivers"));
    }

    @Test
    void loadingAnUnknownDriverIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.loadDriver("nope"));
        assertTrue(e.getMessage().contains("igbvf"), e.getMessage());
        k.loadDriver(DriverSpec.hostDriver("nope"));
        assertTrue(k.loadedDrivers().contains("nope"));
        assertThrows(IllegalStateException.class, () -> k.loadDriver(DriverSpec.hostDriver("nope").withNetdevs()));
    }

    @Test
    void inspectorsReportTheStateAndRejectAbsentFunctions() {
        k.write(PF + "sriov_numvfs", "2");
        k.write(dev(1) + "driver_override", "x");
        assertEquals(List.of(vf(0), vf(1)), k.vfsOf(PF_ADDRESS));
        assertEquals(Optional.of("x"), k.driverOverrideOf(vf(1)));
        assertEquals(OptionalInt.of(7), k.iommuGroupOf(vf(1)));
        assertTrue(k.isPresent(vf(1)));
        assertFalse(k.isPresent(vf(2)));
        assertTrue(k.functions().contains(vf(1)));
        assertTrue(k.driversAutoprobe(PF_ADDRESS));
        assertThrows(IllegalArgumentException.class, () -> k.driverOf(vf(2)));
        assertThrows(IllegalArgumentException.class, () -> k.numVfs(vf(0)));
        assertTrue(k.toString().contains("0000:01:10.2 8086:10ca driver=igbvf override=x group=7"), k.toString());
    }

    @Test
    void removeAndRescanBringThePfBackFreshWithZeroVfsAndAutoprobeOne() {
        k.write(PF + "sriov_drivers_autoprobe", "0");
        k.write(PF + "sriov_numvfs", "2");
        k.write(PF + "driver_override", "igb");
        k.write(PF + "remove", "1");
        assertFalse(k.isPresent(PF_ADDRESS));
        assertFalse(k.isPresent(vf(0)));
        assertFalse(k.exists("bus/pci/devices/0000:01:00.0"));
        assertEquals(List.of("0", "1", "2", "3", "4"), k.list("kernel/iommu_groups"));
        k.write("bus/pci/rescan", "1");
        assertEquals(Optional.of("igb"), k.driverOf(PF_ADDRESS));
        assertEquals("0\n", k.read(PF + "sriov_numvfs"));
        assertEquals("1\n", k.read(PF + "sriov_drivers_autoprobe"));
        assertEquals("(null)\n", k.read(PF + "driver_override"));
        assertEquals(OptionalInt.of(5), k.iommuGroupOf(PF_ADDRESS));
    }

    @Test
    void removingABridgeRemovesEverythingBehindIt() {
        k.write(PF + "sriov_numvfs", "1");
        k.write("bus/pci/devices/0000:00:01.0/remove", "1");
        assertFalse(k.isPresent(PF_ADDRESS));
        k.write("bus/pci/devices/0000:00:02.0/remove", "0");
        assertTrue(k.isPresent(PciAddress.parse("0000:00:02.0")), "writing 0 removes nothing");
        k.write("bus/pci/rescan", "1");
        assertTrue(k.isPresent(PF_ADDRESS));
        assertEquals(Optional.of("pcieport"), k.driverOf(PciAddress.parse("0000:00:01.0")));
    }

    @Test
    void openHostRunsTheEngineOnThisKernel() {
        k.write(PF + "sriov_numvfs", "3");
        k.write(dev(2) + "driver_override", "vfio-pci");
        k.write(dev(2) + "driver/unbind", vf(2).toString());
        k.write("bus/pci/drivers_probe", vf(2).toString());
        try (SriovHost host = k.openHost()) {
            Topology t = host.topology();
            PhysicalFunction pf = t.physicalFunction(PF_ADDRESS).orElseThrow();
            assertEquals(7, pf.totalVfs());
            assertEquals(3, pf.numVfs());
            assertEquals(List.of(vf(0), vf(1), vf(2)), pf.vfs());
            VirtualFunction v2 = t.virtualFunction(vf(2)).orElseThrow();
            assertEquals(Optional.of("vfio-pci"), v2.function().driver());
            assertEquals(Optional.of("vfio-pci"), v2.function().driverOverride());
            assertEquals(OptionalInt.of(8), v2.function().iommuGroup());
            assertEquals(List.of("eth1"), t.virtualFunction(vf(0)).orElseThrow().function().netdevs());
            assertEquals(11, host.topology(ScanScope.ALL_FUNCTIONS).functions().size());
        }
    }

    @Test
    void concurrentWritersSeeAConsistentKernel() throws Exception {
        k.write(PF + "sriov_numvfs", "7");
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 7; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    String bdf = vf(index).toString();
                    for (int round = 0; round < 50; round++) {
                        k.write(dev(index) + "driver_override", "vfio-pci");
                        k.write("bus/pci/drivers/igbvf/unbind", bdf);
                        k.write("bus/pci/drivers_probe", bdf);
                        k.write("bus/pci/drivers/vfio-pci/unbind", bdf);
                        k.write(dev(index) + "driver_override", "\n");
                        k.write("bus/pci/drivers/igbvf/bind", bdf);
                        k.read(PF + "sriov_numvfs");
                        k.list("class/net");
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 7; i++) {
            assertEquals(Optional.of("igbvf"), k.driverOf(vf(i)));
        }
        assertEquals(List.of("eth0", "eth1", "eth2", "eth3", "eth4", "eth5", "eth6", "eth7", "lo"),
                k.list("class/net"));
        assertEquals(List.of("vfio"), k.devices().list("vfio"));
    }
}
