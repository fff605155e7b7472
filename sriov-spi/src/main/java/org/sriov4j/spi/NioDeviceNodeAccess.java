package org.sriov4j.spi;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link DeviceNodeAccess} on a directory standing for {@code /dev}. Paths are resolved as {@link NioSysfsAccess}
 * resolves them: a path whose directory leads out of the root through a symbolic link is refused with
 * {@link org.sriov4j.Errno#EXDEV}.
 */
public final class NioDeviceNodeAccess implements DeviceNodeAccess {

    private final TreeRoot tree;

    /**
     * Creates an accessor rooted at {@code root}.
     *
     * @param root the directory standing for {@code /dev}
     */
    public NioDeviceNodeAccess(Path root) {
        this.tree = new TreeRoot(root);
    }

    /**
     * {@inheritDoc}
     *
     * @throws org.sriov4j.SysfsIoException {@code EXDEV} if the node's directory leads out of the root
     */
    @Override
    public boolean exists(String path) {
        return tree.exists("exists", path);
    }

    /**
     * {@inheritDoc}
     *
     * @throws org.sriov4j.SysfsIoException {@code EXDEV} if the directory leads out of the root
     */
    @Override
    public List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        Path d;
        try {
            d = tree.realDir("list", TreeRoot.checkRelative(dir), false);
        } catch (IOException e) {
            return names;
        }
        if (!Files.isDirectory(d)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            return names;
        }
        Collections.sort(names);
        return names;
    }
}
