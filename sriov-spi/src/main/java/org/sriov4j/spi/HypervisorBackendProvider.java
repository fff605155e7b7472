package org.sriov4j.spi;

import java.util.Set;
import org.sriov4j.BackendFeature;

/**
 * A hypervisor backend (KVM-VFIO, Xen pciback), found through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations must have a public no-argument constructor that does nothing expensive: no native library is
 * loaded and nothing on the host is touched until the backend is actually used. {@link #probe(ProbeContext)} only
 * reads.
 */
public interface HypervisorBackendProvider {

    /**
     * The stable id used to select this backend explicitly (system property {@code sriov4j.backend}).
     *
     * @return e.g. {@code kvm-vfio} or {@code xen-pciback}
     */
    String id();

    /**
     * The priority among available backends; higher wins.
     *
     * @return the priority
     */
    int priority();

    /**
     * What this backend can do.
     *
     * @return the features
     */
    Set<BackendFeature> features();

    /**
     * The driver a function is bound to while it is prepared for guest use.
     *
     * @return e.g. {@code vfio-pci} or {@code pciback}
     */
    String stubDriver();

    /**
     * Whether this backend can work on the host, cheaply and without side effects.
     *
     * @param context what may be looked at
     * @return the result with a reason
     */
    BackendProbe probe(ProbeContext context);
}
