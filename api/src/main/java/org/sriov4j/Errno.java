package org.sriov4j;

import java.util.Locale;
import java.util.Optional;

/**
 * The Linux error numbers sriov4j reports, with their x86-64 values and the C library's message text.
 *
 * <p>Exceptions carry an {@code Errno} when the failure came from the kernel, so callers can react to a specific
 * condition ({@link #EBUSY} when a VF count is being changed, {@link #ENODEV} when nothing bound) without parsing
 * messages.
 */
public enum Errno {
    /** Operation not permitted. */
    EPERM(1, "Operation not permitted"),
    /** No such file or directory. */
    ENOENT(2, "No such file or directory"),
    /** Interrupted system call. */
    EINTR(4, "Interrupted system call"),
    /** Input/output error. */
    EIO(5, "Input/output error"),
    /** No such device or address. */
    ENXIO(6, "No such device or address"),
    /** Bad file descriptor. */
    EBADF(9, "Bad file descriptor"),
    /** Resource temporarily unavailable. */
    EAGAIN(11, "Resource temporarily unavailable"),
    /** Cannot allocate memory. */
    ENOMEM(12, "Cannot allocate memory"),
    /** Permission denied. */
    EACCES(13, "Permission denied"),
    /** Bad address. */
    EFAULT(14, "Bad address"),
    /** Device or resource busy. */
    EBUSY(16, "Device or resource busy"),
    /** File exists. */
    EEXIST(17, "File exists"),
    /**
     * Invalid cross-device link. sriov4j also reports it for a path that leads out of its sysfs or {@code /dev} root
     * through a symbolic link, as {@code openat2(2)} with {@code RESOLVE_BENEATH} does.
     */
    EXDEV(18, "Invalid cross-device link"),
    /** No such device. */
    ENODEV(19, "No such device"),
    /** Not a directory. */
    ENOTDIR(20, "Not a directory"),
    /** Is a directory. */
    EISDIR(21, "Is a directory"),
    /** Invalid argument. */
    EINVAL(22, "Invalid argument"),
    /** Inappropriate ioctl for device. */
    ENOTTY(25, "Inappropriate ioctl for device"),
    /** File too large (sriov4j: a sysfs attribute longer than a page, which the kernel never writes). */
    EFBIG(27, "File too large"),
    /** No space left on device. */
    ENOSPC(28, "No space left on device"),
    /** Read-only file system. */
    EROFS(30, "Read-only file system"),
    /** Numerical result out of range. */
    ERANGE(34, "Numerical result out of range"),
    /** File name too long. */
    ENAMETOOLONG(36, "File name too long"),
    /** Function not implemented. */
    ENOSYS(38, "Function not implemented"),
    /** Too many levels of symbolic links. */
    ELOOP(40, "Too many levels of symbolic links"),
    /** No message of desired type. */
    ENOMSG(42, "No message of desired type"),
    /** Value too large for defined data type (iommufd: an IOVA or length that overflows). */
    EOVERFLOW(75, "Value too large for defined data type"),
    /** Message too long (iommufd: the IOVA range array is too small). */
    EMSGSIZE(90, "Message too long"),
    /** Protocol not supported (igb: a VF VLAN of protocol 802.1ad). */
    EPROTONOSUPPORT(93, "Protocol not supported"),
    /** Operation not supported. */
    EOPNOTSUPP(95, "Operation not supported"),
    /** Address already in use (iommufd: a mapping lies in a reserved region of a device being attached). */
    EADDRINUSE(98, "Address already in use"),
    /** No buffer space available (netlink: the socket's receive queue overflowed). */
    ENOBUFS(105, "No buffer space available"),
    /** Operation timed out. */
    ETIMEDOUT(110, "Connection timed out");

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    /**
     * The numeric value on Linux x86-64.
     *
     * @return the errno value
     */
    public int number() {
        return number;
    }

    /**
     * The C library's {@code strerror} text.
     *
     * @return the message
     */
    public String message() {
        return message;
    }

    /**
     * Looks an errno up by its number.
     *
     * @param number the errno value
     * @return the constant, or empty if sriov4j does not name it
     */
    public static Optional<Errno> ofNumber(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks an errno up by the message the JDK puts into an {@link java.io.IOException} for it (the {@code strerror}
     * text, possibly after a path and a colon).
     *
     * @param text an exception message or reason
     * @return the constant, or empty if none matches
     */
    public static Optional<Errno> ofMessage(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        Errno best = null;
        for (Errno e : values()) {
            String m = e.message.toLowerCase(Locale.ROOT);
            if (t.equals(m) || t.endsWith(": " + m) || t.endsWith(" " + m) || t.contains(m)) {
                if (best == null || e.message.length() > best.message.length()) {
                    best = e;
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
