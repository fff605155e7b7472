package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.vfio.internal.KvmVfioBackendProvider;
import org.sriov4j.Lease;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.testing.SimulatedKernel;

/**
 * The features the engine reports with the kvm-vfio backend, each checked against what the host then does. VF network
 * settings: advertised, and a lease with settings applies them through the PF and restores them.
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
}
