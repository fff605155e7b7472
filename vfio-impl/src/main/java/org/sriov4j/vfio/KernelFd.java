package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * An open descriptor of a VFIO or iommufd node: the system calls, the node's path (for messages), the number, and
 * closing once. Subclasses add their requests and their close-order rules.
 */
abstract class KernelFd implements AutoCloseable {
    final LinuxSyscalls sys;
    final String path;
    final int fd;
    private final String label;
    private boolean closed;

    /**
     * @param sys system calls
     * @param path the node, for messages
     * @param fd the open descriptor
     * @param label what it is, for messages ("container /dev/vfio/vfio", "device 0000:01:10.0", ...)
     */
    KernelFd(LinuxSyscalls sys, String path, int fd, String label) {
        this.sys = sys;
        this.path = path;
        this.fd = fd;
        this.label = label;
    }

    final int fd() {
        return fd;
    }

    final String path() {
        return path;
    }

    final LinuxSyscalls sys() {
        return sys;
    }

    final boolean isClosed() {
        return closed;
    }

    /** @throws IllegalStateException once closed */
    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(label + " is closed");
        }
    }

    /**
     * An ioctl with a structure on this (open) descriptor.
     *
     * @param name the request's name, for the exception
     * @param request the request number
     * @param arg the structure
     * @param device the device concerned, or null
     * @param detail more for the message ("" for none)
     * @return the ioctl's non-negative result
     * @throws VfioException with the kernel's errno when it fails
     */
    final int ioctl(String name, long request, ByteBuffer arg, @Nullable PciAddress device, String detail) {
        checkOpen();
        int r = sys.ioctl(fd, request, arg);
        if (r < 0) {
            throw VfioException.kernel(name, device, path, r, detail);
        }
        return r;
    }

    /**
     * The DMA map/unmap hot path: an ioctl with a reused argument structure the caller filled; the message is only
     * built when the kernel refuses.
     *
     * @param name the request's name, for the exception
     * @param request the request number
     * @param arg the filled argument
     * @param ioas the iommufd IOAS the request is for, or -1
     * @param iova the IOVA, for the message
     * @param length the size, for the message
     * @throws VfioException with the kernel's errno when it fails
     */
    final void dmaIoctl(String name, long request, ReusableArg arg, int ioas, long iova, long length) {
        int r = sys.ioctl(fd, request, arg.current(), arg.address());
        if (r < 0) {
            throw VfioException.kernel(name, null, path, r, (ioas < 0 ? "" : "IOAS " + ioas + " ") + "iova 0x"
                    + Long.toHexString(iova) + " size 0x" + Long.toHexString(length));
        }
    }

    /**
     * Marks the descriptor closed and closes it.
     *
     * @param device the device concerned, or null
     * @return false when it was already closed (nothing done)
     * @throws VfioException when {@code close(2)} fails (the descriptor counts as closed anyway)
     */
    final boolean closeDescriptor(@Nullable PciAddress device) {
        if (closed) {
            return false;
        }
        closed = true;
        int r = sys.close(fd);
        if (r < 0) {
            throw VfioException.kernel("close", device, path, r, "");
        }
        return true;
    }

    @Override
    public abstract void close();
}
