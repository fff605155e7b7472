package org.sriov4j.spi;

import java.util.Objects;

/**
 * The outcome of {@link HypervisorBackendProvider#probe(ProbeContext)}: whether the backend can work on this host,
 * and why (or why not), in words an operator can act on.
 *
 * @param available whether the backend can be used
 * @param reason why, e.g. {@code "vfio-pci driver loaded, /dev/vfio/vfio present"}
 */
public record BackendProbe(boolean available, String reason) {

    /**
     * Checks the reason.
     *
     * @param available whether the backend can be used
     * @param reason why, e.g. {@code "vfio-pci driver loaded, /dev/vfio/vfio present"}
     * @throws NullPointerException if reason is null
     */
    public BackendProbe {
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * An available result.
     *
     * @param reason why
     * @return the probe result
     */
    public static BackendProbe available(String reason) {
        return new BackendProbe(true, reason);
    }

    /**
     * An unavailable result.
     *
     * @param reason why not
     * @return the probe result
     */
    public static BackendProbe unavailable(String reason) {
        return new BackendProbe(false, reason);
    }
}
