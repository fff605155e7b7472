package org.sriov4j.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.sriov4j.PciAddress;

/** What the real-kernel tests read from the guest's sysfs themselves, to check the library by another way. */
public final class GuestSysfs {

    /** {@code /sys/bus/pci/devices}. */
    public static final Path DEVICES = Path.of("/sys/bus/pci/devices");

    private GuestSysfs() {
    }

    /**
     * The driver a function is bound to: the name its {@code driver} link points at.
     *
     * @param f the function
     * @return the driver's name, or empty when it is bound to none
     */
    public static Optional<String> driver(PciAddress f) {
        Path link = DEVICES.resolve(f.toString()).resolve("driver");
        try {
            return Files.exists(link, LinkOption.NOFOLLOW_LINKS)
                    ? Optional.of(Files.readSymbolicLink(link).getFileName().toString()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
