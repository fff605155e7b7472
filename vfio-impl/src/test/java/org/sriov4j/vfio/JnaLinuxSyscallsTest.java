package org.sriov4j.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/** The JNA implementation on this (Linux) host, without VFIO: errno, eventfd, anonymous memory, pread. */
@EnabledOnOs(OS.LINUX)
class JnaLinuxSyscallsTest {
    final LinuxSyscalls sys = JnaLinuxSyscalls.INSTANCE;

    @Test
    void failuresReturnMinusErrnoReadRightAfterTheCall() {
        assertEquals(-2, sys.open("/nonexistent/sriov4j", LinuxSyscalls.O_RDWR));
        assertEquals(-9, sys.close(-1));
        assertEquals(-9, sys.ioctl(-1, VfioAbi.GET_API_VERSION, 0));
        assertEquals(-9, sys.ioctl(-1, VfioAbi.GROUP_GET_STATUS, VfioAbi.struct(8)));
    }

    @Test
    void eventfdCountsWritesAndIsNonBlocking() {
        int fd = sys.eventfd(0, LinuxSyscalls.EFD_CLOEXEC | LinuxSyscalls.EFD_NONBLOCK);
        assertTrue(fd >= 0);
        EventFd e = new EventFd(sys, fd);
        assertEquals(0, e.read());
        e.signal();
        e.signal();
        assertEquals(2, e.read());
        e.close();
    }

    @Test
    void pollReportsAnEventfdReadableOnlyOnceSignalled() {
        int quiet = sys.eventfd(0, LinuxSyscalls.EFD_CLOEXEC | LinuxSyscalls.EFD_NONBLOCK);
        int loud = sys.eventfd(0, LinuxSyscalls.EFD_CLOEXEC | LinuxSyscalls.EFD_NONBLOCK);
        short[] revents = new short[2];
        assertEquals(0, sys.poll(new int[] {quiet, loud}, LinuxSyscalls.POLLIN, revents, 0));
        new EventFd(sys, loud).signal();
        assertEquals(1, sys.poll(new int[] {quiet, loud}, LinuxSyscalls.POLLIN, revents, 1000));
        assertEquals(0, revents[0]);
        assertEquals(LinuxSyscalls.POLLIN, revents[1]);
        assertEquals(0, sys.close(quiet));
        assertEquals(0, sys.close(loud));
        short[] one = new short[1];
        assertEquals(1, sys.poll(new int[] {quiet}, LinuxSyscalls.POLLIN, one, 0));
        assertEquals(LinuxSyscalls.POLLNVAL, one[0]);
    }

    @Test
    void anonymousMemoryIsPageAlignedAndAddressable() {
        try (HostMemory m = HostMemory.allocate(sys, 2 << 20)) {
            assertEquals(0, m.address() % sys.pageSize());
            ByteBuffer b = m.buffer();
            b.putLong(4096, 42);
            assertEquals(m.address(), sys.addressOf(b));
            assertEquals(42, sys.memory(m.address() + 4096, 8).order(ByteOrder.nativeOrder()).getLong(0));
        }
    }

    @Test
    void preadHonoursTheBufferPositionAndOffset() {
        int fd = sys.open("/proc/self/cmdline", 0 /* O_RDONLY */);
        assertTrue(fd >= 0, "open: " + fd);
        ByteBuffer b = ByteBuffer.allocateDirect(8);
        b.position(4);
        assertEquals(4, sys.pread(fd, b, 0));
        assertEquals(0, sys.close(fd));
    }
}
