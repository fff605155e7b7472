package org.sriov4j.spi;

import java.util.Optional;
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
     * The stable id used to select this backend explicitly ({@link org.sriov4j.SriovConfig.Builder#backend(String)}).
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
     * What this backend can do by itself. {@link BackendFeature#HOT_PLUG} belongs here only for a backend with its
     * own {@link #assignmentSteps guest attach} (Xen); for one without, the engine reports it when the VMM gives a
     * {@link org.sriov4j.GuestPlugActuator} (kvm-vfio).
     *
     * @return the features
     */
    Set<BackendFeature> features();

    /**
     * What this backend can do on the host the context shows: {@link #features()} plus what depends on the host
     * (e.g. {@link BackendFeature#IOMMUFD} where the kernel offers it). Looks only, like {@link #probe}. The engine
     * reports this set (with its own additions) as {@link org.sriov4j.SriovHost#backendFeatures()}.
     *
     * @param context what may be looked at
     * @return the features; the default is {@link #features()}
     */
    default Set<BackendFeature> features(ProbeContext context) {
        return features();
    }

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

    /**
     * The backend's own detach, reattach and guest-attach steps. Default: none, and the engine moves functions with
     * {@code driver_override} onto {@link #stubDriver()} (kvm-vfio) and refuses to attach them to guests (the VMM
     * does that through VFIO).
     *
     * @param context the host the steps work on
     * @return the steps, or empty for the engine's own
     */
    default Optional<AssignmentSteps> assignmentSteps(BackendContext context) {
        return Optional.empty();
    }
}
