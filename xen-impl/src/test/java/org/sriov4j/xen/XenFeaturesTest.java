package org.sriov4j.xen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovHost;
import org.sriov4j.testing.FakeXl;
import org.sriov4j.testing.SimulatedKernel;

/**
 * The features the engine reports with the xen-pciback backend, each checked against what the host then does:
 * {@link BackendFeature#HOT_PLUG} is claimed and {@code xl pci-attach} happens;
 * {@link BackendFeature#USER_SPACE_DMA_MAPPING} and {@link BackendFeature#IOMMUFD} are absent and a leased VF is on pciback with no VFIO group node, so VFIO
 * (which opens only functions on vfio-pci) refuses it. {@link BackendFeature#LIVE_MIGRATION_STATE_TRANSFER} is
 * absent and the migration planner falls back to unplug/re-plug saying why ({@code XenMigrationPlanTest});
 * {@link BackendFeature#VF_NET_CONFIG} is claimed and applied ({@code XenVfNetConfigTest}).
 */
class XenFeaturesTest {
    static final PciAddress PF = PciAddress.parse("0000:01:00.0");

    @Test
    void xenClaimsHotPlugAndVfNetConfigOnlyInDeclarationOrder() {
        try (SriovHost host = SimulatedKernel.xenDom0Host().openHost()) {
            assertEquals(List.of(BackendFeature.HOT_PLUG, BackendFeature.VF_NET_CONFIG),
                    List.copyOf(host.backendFeatures()));
            assertThrows(UnsupportedOperationException.class, () -> host.backendFeatures().clear());
        }
    }

    @Test
    void hotPlugIsClaimedAndAttachPlugsTheVfIntoTheDomain() {
        SimulatedKernel kernel = SimulatedKernel.xenDom0Host();
        FakeXl xl = kernel.fakeXl();
        xl.createDomain("domu1", true);
        try (SriovHost host = kernel.openHost()) {
            assertTrue(host.backendFeatures().contains(BackendFeature.HOT_PLUG));
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "domu1")) {
                lease.attachToGuest("domu1");
                assertEquals(List.of(vf), xl.attached("domu1"));
                assertEquals(Optional.of("domu1"), lease.attachedTo());
            }
            assertEquals(List.of(), xl.attached("domu1"), "the lease's end detaches it");
        }
    }

    @Test
    void withoutUserSpaceDmaMappingALeasedVfIsOnPcibackWithNoVfioGroupNode() {
        SimulatedKernel kernel = SimulatedKernel.xenDom0Host();
        try (SriovHost host = kernel.openHost()) {
            assertFalse(host.backendFeatures().contains(BackendFeature.USER_SPACE_DMA_MAPPING));
            assertFalse(host.backendFeatures().contains(BackendFeature.IOMMUFD));
            PciAddress vf = host.enableVfs(PF, 1).vfs().get(0);
            try (Lease lease = host.lease(vf, "domu1")) {
                assertEquals(Optional.of("pciback"), kernel.driverOf(lease.device()),
                        "VFIO's openDevice refuses a function not on vfio-pci (NOT_BOUND_TO_VFIO_PCI)");
                assertFalse(kernel.devices().exists("vfio/vfio"), "no VFIO container on a Xen dom0");
                kernel.iommuGroupOf(vf).ifPresent(g -> assertFalse(kernel.devices().exists("vfio/" + g)));
            }
        }
    }
}
