package org.sriov4j;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.sriov4j.bootstrap.SriovHostFactory;

/**
 * The SR-IOV view of one Linux host: the entry point of sriov4j.
 *
 * <pre>{@code
 * try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
 *     Topology t = host.topology();
 *     t.physicalFunctions().forEach(pf -> System.out.println(pf.address() + ": " + pf.numVfs() + " VFs"));
 * }
 * }</pre>
 *
 * <p>Implementations are thread-safe. Every method throws {@link SriovException} (unchecked) on failure, with the
 * device, operation, errno and path where they are known.
 */
public interface SriovHost extends AutoCloseable {

    /**
     * Opens the host described by {@code config}, using the engine found through {@link ServiceLoader}.
     *
     * @param config the configuration
     * @return the open host; close it when done
     * @throws EngineUnavailableException if no engine is on the class path or module path, or more than one is
     * @throws SriovException if the host cannot be opened
     */
    static SriovHost open(SriovConfig config) {
        List<SriovHostFactory> factories = new ArrayList<>();
        ServiceLoader.load(SriovHostFactory.class, SriovHost.class.getClassLoader()).forEach(factories::add);
        if (factories.isEmpty()) {
            throw new EngineUnavailableException("open host",
                    "no sriov4j engine found: add sriov4j-spi with a backend (sriov4j-vfio or sriov4j-xen)");
        }
        if (factories.size() > 1) {
            throw new EngineUnavailableException("open host", "more than one sriov4j engine found: "
                    + factories.stream().map(f -> f.getClass().getName()).toList());
        }
        return factories.get(0).open(config);
    }

    /**
     * The configuration this host was opened with.
     *
     * @return the configuration
     */
    SriovConfig config();

    /**
     * Scans the host's physical and virtual functions. Equivalent to {@code topology(ScanScope.SRIOV)}.
     *
     * @return a new immutable snapshot
     * @throws SriovException if sysfs cannot be read or holds malformed content
     */
    default Topology topology() {
        return topology(ScanScope.SRIOV);
    }

    /**
     * Scans the host. Devices that disappear while the scan runs (VFs being removed) are left out, never an error.
     *
     * @param scope which functions to describe
     * @return a new immutable snapshot
     * @throws SriovException if sysfs cannot be read or holds malformed content (the message names the file and
     *     quotes its content)
     */
    Topology topology(ScanScope scope);

    /**
     * Releases what this host object holds. Does not change any device.
     */
    @Override
    void close();
}
