package org.sriov4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sriov4j.BackendFeature;
import org.sriov4j.EngineUnavailableException;

class BackendSelectorTest {

    record Fake(String id, int priority, BackendProbe result) implements HypervisorBackendProvider {
        @Override
        public Set<BackendFeature> features() {
            return Set.of();
        }

        @Override
        public String stubDriver() {
            return "stub";
        }

        @Override
        public BackendProbe probe(ProbeContext context) {
            if (result == null) {
                throw new IllegalStateException("boom");
            }
            return result;
        }
    }

    static final ProbeContext CTX = new ProbeContext(new NioSysfsAccess(java.nio.file.Path.of("/nonexistent")),
            new NioDeviceNodeAccess(java.nio.file.Path.of("/nonexistent")));

    final Fake vfio = new Fake("kvm-vfio", 100, BackendProbe.available("vfio-pci loaded"));
    final Fake xen = new Fake("xen-pciback", 200, BackendProbe.unavailable("not on Xen"));
    final Fake xenUp = new Fake("xen-pciback", 200, BackendProbe.available("dom0"));

    @Test
    void highestPriorityAvailableProviderWins() {
        assertEquals("xen-pciback", BackendSelector.select(List.of(vfio, xenUp), null, CTX).id());
        assertEquals("kvm-vfio", BackendSelector.select(List.of(vfio, xen), null, CTX).id());
    }

    @Test
    void explicitIdWinsOverPriority() {
        assertEquals("kvm-vfio", BackendSelector.select(List.of(vfio, xenUp), "kvm-vfio", CTX).id());
    }

    @Test
    void explicitIdThatIsUnavailableIsAnErrorWithItsReason() {
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> BackendSelector.select(List.of(vfio, xen), "xen-pciback", CTX));
        assertTrue(e.getMessage().contains("not on Xen"), e.getMessage());
    }

    @Test
    void unknownExplicitIdIsAnErrorListingTheProviders() {
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> BackendSelector.select(List.of(vfio), "hyperv", CTX));
        assertTrue(e.getMessage().contains("kvm-vfio (priority 100): available"), e.getMessage());
    }

    @Test
    void nothingAvailableListsEveryProviderWithItsReason() {
        Fake down = new Fake("kvm-vfio", 100, BackendProbe.unavailable("vfio-pci not loaded"));
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> BackendSelector.select(List.of(down, xen), null, CTX));
        assertTrue(e.getMessage().contains("vfio-pci not loaded") && e.getMessage().contains("not on Xen"),
                e.getMessage());
    }

    @Test
    void aTieAtTheTopIsAnError() {
        Fake other = new Fake("other", 100, BackendProbe.available("yes"));
        assertThrows(EngineUnavailableException.class, () -> BackendSelector.select(List.of(vfio, other), null, CTX));
    }

    @Test
    void aProbeThatThrowsCountsAsUnavailableAndDoesNotHideTheOthers() {
        Fake broken = new Fake("broken", 500, null);
        assertEquals("kvm-vfio", BackendSelector.select(List.of(broken, vfio), null, CTX).id());
    }

    @Test
    void noProvidersAtAllSaysWhichJarToAdd() {
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> BackendSelector.select(List.of(), null, CTX));
        assertTrue(e.getMessage().contains("sriov4j-vfio"), e.getMessage());
    }
}
