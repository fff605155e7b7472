package org.sriov4j.spi;

import java.util.List;
import java.util.Optional;

/**
 * Every read and write sriov4j makes to sysfs goes through this interface. Paths are relative to the sysfs root
 * and use {@code /} as separator, e.g. {@code bus/pci/devices/0000:01:00.0/sriov_numvfs}; they never start with
 * {@code /} and never contain {@code ..}.
 *
 * <p>Implementations: {@link NioSysfsAccess} (a real or captured tree under a root directory) and the simulated
 * kernel in {@code sriov4j-test-fixtures}. Implementations are thread-safe. Every failure is a
 * {@link org.sriov4j.SysfsIoException} carrying the errno the kernel returned (or would return) and the path;
 * {@link NioSysfsAccess} also refuses paths that lead out of its root, files that are not regular, attributes longer
 * than a page and writes to a tree that is not sysfs (see there). Names read through it (entries, link targets) are
 * turned into addresses and driver names by {@link SysfsNames}.
 */
public interface SysfsAccess {

    /**
     * Reads a whole attribute, as the kernel writes it (usually with a trailing newline).
     *
     * @param path the attribute
     * @return its content
     * @throws org.sriov4j.SysfsIoException on failure; {@code ENOENT} if it does not exist
     */
    String read(String path);

    /**
     * Writes {@code value} to an attribute in one {@code write(2)} call, without creating it. On sysfs the value
     * replaces the attribute's; {@link NioSysfsAccess} makes a regular file on a writable tree hold exactly the value.
     *
     * @param path the attribute
     * @param value the text to write
     * @throws org.sriov4j.SysfsIoException with the kernel's errno if the write fails
     */
    void write(String path, String value);

    /**
     * Lists a directory.
     *
     * @param dir the directory
     * @return the entry names, sorted
     * @throws org.sriov4j.SysfsIoException on failure; {@code ENOENT} if it does not exist
     */
    List<String> list(String dir);

    /**
     * Reads a symbolic link.
     *
     * @param path the link
     * @return its target, as stored (usually relative, e.g. {@code ../../../bus/pci/drivers/igb})
     * @throws org.sriov4j.SysfsIoException {@code ENOENT} if absent, {@code EINVAL} if not a link
     */
    String readLink(String path);

    /**
     * Whether an entry exists (a link counts even if its target does not).
     *
     * @param path the entry
     * @return true if it exists
     */
    boolean exists(String path);

    /**
     * The last path component of a link's target, e.g. {@code igb} for a {@code driver} link.
     *
     * @param path the link
     * @return the name, or empty if the link does not exist
     * @throws org.sriov4j.SysfsIoException if the entry exists but cannot be read as a link
     */
    default Optional<String> linkName(String path) {
        if (!exists(path)) {
            return Optional.empty();
        }
        String target;
        try {
            target = readLink(path);
        } catch (org.sriov4j.SysfsIoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
        int end = target.length();
        while (end > 0 && target.charAt(end - 1) == '/') {
            end--;
        }
        return Optional.of(target.substring(target.lastIndexOf('/', end - 1) + 1, end));
    }

    /**
     * How to name a path in messages, e.g. {@code /sys/bus/pci/devices/...} or {@code /tmp/tree/bus/...}.
     *
     * @param path a relative path
     * @return the path as a person would find it
     */
    String describe(String path);
}
