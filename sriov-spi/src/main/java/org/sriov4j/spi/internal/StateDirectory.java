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
     * Per subdirectory name, what its last full check found ({@link #subdirectory}): a later use that finds the same
     * directory there needs one {@code lstat} instead of two.
     */
    private final Map<String, Checked> checked = new java.util.concurrent.ConcurrentHashMap<>();

    /** A subdirectory as a full check of it and of the state directory found it: its identity, owner and mode. */
    private record Checked(Object dev, Object ino, Object uid, Object mode) {
    }

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
        Checked before = checked.get(name);
        if (before != null && before.equals(identify(dir))) {
            return dir;
        }
        if (!check(root, create)) {
            return null;
        }
        if (!check(dir, create)) {
            return null;
        }
        Checked now = identify(dir);
        if (now != null) {
            checked.put(name, now);
        }
        return dir;
    }

    /**
     * One {@code lstat} of a subdirectory, for {@link #subdirectory}'s quick path: its device and inode numbers, owner
     * and mode, or null if it is missing, not a directory, or the platform does not say (then the full check runs).
     *
     * <p>Why the same four values mean that both full checks would pass again, so that checking the state directory
     * itself again adds nothing: the subdirectory is the very directory that was checked (the same inode on the same
     * device; an inode number is only reused after the directory was deleted, and a directory someone else created
     * in its place has another owner, or a mode the check refused, or a check of its own), with the owner and mode
     * the check accepted. Its path can only lead to it through the state directory it was checked in: a directory
     * cannot be hard-linked, and moving it into another parent needs write permission on the checked state
     * directory, which only this user and root have. A state directory replaced after the check (by whoever may
     * write its parent) leads to another subdirectory, which the comparison does not match, so the full check runs
     * and refuses what it would have refused. (A state directory replaced by a symbolic link to the checked one leads
     * to the checked subdirectory itself, which is used: nothing another user can write is read or written; the
     * full check, run again whenever the subdirectory differs, still refuses a link.) Caching the check without this
     * {@code lstat} would not be as safe: a replacement of the state directory by another user who may write its
     * parent would then be used for the life of the host object, where now it is refused at the next use.
     */
    private @Nullable Checked identify(Path dir) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(dir, "unix:dev,ino,uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException x) {
            return null;
        }
        Object dev = a.get("dev");
        Object ino = a.get("ino");
        Object owner = a.get("uid");
        Object mode = a.get("mode");
        if (!Boolean.TRUE.equals(a.get("isDirectory")) || dev == null || ino == null || owner == null || mode == null) {
            return null;
        }
        return new Checked(dev, ino, owner, mode);
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
