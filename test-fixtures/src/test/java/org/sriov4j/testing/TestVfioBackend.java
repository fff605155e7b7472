package org.sriov4j.testing;

import java.util.EnumSet;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.spi.BackendProbe;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;

/**
 * A vfio-pci backend for this module's own tests (sriov4j-vfio depends on test-fixtures, so it cannot be on this
 * module's test class path): the engine detaches to vfio-pci when vfio-pci is loaded.
 */
public final class TestVfioBackend implements HypervisorBackendProvider {

    /** Creates the provider. */
    public TestVfioBackend() {
    }

    @Override
    public String id() {
        return "test-vfio";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Set<BackendFeature> features() {
        return EnumSet.noneOf(BackendFeature.class);
    }

    @Override
    public String stubDriver() {
        return "vfio-pci";
    }

    @Override
    public BackendProbe probe(ProbeContext context) {
        return context.sysfs().exists("bus/pci/drivers/vfio-pci") ? BackendProbe.available("vfio-pci loaded")
                : BackendProbe.unavailable("vfio-pci not loaded");
    }
}
