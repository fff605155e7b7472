package org.sriov4j.vfio.kernel;

import java.nio.ByteBuffer;

/**
 * The one seam between the backend and the kernel: every system call the VFIO backend makes goes through this
 * interface. The backend's JNA implementation calls the C library; the fake of module {@code org.sriov4j.vfio.testing}
 * applies VFIO's rules instead.
 *
 * <p>Convention (the kernel's own): every method returns a non-negative result on success and {@code -errno} on
 * failure. Implementations read {@code errno} immediately after the call, on the calling thread. Argument buffers
 * are direct, little-endian {@link ByteBuffer}s whose position is 0; the kernel may write into them.
 */
public interface LinuxSyscalls {

    /** {@code O_RDWR}. */
    int O_RDWR = 0x2;
    /** {@code O_CLOEXEC}. */
    int O_CLOEXEC = 0x80000;
    /** {@code PROT_READ}. */
    int PROT_READ = 0x1;
    /** {@code PROT_WRITE}. */
    int PROT_WRITE = 0x2;
    /** {@code MAP_SHARED}. */
    int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}. */
    int MAP_PRIVATE = 0x02;
    /** {@code MAP_ANONYMOUS}. */
    int MAP_ANONYMOUS = 0x20;
    /** {@code EFD_CLOEXEC}. */
    int EFD_CLOEXEC = 0x80000;
    /** {@code EFD_NONBLOCK}. */
    int EFD_NONBLOCK = 0x800;
    /** {@code POLLIN}. */
    short POLLIN = 0x1;
    /** {@code POLLOUT}. */
    short POLLOUT = 0x4;
    /** {@code POLLERR}. */
    short POLLERR = 0x8;
    /** {@code POLLHUP}. */
    short POLLHUP = 0x10;
    /** {@code POLLNVAL}. */
    short POLLNVAL = 0x20;
    /** {@code POLLRDHUP} (Linux): the peer closed, or a migration data fd's session ended or failed (mlx5). */
    short POLLRDHUP = 0x2000;

    /**
     * {@code open(2)}.
     *
     * @param path the path
     * @param flags open flags
     * @return the descriptor, or {@code -errno}
     */
    int open(String path, int flags);

    /**
     * {@code close(2)}.
     *
     * @param fd the descriptor
     * @return 0, or {@code -errno}
     */
    int close(int fd);

    /**
     * {@code ioctl(2)} with an integer argument (or none: pass 0).
     *
     * @param fd the descriptor
     * @param request the request number
     * @param arg the argument
     * @return the ioctl's non-negative result, or {@code -errno}
     */
    int ioctl(int fd, long request, long arg);

    /**
     * {@code ioctl(2)} with a pointer to a structure the kernel may read and write.
     *
     * @param fd the descriptor
     * @param request the request number
     * @param arg a direct buffer holding the structure
     * @return the ioctl's non-negative result, or {@code -errno}
     */
    int ioctl(int fd, long request, ByteBuffer arg);

    /**
     * {@code ioctl(2)} with a pointer to a structure whose native address the caller already knows (from
     * {@link #addressOf}): the hot path of DMA map/unmap, which reuses one buffer per container. The default passes
     * the buffer to {@link #ioctl(int, long, ByteBuffer)}; the JNA implementation passes the address as is.
     *
     * @param fd the descriptor
     * @param request the request number
     * @param arg a direct buffer holding the structure, position 0
     * @param address {@code addressOf(arg)}
     * @return the ioctl's non-negative result, or {@code -errno}
     */
    default int ioctl(int fd, long request, ByteBuffer arg, long address) {
        return ioctl(fd, request, arg);
    }

    /**
     * {@code pread(2)} of {@code buffer.remaining()} bytes into the buffer at its position.
     *
     * @param fd the descriptor
     * @param buffer a direct buffer
     * @param offset the file offset
     * @return bytes read, or {@code -errno}
     */
    long pread(int fd, ByteBuffer buffer, long offset);

    /**
     * {@code pwrite(2)} of the buffer's remaining bytes.
     *
     * @param fd the descriptor
     * @param buffer a direct buffer
     * @param offset the file offset
     * @return bytes written, or {@code -errno}
     */
    long pwrite(int fd, ByteBuffer buffer, long offset);

    /**
     * {@code read(2)} into the buffer's remaining space (eventfd counters, migration streams).
     *
     * @param fd the descriptor
     * @param buffer a direct buffer
     * @return bytes read, or {@code -errno}
     */
    long read(int fd, ByteBuffer buffer);

    /**
     * {@code write(2)} of the buffer's remaining bytes.
     *
     * @param fd the descriptor
     * @param buffer a direct buffer
     * @return bytes written, or {@code -errno}
     */
    long write(int fd, ByteBuffer buffer);

    /**
     * {@code mmap(2)} with no address hint.
     *
     * @param length bytes
     * @param prot protection bits
     * @param flags mapping flags
     * @param fd the descriptor, -1 for anonymous memory
     * @param offset the file offset
     * @return the address, or {@code -errno}
     */
    long mmap(long length, int prot, int flags, int fd, long offset);

    /**
     * {@code munmap(2)}.
     *
     * @param address the address mmap returned
     * @param length bytes
     * @return 0, or {@code -errno}
     */
    int munmap(long address, long length);

    /**
     * {@code eventfd(2)}.
     *
     * @param initialValue the counter's initial value
     * @param flags {@link #EFD_CLOEXEC}, {@link #EFD_NONBLOCK}
     * @return the descriptor, or {@code -errno}
     */
    int eventfd(int initialValue, int flags);

    /**
     * {@code poll(2)}: waits until one of the descriptors has one of the events, or the timeout passes.
     *
     * @param fds the descriptors
     * @param events the events to wait for on each ({@link #POLLIN}, {@link #POLLOUT})
     * @param revents filled with the events each descriptor has (including {@link #POLLERR}, {@link #POLLHUP},
     *     {@link #POLLNVAL}); same length as {@code fds}
     * @param timeoutMillis -1 to wait without limit, 0 to only check
     * @return how many descriptors have events, 0 on timeout, or {@code -errno} ({@code -EINTR}: retry)
     */
    int poll(int[] fds, short events, short[] revents, int timeoutMillis);

    /**
     * A buffer viewing native memory (e.g. what {@link #mmap} returned). Not a system call.
     *
     * @param address the address
     * @param length bytes
     * @return a direct buffer over that memory, native byte order
     */
    ByteBuffer memory(long address, int length);

    /**
     * The address of a direct buffer's first byte (not its position). Not a system call.
     *
     * @param direct a direct buffer
     * @return its address
     */
    long addressOf(ByteBuffer direct);

    /**
     * The page size of the process ({@code sysconf(_SC_PAGESIZE)}).
     *
     * @return bytes
     */
    long pageSize();
}
