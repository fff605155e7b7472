package org.sriov4j.spi;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;

/**
 * Resolves relative paths under a root directory ({@code /sys}, {@code /dev} or a tree standing for one) without
 * ever leaving it: symbolic links are followed one component at a time, as the kernel follows them, and a path that
 * would go above the root (a {@code ..} at the root, an absolute target elsewhere) is refused with
 * {@link Errno#EXDEV}, the errno {@code openat2(2)} returns for {@code RESOLVE_BENEATH}. Real sysfs is full of links
 * between {@code bus/}, {@code devices/} and {@code kernel/iommu_groups/}; they all stay under the root, so nothing
 * real is refused (docs/sysfs-access.md).
 *
 * <p>The real paths of directories are remembered (at most {@value #MAX_CACHED_DIRS}), so that reading the
 * attributes of one device costs one {@code readlink(2)} and one {@code lstat(2)} for its directory and one
 * {@code lstat(2)} per attribute. A remembered directory that is gone is looked up again. The check is made when a
 * path is resolved, not atomically with the open that follows; a final symbolic link swapped in after the check is
 * not followed (the opens use {@code O_NOFOLLOW}). A tree that someone else can change while sriov4j runs can still
 * race a directory in between: sriov4j is meant for the kernel's sysfs and for trees the caller owns.
 */
final class TreeRoot {

    /** Directory real paths remembered; beyond this the memory is cleared and starts again. */
    static final int MAX_CACHED_DIRS = 16_384;

    private final Path root;
    private final String display;
    private volatile @Nullable Path realRoot;
    private final ConcurrentHashMap<String, Path> realDirs = new ConcurrentHashMap<>(1024);
    /** Real directories under the root found not to be links. */
    private final java.util.Set<Path> knownDirs = ConcurrentHashMap.newKeySet(1024);

    TreeRoot(Path root) {
        this.root = Objects.requireNonNull(root, "root");
        String r = root.toString();
        this.display = r.endsWith("/") ? r : r + "/";
    }

    Path root() {
        return root;
    }

    /** How a path under the root is named in messages: the path inside the tree, never a link's target. */
    String describe(String path) {
        return display + path;
    }

    /**
     * Checks the syntax of a relative path: not absolute, no NUL, no {@code ..} component.
     *
     * @throws IllegalArgumentException if it is not a relative path inside the tree (a caller's programming error:
     *         names read from sysfs are validated before they become parts of paths)
     */
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

    private Path realRoot() throws IOException {
        Path r = realRoot;
        if (r == null) {
            r = root.toRealPath();
            realRoot = r;
        }
        return r;
    }

    /** Whether a real path is the root or under it. */
    boolean contains(Path real) throws IOException {
        return real.startsWith(realRoot());
    }

    /** A relative path split into its directory (relative, possibly empty) and its last component. */
    record Split(String dir, String name) {
    }

    static Split split(String path) {
        String p = path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        String dir = slash < 0 ? "" : p.substring(0, slash);
        while (dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        return new Split(dir, slash < 0 ? p : p.substring(slash + 1));
    }

    /**
     * The real path of a directory under the root (links followed), checked to be under the root.
     *
     * @param op the operation, for the exception
     * @param dir the directory, relative (empty for the root)
     * @param cached whether a remembered real path may be used
     * @throws IOException as the file system reports it (ENOENT, ENOTDIR, ELOOP...)
     * @throws SysfsIoException {@code EXDEV} if it resolves outside the root
     */
    Path realDir(String op, String dir, boolean cached) throws IOException {
        if (dir.isEmpty()) {
            return realRoot();
        }
        if (cached) {
            Path known = realDirs.get(dir);
            if (known != null) {
                return known;
            }
        }
        Split s = split(dir);
        Path real = resolve(op, dir, realDir(op, s.dir(), cached), s.name(), cached, new int[1]);
        if (realDirs.size() >= MAX_CACHED_DIRS) {
            realDirs.clear();
        }
        realDirs.put(dir, real);
        return real;
    }

    /** The most symbolic links followed in one resolution, as the kernel's {@code MAXSYMLINKS}. */
    static final int MAX_LINKS = 40;

    /**
     * The real path of {@code name} in the real directory {@code base} (under the root), following a symbolic link
     * component by component the way the kernel does, and never above the root: a {@code ..} at the root, or an
     * absolute target outside it, is {@code EXDEV} (as {@code openat2(2)} with {@code RESOLVE_BENEATH}). Directories
     * found not to be links are remembered, so that the links of sysfs ({@code bus/pci/devices/X} to
     * {@code ../../../devices/...}) cost one {@code readlink(2)} and one {@code lstat(2)} each.
     *
     * @param rel the path being resolved, for messages
     * @param trustKnown whether remembered directories may be used
     * @param links how many links this resolution has followed so far
     */
    private Path resolve(String op, String rel, Path base, String name, boolean trustKnown, int[] links)
            throws IOException {
        if (name.isEmpty() || name.equals(".")) {
            return base;
        }
        Path r = realRoot();
        if (name.equals("..")) {
            Path up = base.getParent();
            if (base.equals(r) || up == null) {
                throw escape(op, rel);
            }
            return up;
        }
        Path p = base.resolve(name);
        if (trustKnown && knownDirs.contains(p)) {
            return p;
        }
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isSymbolicLink()) {
            if (a.isDirectory()) {
                if (knownDirs.size() >= MAX_CACHED_DIRS) {
                    knownDirs.clear();
                }
                knownDirs.add(p);
            }
            return p;
        }
        if (++links[0] > MAX_LINKS) {
            throw new FileSystemException(describe(rel), null, "Too many levels of symbolic links");
        }
        Path target = Files.readSymbolicLink(p);
        Path at = base;
        if (target.isAbsolute()) {
            Path t = target.normalize();
            if (!t.startsWith(r)) {
                throw escape(op, rel);
            }
            target = r.relativize(t);
            at = r;
        }
        for (Path component : target) {
            at = resolve(op, rel, at, component.toString(), trustKnown, links);
        }
        return at;
    }

    /** Forgets a directory whose remembered real path turned out to be gone. */
    void forget(String dir) {
        realDirs.remove(dir);
    }

    /** Whether a directory's real path is remembered (a failure under it may be a stale memory). */
    boolean remembers(String dir) {
        return realDirs.containsKey(dir);
    }

    /** An entry resolved to its real path, with the attributes of what it is (links followed). */
    record Target(Path real, BasicFileAttributes attributes) {
    }

    /**
     * Resolves an entry, following a final symbolic link, and checks the result is under the root.
     *
     * @throws IOException as the file system reports it
     * @throws SysfsIoException {@code EXDEV} if it resolves outside the root
     */
    Target follow(String op, String path) throws IOException {
        Split s = split(checkRelative(path));
        if (s.name().isEmpty()) {
            Path r = realRoot();
            return new Target(r, Files.readAttributes(r, BasicFileAttributes.class));
        }
        try {
            return follow(op, path, s, true);
        } catch (NoSuchFileException | NotDirectoryException e) {
            if (!remembers(s.dir())) {
                throw e;
            }
            forget(s.dir());
            return follow(op, path, s, false);
        }
    }

    private Target follow(String op, String path, Split s, boolean cached) throws IOException {
        Path dir = realDir(op, s.dir(), cached);
        Path entry = dir.resolve(s.name());
        BasicFileAttributes a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isSymbolicLink()) {
            return new Target(entry, a);
        }
        Path real = resolve(op, path, dir, s.name(), cached, new int[1]);
        return new Target(real, Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * The entry itself (a final link not followed), its directory resolved and checked; nothing is looked up for the
     * entry itself.
     *
     * @param cached whether a remembered real path of its directory may be used
     * @throws IOException as the file system reports it for the directory
     * @throws SysfsIoException {@code EXDEV} if its directory resolves outside the root
     */
    Path entry(String op, String path, boolean cached) throws IOException {
        Split s = split(checkRelative(path));
        if (s.name().isEmpty()) {
            return realRoot();
        }
        return realDir(op, s.dir(), cached).resolve(s.name());
    }

    /**
     * Whether an entry exists (a dangling link counts); false when its directory does not exist.
     *
     * @throws SysfsIoException {@code EXDEV} if its directory resolves outside the root
     */
    boolean exists(String op, String path) {
        try {
            Path e = entry(op, path, true);
            if (Files.exists(e, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            String dir = split(path).dir();
            Path parent = e.getParent();
            if (!remembers(dir) || parent == null || Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            forget(dir); // the remembered directory went away (a device removed): look again
            return Files.exists(entry(op, path, false), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Checks that a link's target names a place under the root: its text, resolved against the link's real
     * directory, must not lead out (lexically: the target need not exist, captured trees hold links to what was not
     * captured). The target is not followed here; whatever later reads, writes or lists through it is checked then.
     *
     * @throws SysfsIoException {@code EXDEV} if the target is outside the root
     */
    void checkLinkTarget(String op, String link, Path linkReal, Path target) throws IOException {
        Path parent = linkReal.getParent();
        Path resolved = (parent == null ? target : parent.resolve(target)).normalize();
        if (!contains(resolved)) {
            throw escape(op, link);
        }
    }

    SysfsIoException escape(String op, String path) {
        return new SysfsIoException(op, describe(path), Errno.EXDEV, "leads out of " + display
                + " through a symbolic link; not followed (links in sysfs stay inside it)", null);
    }

    /** A JDK I/O failure as a {@link SysfsIoException} naming the path inside the tree. */
    SysfsIoException failure(String op, String path, IOException e) {
        Errno errno = errnoOf(e);
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        // an errno sriov4j does not name keeps the system's words, so that the reason is never lost
        return new SysfsIoException(op, describe(path), errno, errno != null || reason == null ? ""
                : org.sriov4j.spi.SysfsNames.quote(reason), e);
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
        if (e instanceof java.nio.file.AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (e instanceof FileSystemLoopException) {
            return Errno.ELOOP;
        }
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (reason == null) {
            return null;
        }
        return Errno.ofMessage(reason).orElse(null);
    }
}
