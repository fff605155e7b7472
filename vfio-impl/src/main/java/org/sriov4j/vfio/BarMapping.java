package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.sriov4j.vfio.kernel.LinuxSyscalls;

/**
 * The mmapped parts of one device region (a BAR): one {@link Part} per mmappable area the kernel reported (the
 * sparse-mmap capability leaves out e.g. the MSI-X table). Access the rest through
 * {@link AssignedDevice#readRegion(int, long, int)}. Close it before the device.
 */
public final class BarMapping implements AutoCloseable {
    private final LinuxSyscalls sys;
    private final RegionInfo region;
    private final List<Part> parts;
    private boolean closed;

    /**
     * One mmapped area.
     *
     * @param offset offset inside the region
     * @param length bytes
     * @param address where it is mapped in this process
     * @param buffer a direct buffer over it (little-endian, as PCI is)
     */
    public record Part(long offset, long length, long address, ByteBuffer buffer) {
    }

    BarMapping(LinuxSyscalls sys, RegionInfo region, List<Part> parts) {
        this.sys = sys;
        this.region = region;
        this.parts = List.copyOf(parts);
    }

    /**
     * The region mapped.
     *
     * @return its info
     */
    public RegionInfo region() {
        return region;
    }

    /**
     * The mapped areas, by offset.
     *
     * @return the parts
     */
    public List<Part> parts() {
        return parts;
    }

    /**
     * The mapped part that holds {@code offset} of the region.
     *
     * @param offset an offset in the region
     * @return a buffer positioned at that offset, limited to the end of its part
     * @throws IllegalArgumentException when the offset is in no mapped part (e.g. the MSI-X table)
     */
    public ByteBuffer at(long offset) {
        if (closed) {
            throw new IllegalStateException("BAR mapping is closed");
        }
        for (Part p : parts) {
            if (offset >= p.offset() && offset < p.offset() + p.length()) {
                ByteBuffer b = p.buffer().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.position((int) (offset - p.offset()));
                return b;
            }
        }
        throw new IllegalArgumentException("offset 0x" + Long.toHexString(offset) + " of region " + region.index()
                + " is not in a mmappable area");
    }

    /** Unmaps every part. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        for (Part p : parts) {
            int r = sys.munmap(p.address(), p.length());
            if (r < 0) {
                failures.add("0x" + Long.toHexString(p.offset()) + ": errno " + -r);
            }
        }
        if (!failures.isEmpty()) {
            throw new VfioException(VfioError.SYSTEM_CALL_FAILED, "munmap BAR", null, 0, null,
                    String.join(", ", failures), false);
        }
    }
}
