package org.sriov4j.spi.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * {@code ETHTOOL_GDRVINFO} on a netdev ({@code SIOCETHTOOL} on an {@code AF_INET} datagram socket, as
 * {@code ethtool -i} does): the seam between the profile reader and the kernel. The real one is {@link JnaEthtool};
 * tests give their own. The layouts are those of include/uapi/linux/ethtool.h and if.h (docs/device-profile.md).
 */
interface Ethtool {

    /** What {@code ETHTOOL_GDRVINFO} reports. */
    record DriverInfo(String driver, String version, String firmwareVersion, String busInfo) {
    }

    /**
     * Reads the driver information of a netdev in this process's network namespace.
     *
     * @param netdev the interface name (checked: 1 to 15 characters, no {@code /}, blank or NUL)
     * @return the information
     * @throws org.sriov4j.SriovException with the errno when the kernel refuses (ENODEV: no such netdev), or
     *     EINVAL before the kernel for a malformed name
     */
    DriverInfo driverInfo(String netdev);

    /** {@code SIOCETHTOOL} (include/uapi/linux/sockios.h). */
    int SIOCETHTOOL = 0x8946;
    /** {@code ETHTOOL_GDRVINFO} (include/uapi/linux/ethtool.h). */
    int ETHTOOL_GDRVINFO = 0x00000003;
    /** {@code sizeof(struct ethtool_drvinfo)}: cmd, driver[32], version[32], fw_version[32], bus_info[32],
     *  erom_version[32], reserved2[12], five u32. */
    int DRVINFO_SIZE = 196;
    /** Offsets in {@code struct ethtool_drvinfo}. */
    int DRIVER = 4;
    /** Offset of {@code version}. */
    int VERSION = 36;
    /** Offset of {@code fw_version}. */
    int FW_VERSION = 68;
    /** Offset of {@code bus_info}. */
    int BUS_INFO = 100;
    /** {@code sizeof(struct ifreq)} on 64-bit Linux; {@code ifr_data} is at offset {@link #IFNAMSIZ}. */
    int IFREQ_SIZE = 40;
    /** {@code IFNAMSIZ}. */
    int IFNAMSIZ = 16;

    /** A netdev name the kernel could accept (dev_valid_name): 1 to 15 bytes, not . or .., no / : or blanks. */
    Pattern NETDEV = Pattern.compile("[^/:\\s\\x00]{1,15}");

    /**
     * Checks a netdev name.
     *
     * @param netdev the name
     * @return whether it can be put into {@code ifr_name}
     */
    static boolean validName(String netdev) {
        return NETDEV.matcher(netdev).matches() && !netdev.equals(".") && !netdev.equals("..")
                && netdev.getBytes(StandardCharsets.UTF_8).length < IFNAMSIZ;
    }

    /**
     * A zeroed {@code struct ethtool_drvinfo} with {@code cmd = ETHTOOL_GDRVINFO}.
     *
     * @return a direct little-endian buffer
     */
    static ByteBuffer request() {
        ByteBuffer b = ByteBuffer.allocateDirect(DRVINFO_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(0, ETHTOOL_GDRVINFO);
        return b;
    }

    /**
     * Decodes what the kernel wrote.
     *
     * @param b the {@code struct ethtool_drvinfo}
     * @return the strings, each up to its first NUL
     */
    static DriverInfo decode(ByteBuffer b) {
        return new DriverInfo(cString(b, DRIVER), cString(b, VERSION), cString(b, FW_VERSION), cString(b, BUS_INFO));
    }

    private static String cString(ByteBuffer b, int at) {
        byte[] bytes = new byte[32];
        b.get(at, bytes);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}
