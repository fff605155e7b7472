package org.sriov4j.spi;

import java.util.Objects;
import java.util.Optional;
import org.sriov4j.MalformedAttributeException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;

/**
 * The one place where names read from sysfs — directory entries and the targets of links such as {@code driver},
 * {@code physfn}, {@code virtfnN} and {@code iommu_group} — become PCI addresses, driver names and numbers. A name
 * that is not what the kernel writes there is a {@link MalformedAttributeException} that names the file (the link,
 * or the directory holding the entry) and quotes the name, never an {@link IllegalArgumentException}: it is a fault
 * of the host, not of the caller. A name accepted here is safe to put into a sysfs path: an address is in canonical
 * form, a driver name is one path component of {@code [A-Za-z0-9_.-]}.
 *
 * <p>Backends and vendor plugins use it for the names they read, as the engine does.
 */
public final class SysfsNames {

    /** The longest driver name accepted (the kernel sets no limit; its PCI drivers' names are far shorter). */
    public static final int MAX_DRIVER_NAME = 64;

    private SysfsNames() {
    }

    /**
     * Whether {@code name} can be a PCI driver's name as the kernel shows it under {@code /sys/bus/pci/drivers}: 1 to
     * {@value #MAX_DRIVER_NAME} characters of {@code [A-Za-z0-9_.-]}, neither {@code .} nor {@code ..} (e.g.
     * {@code igb}, {@code vfio-pci}, {@code mlx5_core}, {@code 8250_mid}).
     *
     * @param name a name
     * @return true if it is one
     */
    public static boolean isDriverName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_DRIVER_NAME || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * A PCI address read from sysfs: an entry of {@code bus/pci/devices} or of an IOMMU group's {@code devices},
     * or the target name of a {@code physfn} or {@code virtfnN} link. Only the form the kernel writes is accepted:
     * {@code DDDD:BB:DD.F} in lower-case hexadecimal (a domain above {@code ffff} with more digits, as
     * {@link PciAddress#toString()} prints it).
     *
     * @param sysfs where it was read (for the file's name in the exception)
     * @param path the link, or the directory holding the entry
     * @param name the name read
     * @return the address
     * @throws MalformedAttributeException if it is not a PCI address
     */
    public static PciAddress address(SysfsAccess sysfs, String path, String name) {
        PciAddress a;
        try {
            a = PciAddress.parse(name);
        } catch (PciAddressFormatException e) {
            a = null;
        }
        if (a == null || !a.toString().equals(name)) {
            throw new MalformedAttributeException(sysfs.describe(path), name, "a PCI address (DDDD:BB:DD.F)");
        }
        return a;
    }

    /**
     * The address a link ({@code physfn}, {@code virtfnN}) points to.
     *
     * @param sysfs sysfs
     * @param link the link
     * @return the address, or empty if the link does not exist
     * @throws MalformedAttributeException if the target's name is not a PCI address
     * @throws org.sriov4j.SysfsIoException if the link cannot be read (e.g. {@code EXDEV}: it leads out of the root)
     */
    public static Optional<PciAddress> linkedAddress(SysfsAccess sysfs, String link) {
        return sysfs.linkName(link).map(name -> address(sysfs, link, name));
    }

    /**
     * A driver name read from sysfs (the target name of a {@code driver} link).
     *
     * @param sysfs where it was read
     * @param path the link
     * @param name the name read
     * @return the name
     * @throws MalformedAttributeException if it is not a driver name ({@link #isDriverName(String)})
     */
    public static String driver(SysfsAccess sysfs, String path, String name) {
        if (!isDriverName(name)) {
            throw new MalformedAttributeException(sysfs.describe(path), name,
                    "a driver name (1 to " + MAX_DRIVER_NAME + " of A-Z a-z 0-9 _ . -)");
        }
        return name;
    }

    /**
     * The driver a function's {@code driver} link names.
     *
     * @param sysfs sysfs
     * @param link the link, e.g. {@code bus/pci/devices/0000:01:10.0/driver}
     * @return the driver, or empty if the link does not exist (no driver bound)
     * @throws MalformedAttributeException if the target's name is not a driver name
     * @throws org.sriov4j.SysfsIoException if the link cannot be read
     */
    public static Optional<String> linkedDriver(SysfsAccess sysfs, String link) {
        return sysfs.linkName(link).map(name -> driver(sysfs, link, name));
    }

    /**
     * A non-negative decimal number read from a name: an IOMMU group's number (the target of {@code iommu_group}),
     * the index of a {@code virtfnN} entry.
     *
     * @param sysfs where it was read
     * @param path the link or entry
     * @param text the digits
     * @return the number
     * @throws MalformedAttributeException if it is not 1 to 9 decimal digits
     */
    public static int number(SysfsAccess sysfs, String path, String text) {
        if (text.isEmpty() || text.length() > 9) {
            throw new MalformedAttributeException(sysfs.describe(path), text, "a non-negative decimal number");
        }
        int v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedAttributeException(sysfs.describe(path), text, "a non-negative decimal number");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** The longest text {@link #quote(String)} shows. */
    public static final int MAX_QUOTED = 200;

    /**
     * Quotes text read from the host (or given by a user) for a message: in double quotes, control characters,
     * quotes and backslashes escaped as in Java source (a newline as backslash-n, ESC as backslash-u001b), cut after
     * {@value #MAX_QUOTED} characters with an ellipsis, so that a message is one line of bounded length that a
     * terminal prints as it is.
     *
     * @param text the text
     * @return the quoted text
     */
    public static String quote(String text) {
        int n = Math.min(text.length(), MAX_QUOTED);
        StringBuilder b = new StringBuilder(n + 8).append('"');
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isISOControl(c)
                            || Character.getType(c) == Character.FORMAT || Character.isSurrogate(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
        if (text.length() > n) {
            b.append("\u2026 (").append(text.length()).append(" characters)");
        }
        return b.toString();
    }
}
