package org.sriov4j.spi;

import java.util.Optional;
import org.sriov4j.PciFunction;

/**
 * Device-specific knowledge about a family of physical functions, found through {@link java.util.ServiceLoader}.
 * For each PF the engine uses the plugin with the best {@link MatchLevel}, then the highest {@link #priority()}.
 */
public interface VendorPlugin {

    /** How well a plugin matches a PF. */
    enum MatchLevel {
        /** Does not apply. */
        NONE,
        /** Applies to any SR-IOV device. */
        GENERIC,
        /** Applies to this vendor's devices. */
        VENDOR,
        /** Written for exactly this device. */
        DEVICE
    }

    /**
     * A stable id for diagnostics.
     *
     * @return e.g. {@code generic} or {@code intel-igb}
     */
    String id();

    /**
     * Breaks ties between plugins of the same match level; higher wins.
     *
     * @return the priority
     */
    default int priority() {
        return 0;
    }

    /**
     * How well this plugin matches a PF.
     *
     * @param pf the physical function
     * @return the match level
     */
    MatchLevel match(PciFunction pf);

    /**
     * The host driver for VFs of this PF, when the plugin knows it.
     *
     * @param pf the physical function
     * @return e.g. {@code igbvf}
     */
    default Optional<String> vfDriver(PciFunction pf) {
        return Optional.empty();
    }
}
