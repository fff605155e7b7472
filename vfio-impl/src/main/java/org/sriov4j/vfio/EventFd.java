package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * A Linux eventfd: the kernel signals it when an interrupt bound with
 * {@link AssignedDevice#enableInterrupts(int, java.util.List)} fires. A VMM usually hands its descriptor to KVM
 * (irqfd); {@link #read()} lets a Java program wait-free poll it.
 */
public final class EventFd implements AutoCloseable {
    private final LinuxSyscalls sys;
    private final int fd;
    private boolean closed;

    EventFd(LinuxSyscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    static EventFd create(LinuxSyscalls sys) {
        int fd = sys.eventfd(0, LinuxSyscalls.EFD_CLOEXEC | LinuxSyscalls.EFD_NONBLOCK);
        if (fd < 0) {
            throw VfioException.kernel("eventfd", null, null, fd, "");
        }
        return new EventFd(sys, fd);
    }

    /**
     * The descriptor number, e.g. for KVM's irqfd.
     *
     * @return the fd
     */
    public int fd() {
        return fd;
    }

    /**
     * Reads and resets the counter (non-blocking).
     *
     * @return the number of signals since the last read, 0 when none
     * @throws VfioException when the read fails for another reason than "nothing yet"
     */
    public long read() {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        long r = sys.read(fd, b);
        if (r == -11) {
            return 0;
        }
        if (r < 0) {
            throw VfioException.kernel("read eventfd", null, null, r, "");
        }
        return b.getLong(0);
    }

    /**
     * Adds one to the counter (as a device interrupt would).
     */
    public void signal() {
        ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        b.putLong(0, 1);
        long r = sys.write(fd, b);
        if (r < 0) {
            throw VfioException.kernel("write eventfd", null, null, r, "");
        }
    }

    /** Closes the descriptor; unbind it from the device first. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sys.close(fd);
        }
    }
}
