package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * Page-aligned anonymous memory ({@code mmap(MAP_PRIVATE|MAP_ANONYMOUS)}), suitable for
 * {@link IommuDomain#map(long, long, long, java.util.Set)}: guest RAM, rings, buffers. Unmap it from every domain
 * before closing it.
 */
public final class HostMemory implements AutoCloseable {
    private final LinuxSyscalls sys;
    private final long address;
    private final long length;
    private boolean closed;

    HostMemory(LinuxSyscalls sys, long address, long length) {
        this.sys = sys;
        this.address = address;
        this.length = length;
    }

    static HostMemory allocate(LinuxSyscalls sys, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: " + length);
        }
        long a = sys.mmap(length, LinuxSyscalls.PROT_READ | LinuxSyscalls.PROT_WRITE,
                LinuxSyscalls.MAP_PRIVATE | LinuxSyscalls.MAP_ANONYMOUS, -1, 0);
        if (a < 0) {
            throw VfioException.kernel("mmap anonymous", null, null, a, "length 0x" + Long.toHexString(length));
        }
        return new HostMemory(sys, a, length);
    }

    /**
     * The process virtual address of the first byte.
     *
     * @return the address (page-aligned)
     */
    public long address() {
        return address;
    }

    /**
     * The size.
     *
     * @return bytes
     */
    public long length() {
        return length;
    }

    /**
     * A buffer over the memory (native byte order), for at most 2 GiB.
     *
     * @return a direct buffer over the whole memory
     * @throws IllegalStateException when closed, or larger than a buffer can be
     */
    public ByteBuffer buffer() {
        if (closed) {
            throw new IllegalStateException("memory is unmapped");
        }
        if (length > Integer.MAX_VALUE) {
            throw new IllegalStateException("memory larger than 2 GiB cannot be viewed as one buffer");
        }
        return sys.memory(address, (int) length);
    }

    /** Unmaps the memory. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            int r = sys.munmap(address, length);
            if (r < 0) {
                throw VfioException.kernel("munmap", null, null, r, "");
            }
        }
    }
}
