package org.sriov4j.spi.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;

/**
 * {@link Ethtool} through JNA: {@code socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)}, {@code ioctl(SIOCETHTOOL)} with
 * an {@code ifreq} whose {@code ifr_data} points at the {@code ethtool_drvinfo}, {@code close}. The C library is
 * registered when this class is first used (the first profile of a PF with a netdev), never for discovery.
 */
final class JnaEthtool implements Ethtool {
    /** The only instance; initialising the class registers the natives. */
    static final JnaEthtool INSTANCE = new JnaEthtool();

    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;

    private JnaEthtool() {
    }

    /** The directly mapped C functions. */
    private static final class C {
        static {
            Native.register(C.class, NativeLibrary.getInstance("c"));
        }

        private C() {
        }

        static native int socket(int domain, int type, int protocol);

        static native int ioctl(int fd, long request, Pointer arg);

        static native int close(int fd);
    }

    @Override
    public DriverInfo driverInfo(String netdev) {
        String op = "ETHTOOL_GDRVINFO " + netdev;
        if (!Ethtool.validName(netdev)) {
            throw new SriovException(op, null, Errno.EINVAL, null, "not a netdev name", null);
        }
        int fd = C.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int errno = Native.getLastError();
            throw new SriovException(op, null, Errno.ofNumber(errno).orElse(null), null, "socket(AF_INET) failed, errno "
                    + errno, null);
        }
        try (Memory drvinfo = new Memory(DRVINFO_SIZE); Memory ifreq = new Memory(IFREQ_SIZE)) {
            drvinfo.clear();
            drvinfo.setInt(0, ETHTOOL_GDRVINFO);
            ifreq.clear();
            byte[] name = netdev.getBytes(StandardCharsets.UTF_8);
            ifreq.write(0, name, 0, name.length);
            ifreq.setPointer(IFNAMSIZ, drvinfo);
            int r = C.ioctl(fd, SIOCETHTOOL, ifreq);
            if (r < 0) {
                int errno = Native.getLastError();
                throw new SriovException(op, null, Errno.ofNumber(errno).orElse(null), null,
                        "ioctl(SIOCETHTOOL) failed, errno " + errno, null);
            }
            ByteBuffer b = Ethtool.request();
            b.put(0, drvinfo.getByteArray(0, DRVINFO_SIZE));
            return Ethtool.decode(b);
        } finally {
            C.close(fd);
        }
    }
}
