package org.sriov4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

/**
 * {@link SysfsAccess} on a directory: {@code /sys} itself, the host's sysfs mounted elsewhere, or a captured tree.
 * Uses {@code java.nio.file} only. Content is read and written as ISO-8859-1 so that no byte is lost or rejected.
 *
 * <p>What it refuses, each with a {@link SysfsIoException} that names the path inside the tree (never the content or
 * the name of anything outside it):
 * <ul>
 *   <li>{@link Errno#EXDEV}: a path, or a link's target, that leads out of the root through a symbolic link (every
 *       read, write, listing, link lookup and existence check is resolved and checked; the links of a real sysfs
 *       all stay inside it).</li>
 *   <li>{@link Errno#EINVAL}: reading or writing something that is not a regular file (a FIFO, a socket, a device
 *       node such as {@code /dev/zero}): sysfs attributes are regular files, and opening a FIFO would block.
 *       {@link Errno#EISDIR} for a directory.</li>
 *   <li>{@link Errno#EFBIG}: an attribute longer than {@value #MAX_ATTRIBUTE_BYTES} bytes. The kernel's
 *       {@code show()} methods return at most a page ({@code PAGE_SIZE}: 4 KiB on x86-64, up to 64 KiB on arm64 and
 *       ppc64), so the limit is the largest page size; at most that many bytes plus one are read.</li>
 *   <li>{@link Errno#EROFS}: a write to a tree that is not a sysfs mount ({@link java.nio.file.FileStore#type()} is
 *       not {@code "sysfs"}, e.g. a captured tree), unless it was made writable
 *       ({@link #NioSysfsAccess(Path, boolean)}, {@code SriovConfig.Builder.writableTree()}, the CLI's
 *       {@code --writable-tree}). A container's bind mount of the host's {@code /sys} is a sysfs mount and stays
 *       writable.</li>
 * </ul>
 *
 * <p>Writes are one {@code write(2)} at offset 0, as sysfs wants them; on a writable tree that is not sysfs the file
 * is truncated first, so that it holds exactly what was written (sysfs replaces an attribute's value on every write,
 * a regular file would keep the tail of a longer old value). The kernel facts behind these rules:
 * docs/sysfs-access.md in the repository.
 */
public final class NioSysfsAccess implements SysfsAccess {

    /** The longest attribute read: the largest {@code PAGE_SIZE} of the architectures Linux runs on, 64 KiB. */
    public static final int MAX_ATTRIBUTE_BYTES = 64 * 1024;

    private final TreeRoot tree;
    private final boolean writableTree;

    /**
     * Creates an accessor rooted at {@code root} that writes only when the root is a sysfs mount.
     *
     * @param root the directory standing for {@code /sys}
     */
    public NioSysfsAccess(Path root) {
        this(root, false);
    }

    /**
     * Creates an accessor rooted at {@code root}.
     *
     * @param root the directory standing for {@code /sys}
     * @param writableTree whether a tree that is not a sysfs mount (a captured copy) may be written to; a real sysfs
     *        is writable either way
     */
    public NioSysfsAccess(Path root, boolean writableTree) {
        this.tree = new TreeRoot(root);
        this.writableTree = writableTree;
    }

    /**
     * The root directory.
     *
     * @return the root
     */
    public Path root() {
        return tree.root();
    }

    /**
     * Whether writes to a tree that is not a sysfs mount are allowed.
     *
     * @return true if this accessor was made with {@code writableTree}
     */
    public boolean writableTree() {
        return writableTree;
    }

    @Override
    public String read(String path) {
        try {
            TreeRoot.Target t = tree.follow("read", path);
            checkRegular("read", path, t);
            try (FileChannel ch = FileChannel.open(t.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                // the size the file claims, plus one byte to see its end (sysfs claims 4096 for every attribute)
                long claimed = t.attributes().size();
                ByteBuffer buf = ByteBuffer.allocate((int) Math.max(1, Math.min(claimed + 1, MAX_ATTRIBUTE_BYTES + 1L)));
                while (true) {
                    if (!buf.hasRemaining()) {
                        if (buf.capacity() > MAX_ATTRIBUTE_BYTES) {
                            throw new SysfsIoException("read", describe(path), Errno.EFBIG, "longer than "
                                    + MAX_ATTRIBUTE_BYTES + " bytes, which no sysfs attribute is; not read", null);
                        }
                        ByteBuffer bigger = ByteBuffer.allocate(Math.min(buf.capacity() * 4, MAX_ATTRIBUTE_BYTES + 1));
                        buf.flip();
                        bigger.put(buf);
                        buf = bigger;
                    }
                    if (ch.read(buf) < 0) {
                        break;
                    }
                }
                return new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
            }
        } catch (IOException e) {
            throw tree.failure("read", path, e);
        }
    }

    @Override
    public void write(String path, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        try {
            TreeRoot.Target t = tree.follow("write", path);
            checkRegular("write", path, t);
            boolean sysfs = isSysfsCached(t.real());
            if (!sysfs && !writableTree) {
                throw new SysfsIoException("write", describe(path), Errno.EROFS, "not a sysfs file system (a captured "
                        + "or copied tree): sriov4j changes such a tree only when asked (SriovConfig.Builder"
                        + ".writableTree(), or the CLI's --writable-tree)", null);
            }
            List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            if (!sysfs) {
                options.add(StandardOpenOption.TRUNCATE_EXISTING); // a file must hold exactly what was written
            }
            try (FileChannel ch = FileChannel.open(t.real(), options.toArray(OpenOption[]::new))) {
                int n = ch.write(ByteBuffer.wrap(bytes));
                if (n != bytes.length) {
                    throw new SysfsIoException("write", describe(path), Errno.EIO,
                            "short write: " + n + " of " + bytes.length + " bytes", null);
                }
            }
        } catch (IOException e) {
            throw tree.failure("write", path, e);
        }
    }

    static boolean isSysfs(Path real) throws IOException {
        return Files.getFileStore(real).type().equals("sysfs");
    }

    /**
     * File system types already looked up, by device number ({@code st_dev}: one per mounted file system). Finding a
     * path's file system reads all of {@code /proc/mounts} ({@link Files#getFileStore}); a detach writes three
     * attributes, and under emulation that read was 8 % of a detach's time; a {@code stat} answers the device.
     */
    private final Map<Object, Boolean> sysfsByDevice = new ConcurrentHashMap<>();

    private boolean isSysfsCached(Path real) throws IOException {
        Object dev;
        try {
            dev = Files.getAttribute(real, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return isSysfs(real);
        }
        Boolean known = sysfsByDevice.get(dev);
        if (known != null) {
            return known;
        }
        boolean sysfs = isSysfs(real);
        if (sysfsByDevice.size() < 16) {
            sysfsByDevice.put(dev, sysfs);
        }
        return sysfs;
    }

    private void checkRegular(String op, String path, TreeRoot.Target t) {
        if (t.attributes().isRegularFile()) {
            return;
        }
        if (t.attributes().isDirectory()) {
            throw new SysfsIoException(op, describe(path), Errno.EISDIR, "", null);
        }
        throw new SysfsIoException(op, describe(path), Errno.EINVAL, "not a regular file (" + kind(t.real())
                + "): sysfs attributes are regular files; not opened", null);
    }

    /** What a non-regular file is, for messages. */
    static String kind(Path real) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(real, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "not a file or directory";
        }
        return switch (mode & 0xF000) {
            case 0x1000 -> "a FIFO";
            case 0x2000 -> "a character device";
            case 0x6000 -> "a block device";
            case 0xC000 -> "a socket";
            default -> "not a file or directory";
        };
    }

    @Override
    public List<String> list(String dir) {
        List<String> names;
        try {
            names = list(dir, true);
        } catch (NoSuchFileException | NotDirectoryException e) {
            if (!tree.remembers(dir)) {
                throw tree.failure("list", dir, e);
            }
            tree.forget(dir);
            try {
                names = list(dir, false);
            } catch (IOException again) {
                throw tree.failure("list", dir, again);
            }
        } catch (IOException e) {
            throw tree.failure("list", dir, e);
        }
        Collections.sort(names);
        return names;
    }

    private List<String> list(String dir, boolean cached) throws IOException {
        Path real = tree.realDir("list", TreeRoot.checkRelative(dir), cached);
        // opening a FIFO for reading blocks until a writer comes (NIO opens a directory with plain O_RDONLY, no
        // O_DIRECTORY): anything but a directory is refused before the open (found by TopologyScanFuzzTest)
        if (!Files.isDirectory(real)) {
            throw new NotDirectoryException(real.toString());
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(real)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public String readLink(String path) {
        try {
            Path link = tree.entry("readlink", path, true);
            Path target;
            try {
                target = Files.readSymbolicLink(link);
            } catch (NoSuchFileException | NotDirectoryException e) {
                String dir = TreeRoot.split(path).dir();
                if (!tree.remembers(dir)) {
                    throw e;
                }
                tree.forget(dir); // the remembered directory went away: look again
                link = tree.entry("readlink", path, false);
                target = Files.readSymbolicLink(link);
            }
            tree.checkLinkTarget("readlink", path, link, target);
            return target.toString();
        } catch (NotLinkException e) {
            throw new SysfsIoException("readlink", describe(path), Errno.EINVAL, "not a symbolic link", e);
        } catch (IOException e) {
            throw tree.failure("readlink", path, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws SysfsIoException {@link Errno#EXDEV} if the entry's directory leads out of the root
     */
    @Override
    public boolean exists(String path) {
        return tree.exists("exists", path);
    }

    @Override
    public String describe(String path) {
        return tree.describe(path);
    }
}
