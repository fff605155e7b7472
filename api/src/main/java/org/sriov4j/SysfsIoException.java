package org.sriov4j;

import org.jspecify.annotations.Nullable;

/**
 * A read, write, listing or link lookup of a sysfs (or {@code /dev}) file failed. {@link #errno()} says why,
 * {@link #path()} says where.
 */
public class SysfsIoException extends SriovException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param operation {@code "read"}, {@code "write"}, {@code "list"}, {@code "readlink"}
     * @param path the file, as the kernel sees it
     * @param errno the error, if known
     * @param detail extra detail (may be empty)
     * @param cause the underlying exception, if any
     */
    public SysfsIoException(String operation, String path, @Nullable Errno errno, String detail,
            @Nullable Throwable cause) {
        super(operation, null, errno, path, detail, cause);
    }

    /**
     * Whether the file did not exist ({@link Errno#ENOENT}).
     *
     * @return true for ENOENT
     */
    public boolean isNotFound() {
        return errno().filter(e -> e == Errno.ENOENT).isPresent();
    }
}
