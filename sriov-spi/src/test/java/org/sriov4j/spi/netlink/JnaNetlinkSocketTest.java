package org.sriov4j.spi.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.SriovException;
import org.sriov4j.VfNetConfig;
import org.sriov4j.spi.RtNetlink;

/**
 * The JNA socket against the build machine's own kernel, read-only: the loopback link (always ifindex 1, no VFs), an
 * interface that does not exist (ENODEV), and a VF setting on the loopback, which has no VF operations.
 */
class JnaNetlinkSocketTest {

    @Test
    void theKernelDescribesTheLoopbackLink() {
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        try (RtNetlink n = SocketRtNetlink.system()) {
            RtNetlink.Link lo = n.link("lo");
            assertEquals(1, lo.index());
            assertEquals("lo", lo.name());
            assertEquals(0, lo.vfs().size());
            assertEquals(lo, n.link("lo"), "the socket is reused");
        }
    }

    @Test
    void anInterfaceThatDoesNotExistIsEnodev() {
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        try (RtNetlink n = SocketRtNetlink.system()) {
            SriovException e = assertThrows(SriovException.class, () -> n.link("sriov4jnone0"));
            assertEquals(Errno.ENODEV, e.errno().orElseThrow(), e.getMessage());
        }
    }

    @Test
    void aVfSettingOnALinkWithoutVfsIsRefusedByTheKernel() {
        assumeTrue(System.getProperty("os.name").equals("Linux"));
        try (RtNetlink n = SocketRtNetlink.system()) {
            SriovException e = assertThrows(SriovException.class, () -> n.setVf(1, 0,
                    VfNetConfig.builder().trust(false).build()));
            // loopback has no ndo_set_vf_trust: EOPNOTSUPP; without CAP_NET_ADMIN: EPERM
            org.junit.jupiter.api.Assertions.assertTrue(e.errno().orElseThrow() == Errno.EOPNOTSUPP
                    || e.errno().orElseThrow() == Errno.EPERM, e.getMessage());
        }
    }
}
