package org.sriov4j;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The VF driver a guest runs and its version, as the VMM states it (the guest's {@code ethtool -i}: driver and
 * version), e.g. {@code igbvf:6.12.118}.
 *
 * @param name the driver, {@code [a-z0-9_-]}, at most 32 characters
 * @param version its version, {@code [A-Za-z0-9._+~-]}, at most 32 characters
 */
public record GuestVfDriver(String name, String version) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+~-]{1,32}");

    /**
     * Checks the values.
     *
     * @param name the driver
     * @param version its version
     * @throws IllegalArgumentException if either has characters outside its set or is too long
     */
    public GuestVfDriver {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a VF driver name is [a-z0-9_-], 1 to 32 characters: \"" + name + "\"");
        }
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("a driver version is [A-Za-z0-9._+~-], 1 to 32 characters: \""
                    + version + "\"");
        }
    }

    /**
     * Parses {@code NAME:VERSION}.
     *
     * @param text e.g. {@code igbvf:6.12.118+deb12-amd64}
     * @return the driver
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static GuestVfDriver parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected NAME:VERSION, e.g. igbvf:6.12.118: \"" + text + "\"");
        }
        return new GuestVfDriver(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return name + ":" + version;
    }
}
