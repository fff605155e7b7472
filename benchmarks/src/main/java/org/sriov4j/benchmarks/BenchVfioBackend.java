package org.sriov4j.benchmarks;

import java.util.EnumSet;
import java.util.Set;
import org.sriov4j.BackendFeature;
import org.sriov4j.spi.BackendProbe;
import org.sriov4j.spi.HypervisorBackendProvider;
import org.sriov4j.spi.ProbeContext;

/**
 * The backend of {@link LeaseBenchmark}: the engine detaches to vfio-pci when vfio-pci is loaded. It stands in for
 * {@code sriov4j-vfio}'s provider, which it copies in what the lease path uses (the stub driver and the probe),
 * so that the benchmarks neither carry JNA nor depend on the state of that module. Public only because
 * {@link java.util.ServiceLoader} requires it.
 */
public final class BenchVfioBackend implements HypervisorBackendProvider {

    /** Creates the provider. */
    public BenchVfioBackend() {
    }

    @Override
    public String id() {
        return "bench-vfio";
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
