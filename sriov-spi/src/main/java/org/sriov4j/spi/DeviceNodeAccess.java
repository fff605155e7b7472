package org.sriov4j.spi;

import java.util.List;

/**
 * Looks at device nodes under {@code /dev} (relative paths such as {@code vfio/12}). The real implementation
 * resolves against a root directory; the simulated kernel shows the nodes the real one would create.
 */
public interface DeviceNodeAccess {

    /**
     * Whether a device node exists.
     *
     * @param path the node, relative to {@code /dev}
     * @return true if present
     */
    boolean exists(String path);

    /**
     * Lists a directory under {@code /dev}.
     *
     * @param dir the directory, relative to {@code /dev}
     * @return sorted entry names, empty if the directory does not exist
     */
    List<String> list(String dir);
}
