package org.sriov4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

/**
 * {@link SysfsAccess} on a directory: {@code /sys} itself, the host's sysfs mounted elsewhere, or a captured tree.
 * Uses {@code java.nio.file} only. Content is read and written as ISO-8859-1 so that no byte is lost or rejected.
 */
public final class NioSysfsAccess implements SysfsAccess {

    private final Path root;
    private final String display;

    /**
     * Creates an accessor rooted at {@code root}.
     *
     * @param root the directory standing for {@code /sys}
     */
    public NioSysfsAccess(Path root) {
        this.root = Objects.requireNonNull(root, "root");
        String r = root.toString();
        this.display = r.endsWith("/") ? r : r + "/";
    }

    /**
     * The root directory.
     *
     * @return the root
     */
    public Path root() {
        return root;
    }

    static String checkRelative(String path) {
        if (path.isEmpty()) {
            return path;
        }
        if (path.charAt(0) == '/' || path.indexOf('\0') >= 0 || path.equals("..") || path.startsWith("../")
                || path.endsWith("/..") || path.contains("/../")) {
            throw new IllegalArgumentException("not a relative sysfs path: \"" + path + "\"");
        }
        return path;
    }

    private Path resolve(String path) {
        return path.isEmpty() ? root : root.resolve(checkRelative(path));
    }

    @Override
    public String read(String path) {
        try {
            return new String(Files.readAllBytes(resolve(path)), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw failure("read", path, e);
        }
    }

    @Override
    public void write(String path, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        try (FileChannel ch = FileChannel.open(resolve(path), StandardOpenOption.WRITE)) {
            int n = ch.write(ByteBuffer.wrap(bytes));
            if (n != bytes.length) {
                throw new SysfsIoException("write", describe(path), Errno.EIO,
                        "short write: " + n + " of " + bytes.length + " bytes", null);
            }
        } catch (IOException e) {
            throw failure("write", path, e);
        }
    }

    @Override
    public List<String> list(String dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(resolve(dir))) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw failure("list", dir, e);
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public String readLink(String path) {
        try {
            return Files.readSymbolicLink(resolve(path)).toString();
        } catch (NotLinkException e) {
            throw new SysfsIoException("readlink", describe(path), Errno.EINVAL, "not a symbolic link", e);
        } catch (IOException e) {
            throw failure("readlink", path, e);
        }
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public String describe(String path) {
        return display + path;
    }

    private SysfsIoException failure(String op, String path, IOException e) {
        return new SysfsIoException(op, describe(path), errnoOf(e), "", e);
    }

    /**
     * Maps a JDK I/O exception to the errno behind it.
     *
     * @param e the exception
     * @return the errno, or null if it cannot be told
     */
    static @Nullable Errno errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (reason == null) {
            return null;
        }
        return Errno.ofMessage(reason).orElse(null);
    }
}
