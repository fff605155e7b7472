package org.sriov4j.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.xen.internal.XenPcibackBackendProvider;
import org.sriov4j.Lease;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.VfNetConfig;
import org.sriov4j.testing.FakeXl;
import org.sriov4j.testing.SimulatedKernel;

/**
 * VF network settings with the xen-pciback backend: dom0 owns the PF, so the engine sets them through it exactly as
 * with kvm-vfio. The feature is advertised, and a lease with settings that is attached to a guest has them while
 * attached and gets back what was there when it ends.
 */
class XenVfNetConfigTest {

    @Test
    void vfNetConfigIsAdvertisedAndAnAttachedLeaseCarriesItsSettingsUntilItEnds() {
        SimulatedKernel kernel = SimulatedKernel.xenDom0Host();
        FakeXl xl = kernel.fakeXl();
        xl.createDomain("domu1", true);
        PciAddress pf = PciAddress.parse("0000:01:00.0");
        MacAddress mac = MacAddress.parse("02:16:3e:00:00:01");
        try (SriovHost host = kernel.openHost()) {
            assertEquals(XenPcibackBackendProvider.ID, host.backendId());
            assertTrue(host.backendFeatures().contains(BackendFeature.VF_NET_CONFIG));
            PciAddress vf = host.enableVfs(pf, 2).vfs().get(0);
            try (Lease lease = host.lease(vf, "domu1", VfNetConfig.builder().mac(mac).vlan(20, 1).build())) {
                lease.attachToGuest("domu1");
                assertEquals(List.of(vf), xl.attached("domu1"));
                assertEquals(Optional.of("pciback"), kernel.driverOf(vf));
                VfNetConfig seen = kernel.netlink().link("eth0").vf(0).orElseThrow().config();
                assertEquals(Optional.of(mac), seen.mac());
                assertEquals(Optional.of(new VfNetConfig.Vlan(20, 1, VfNetConfig.VlanProtocol.IEEE_802_1Q)),
                        seen.vlan());
            }
            assertEquals(List.of(), xl.attached("domu1"));
            VfNetConfig after = kernel.netlink().link("eth0").vf(0).orElseThrow().config();
            assertEquals(Optional.of(MacAddress.ZERO), after.mac());
            assertEquals(Optional.of(VfNetConfig.Vlan.NONE), after.vlan());
            assertEquals(Optional.of("igbvf"), kernel.driverOf(vf));
        }
    }

    @Test
    void theProviderDoesNotClaimVfNetConfigItself() {
        assertTrue(!new XenPcibackBackendProvider().features().contains(BackendFeature.VF_NET_CONFIG));
    }
}
