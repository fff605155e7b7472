package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.Errno;
import org.sriov4j.GuestPlugActuator;
import org.sriov4j.Lease;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.testing.SimulatedKernel;
import org.sriov4j.vfio.internal.KvmVfioBackendProvider;
import org.sriov4j.vfio.kernel.VfioAbi;
import org.sriov4j.vfio.testing.internal.FakeDevice;
import org.sriov4j.vfio.testing.internal.FakeVfioKernel;

/**
 * The features the engine reports with the kvm-vfio backend, each checked against what the host then does: each
 * claimed flag's operation works, each absent flag's operation is refused with an error that says what is missing.
 * VF network settings: advertised, and a lease with settings applies them through the PF and restores them (their
 * absence where the netlink does not answer: {@code EngineVfNetTest}).
 */
class KvmVfioFeaturesTest {

    @Test
    void vfNetConfigIsAdvertisedAndALeaseAppliesAndRestoresTheSettings() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        PciAddress pf = PciAddress.parse("0000:01:00.0");
        MacAddress mac = MacAddress.parse("02:00:00:00:00:01");
        try (SriovHost host = kernel.openHost()) {
            assertEquals(KvmVfioBackendProvider.ID, host.backendId());
            assertTrue(host.backendFeatures().contains(BackendFeature.VF_NET_CONFIG));
            PciAddress vf = host.enableVfs(pf, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm", VfNetConfig.builder().mac(mac).vlan(5).build())) {
                assertEquals(Optional.of("vfio-pci"), kernel.driverOf(vf));
                assertEquals(Optional.of(mac), kernel.netlink().link("eth0").vf(0).orElseThrow().config().mac());
            }
            assertEquals(Optional.of(MacAddress.ZERO), kernel.netlink().link("eth0").vf(0).orElseThrow().config()
                    .mac());
        }
    }

    @Test
    void theProviderDoesNotClaimVfNetConfigItself() {
        // the engine derives it (the settings are made by the engine for every backend)
        assertTrue(!new KvmVfioBackendProvider().features().contains(BackendFeature.VF_NET_CONFIG));
    }

    @Test
    void theFeaturesAreDerivedFromTheHostAndIterateInDeclarationOrder() {
        try (SriovHost host = SimulatedKernel.intel82576Host().openHost()) {
            List<BackendFeature> seen = new ArrayList<>(host.backendFeatures());
            assertEquals(new ArrayList<>(EnumSet.copyOf(host.backendFeatures())), seen, "declaration order");
            assertEquals(List.of(BackendFeature.USER_SPACE_DMA_MAPPING, BackendFeature.LIVE_MIGRATION_STATE_TRANSFER,
                    BackendFeature.VF_NET_CONFIG), seen, "no actuator, no iommufd on this host");
            assertThrows(UnsupportedOperationException.class, () -> host.backendFeatures().add(BackendFeature.IOMMUFD));
        }
    }

    @Test
    void userSpaceDmaMappingIsClaimedAndAMapReachesTheIommu() {
        FakeVfioKernel fake = new FakeVfioKernel();
        fake.addGroup(6, true, new FakeDevice("0000:01:10.0", 0x8086, 0x10ca));
        VfioSystem vfio = new VfioSystem(fake, "/dev/");
        try (IommuDomain d = vfio.newDomain(); HostMemory ram = vfio.allocate(2L << 20)) {
            d.openDevice(PciAddress.parse("0000:01:10.0"), 6);
            d.map(0x1000_0000L, ram.address(), ram.length(), DmaAccess.READ_WRITE);
            assertEquals(2L << 20, fake.mappedBytes(), "the kernel's IOMMU holds the mapping");
        }
        assertTrue(new KvmVfioBackendProvider().features().contains(BackendFeature.USER_SPACE_DMA_MAPPING));
    }

    @Test
    void liveMigrationStateTransferIsClaimedAndStopCopyCarriesTheDeviceState() throws IOException {
        FakeVfioKernel fake = new FakeVfioKernel();
        FakeDevice src = new FakeDevice("0000:01:10.0", 0x8086, 0x10ca);
        FakeDevice dst = new FakeDevice("0000:01:10.2", 0x8086, 0x10ca);
        src.migrationFlags = VfioAbi.MIGRATION_STOP_COPY;
        dst.migrationFlags = VfioAbi.MIGRATION_STOP_COPY;
        src.stopCopyData = new byte[] {1, 2, 3, 4, 5};
        fake.addGroup(6, true, src);
        fake.addGroup(7, true, dst);
        try (IommuDomain d = new VfioSystem(fake, "/dev/").newDomain();
                AssignedDevice a = d.openDevice(PciAddress.parse("0000:01:10.0"), 6);
                AssignedDevice b = d.openDevice(PciAddress.parse("0000:01:10.2"), 7)) {
            byte[] saved;
            try (MigrationStream out = a.migrationControl().transition(MigrationState.STOP_COPY).orElseThrow()) {
                saved = out.input().readAllBytes();
            }
            DeviceMigration in = b.migrationControl();
            try (MigrationStream s = in.transition(MigrationState.RESUMING).orElseThrow()) {
                s.output().write(saved);
                in.transition(MigrationState.RUNNING);
            }
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, dst.resumed);
        }
        assertTrue(new KvmVfioBackendProvider().features().contains(BackendFeature.LIVE_MIGRATION_STATE_TRANSFER));
    }

    @Test
    void iommufdIsClaimedExactlyWhereTheKernelOffersItAndInsistingOnItElsewhereIsRefused() {
        try (SriovHost host = SimulatedKernel.intel82576Host().openHost()) {
            assertFalse(host.backendFeatures().contains(BackendFeature.IOMMUFD), "Debian 6.12: no /dev/iommu");
        }
        try (SriovHost host = SimulatedKernel.builder().qemuQ35().intel82576("0000:01:00.0")
                .loadDrivers("igbvf", "vfio-pci").vfioCdev(true).build()
                .openHost()) {
            assertTrue(host.backendFeatures().contains(BackendFeature.IOMMUFD), "/dev/iommu and cdevs present");
        }
        FakeVfioKernel noIommufd = new FakeVfioKernel();
        VfioException e = assertThrows(VfioException.class,
                () -> new VfioSystem(noIommufd, "/dev/").newDomain(IommuApi.IOMMUFD));
        assertEquals(VfioError.IOMMUFD_UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("offers no iommufd"), e.getMessage());
        assertEquals(0, noIommufd.openFds());
    }

    @Test
    void hotPlugIsClaimedOnlyWithAnActuatorAndAttachWithoutOneSaysWhatIsMissing() {
        SimulatedKernel kernel = SimulatedKernel.intel82576Host();
        PciAddress pf = PciAddress.parse("0000:01:00.0");
        try (SriovHost host = kernel.openHost()) {
            assertFalse(host.backendFeatures().contains(BackendFeature.HOT_PLUG));
            PciAddress vf = host.enableVfs(pf, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm")) {
                SriovException e = assertThrows(SriovException.class, () -> lease.attachToGuest("vm"));
                assertEquals(Optional.of(Errno.EOPNOTSUPP), e.errno());
                assertTrue(e.getMessage().contains("plugActuator"), e.getMessage());
            }
            host.enableVfs(pf, 0);
        }
        List<String> plugged = new ArrayList<>();
        GuestPlugActuator actuator = new GuestPlugActuator() {
            @Override
            public void plug(PciAddress device, String guest) {
                plugged.add(device + " " + guest);
            }

            @Override
            public void unplug(PciAddress device, String guest, Duration timeLimit) {
                plugged.remove(device + " " + guest);
            }
        };
        try (SriovHost host = kernel.openHost(c -> c.plugActuator(actuator))) {
            assertTrue(host.backendFeatures().contains(BackendFeature.HOT_PLUG));
            PciAddress vf = host.enableVfs(pf, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "vm")) {
                lease.attachToGuest("vm");
                assertEquals(List.of(vf + " vm"), plugged);
            }
            assertEquals(List.of(), plugged, "the lease's end unplugs");
        }
    }
}
