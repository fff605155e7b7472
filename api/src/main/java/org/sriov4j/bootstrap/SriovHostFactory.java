package org.sriov4j.bootstrap;

import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * Service interface for the engine behind {@link SriovHost#open(SriovConfig)}.
 *
 * <p>This type is public only because {@link java.util.ServiceLoader} requires it. Applications never implement or
 * call it; the {@code sriov4j-spi} module provides the one implementation.
 */
public interface SriovHostFactory {

    /**
     * Opens a host with the given configuration.
     *
     * @param config the configuration
     * @return an open host; the caller closes it
     * @throws org.sriov4j.SriovException if the host cannot be opened
     */
    SriovHost open(SriovConfig config);
}
