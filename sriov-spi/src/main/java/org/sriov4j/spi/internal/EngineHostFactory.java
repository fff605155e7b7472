package org.sriov4j.spi.internal;

import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.bootstrap.SriovHostFactory;
import org.sriov4j.spi.NioDeviceNodeAccess;
import org.sriov4j.spi.NioSysfsAccess;

/** The {@link SriovHostFactory} registered through ServiceLoader: the engine on the configured roots. */
public final class EngineHostFactory implements SriovHostFactory {

    /** Creates the factory (called by ServiceLoader). */
    public EngineHostFactory() {
    }

    @Override
    public SriovHost open(SriovConfig config) {
        return new EngineHost(config, new NioSysfsAccess(config.sysfsRoot(), config.writableTree()),
                new NioDeviceNodeAccess(config.devRoot()));
    }
}
