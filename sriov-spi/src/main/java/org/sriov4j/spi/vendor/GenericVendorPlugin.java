package org.sriov4j.spi.vendor;

import org.sriov4j.PciFunction;
import org.sriov4j.spi.VendorPlugin;

/**
 * The fallback plugin: matches every PF at {@link MatchLevel#GENERIC} and adds no steps, so the engine follows the
 * kernel's generic rules alone. Any plugin that matches a PF at {@link MatchLevel#VENDOR} or
 * {@link MatchLevel#DEVICE} wins over it. Public only because {@link java.util.ServiceLoader} requires it.
 */
public final class GenericVendorPlugin implements VendorPlugin {

    /** The id: {@value}. */
    public static final String ID = "generic";

    /** Creates the plugin (called by ServiceLoader). */
    public GenericVendorPlugin() {
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * The lowest priority, so that another generic plugin always wins over this one.
     *
     * @return {@link Integer#MIN_VALUE}
     */
    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    /**
     * Matches every PF, generically.
     *
     * @param pf the physical function
     * @return {@link MatchLevel#GENERIC}
     */
    @Override
    public MatchLevel match(PciFunction pf) {
        return MatchLevel.GENERIC;
    }

    @Override
    public String toString() {
        return ID;
    }
}
