package org.sriov4j.spi.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;

/**
 * The checks every use of the state directory goes through ({@link org.sriov4j.SriovConfig#stateDir()}): the state
 * directory and its subdirectories {@code ledger/} and {@code locks/} must be real directories (a symbolic link is
 * refused, never followed), owned by the user this process runs as (its effective uid, the owner of
 * {@code /proc/self}), and not writable by group or others. The parents of the state directory are the operator's
 * choice and are not checked (they may be symbolic links, e.g. {@code /var/run}).
 *
 * <p>Why: sriov4j runs as root and acts on what the ledger says (which driver to bind, which process holds a lease).
 * A directory another user owns or can write lets that user forge records, or put symbolic links where sriov4j
 * writes. Files inside are opened with {@link LinkOption#NOFOLLOW_LINKS} (or created with {@code CREATE_NEW}) by
 * {@link Ledger} and {@link FunctionLocks}.
 *
 * <p>Directories are created with mode 0700. A state directory that does not exist is not an error for readers: it
 * holds nothing ({@link #exists()}).
 */
final class StateDirectory {

    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private final Path root;
    private final OptionalLong uid;

    /**
     * The state directory, checked against the owner of {@code /proc/self} (the effective uid).
     *
     * @param root the state directory
     */
    StateDirectory(Path root) {
        this(root, effectiveUid());
    }

    /**
     * For tests: the owner every directory must have.
     *
     * @param root the state directory
     * @param uid the required owner; empty to skip the owner check (a platform without {@code /proc})
     */
    StateDirectory(Path root, OptionalLong uid) {
        this.root = Objects.requireNonNull(root, "root");
        this.uid = Objects.requireNonNull(uid, "uid");
    }

    private static OptionalLong effectiveUid() {
        try {
            return OptionalLong.of(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException x) {
            return OptionalLong.empty();
        }
    }

    /**
     * The state directory.
     *
     * @return its path
     */
    Path root() {
        return root;
    }

    /**
     * Whether the state directory exists (as anything: a file there is refused by {@link #subdirectory}).
     *
     * @return true if something is at its path
     */
    boolean exists() {
        return Files.exists(root, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A checked subdirectory of the state directory, created (with the state directory) if asked.
     *
     * @param name {@code ledger} or {@code locks}
     * @param create whether to create what is missing
     * @return the subdirectory, or null if it does not exist and {@code create} is false
     * @throws SriovException if the state directory or the subdirectory is not a directory, is a symbolic link, has
     *     another owner or is writable by group or others, or cannot be created
     */
    @Nullable Path subdirectory(String name, boolean create) {
        Path dir = root.resolve(name);
        if (!check(root, create)) {
            return null;
        }
        return check(dir, create) ? dir : null;
    }

    /** Checks one directory; creates it if missing and asked to. Returns false if it is missing. */
    private boolean check(Path dir, boolean create) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(dir, "unix:mode,uid,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException x) {
            if (!create) {
                return false;
            }
            try {
                Files.createDirectory(dir, DIR_MODE);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------")); // despite umask
                Path parent = dir.toAbsolutePath().getParent();
                if (parent != null) {
                    Ledger.forceDirectory(parent);
                }
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // created meanwhile by another process: checked below
            } catch (IOException y) {
                throw new SriovException("create state directory", null, LedgerFormat.errno(y), dir.toString(), "",
                        y);
            }
            return check(dir, false);
        } catch (UnsupportedOperationException | IllegalArgumentException x) {
            return checkPortably(dir, create);
        } catch (IOException x) {
            throw new SriovException("check state directory", null, LedgerFormat.errno(x), dir.toString(), "", x);
        }
        if (Boolean.TRUE.equals(a.get("isSymbolicLink"))) {
            throw refuse(dir, Errno.EPERM, "it is a symbolic link; sriov4j never follows links in its state directory"
                    + " (use the link's target as the state directory)");
        }
        if (!Boolean.TRUE.equals(a.get("isDirectory"))) {
            throw refuse(dir, Errno.ENOTDIR, "it is not a directory");
        }
        if (!(a.get("uid") instanceof Number ownerNumber) || !(a.get("mode") instanceof Number modeNumber)) {
            return checkPortably(dir, create); // the view did not give them
        }
        long owner = ownerNumber.longValue();
        if (uid.isPresent() && owner != uid.getAsLong()) {
            throw refuse(dir, Errno.EPERM, "it is owned by uid " + owner + ", not by uid " + uid.getAsLong()
                    + " that this process runs as: another user could forge its records");
        }
        int mode = modeNumber.intValue();
        if ((mode & 022) != 0) {
            throw refuse(dir, Errno.EPERM, String.format("its mode is %04o: group or others may write it and forge "
                    + "its records (chmod go-w, or 0700 as sriov4j creates it)", mode & 07777));
        }
        return true;
    }

    /** Where the "unix" attribute view is missing: the same checks with the POSIX view, without the owner's uid. */
    private boolean checkPortably(Path dir, boolean create) {
        if (Files.isSymbolicLink(dir)) {
            throw refuse(dir, Errno.EPERM, "it is a symbolic link; sriov4j never follows links in its state directory");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!create) {
                return false;
            }
            try {
                Files.createDirectories(dir, DIR_MODE);
            } catch (IOException y) {
                throw new SriovException("create state directory", null, LedgerFormat.errno(y), dir.toString(), "",
                        y);
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse(dir, Errno.ENOTDIR, "it is not a directory");
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (p.stream().anyMatch(OTHERS_WRITE::contains)) {
                throw refuse(dir, Errno.EPERM, "group or others may write it and forge its records");
            }
        } catch (UnsupportedOperationException x) {
            // no POSIX permissions on this platform: nothing more to check
        } catch (IOException x) {
            throw new SriovException("check state directory", null, LedgerFormat.errno(x), dir.toString(), "", x);
        }
        return true;
    }

    private static SriovException refuse(Path dir, Errno errno, String why) {
        return new SriovException("use state directory", null, errno, dir.toString(), "refused: " + why, null);
    }
}
