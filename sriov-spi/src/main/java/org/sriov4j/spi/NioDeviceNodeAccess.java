package org.sriov4j.spi;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/** {@link DeviceNodeAccess} on a directory standing for {@code /dev}. */
public final class NioDeviceNodeAccess implements DeviceNodeAccess {

    private final Path root;

    /**
     * Creates an accessor rooted at {@code root}.
     *
     * @param root the directory standing for {@code /dev}
     */
    public NioDeviceNodeAccess(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(root.resolve(NioSysfsAccess.checkRelative(path)), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        Path d = root.resolve(NioSysfsAccess.checkRelative(dir));
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
