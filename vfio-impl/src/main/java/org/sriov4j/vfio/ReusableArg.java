package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * One argument structure reused for every call of a hot request (DMA map/unmap): a direct buffer and its native
 * address, so the call needs no allocation and no address lookup. Callers synchronise.
 */
final class ReusableArg {
    private final ByteBuffer buffer;
    private final long address;
    private final int size;

    ReusableArg(LinuxSyscalls sys, int size) {
        this.buffer = VfioAbi.struct(size);
        this.address = sys.addressOf(buffer);
        this.size = size;
    }

    /**
     * The buffer, with its size field (offset 0) set again.
     *
     * @return the buffer
     */
    ByteBuffer buffer() {
        buffer.putInt(0, size);
        return buffer;
    }

    /**
     * The buffer as it is (filled after {@link #buffer()}).
     *
     * @return the buffer
     */
    ByteBuffer current() {
        return buffer;
    }

    long address() {
        return address;
    }
}
