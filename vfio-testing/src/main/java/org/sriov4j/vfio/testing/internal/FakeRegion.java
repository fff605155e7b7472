package org.sriov4j.vfio.testing.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.sriov4j.vfio.kernel.VfioAbi;

/** A region: contents plus mmap areas ({offset, size}; empty: the whole region). */
public final class FakeRegion {
    public final ByteBuffer data;
    public final int flags;
    public final List<long[]> sparse;

    public FakeRegion(int size, int flags, List<long[]> sparse) {
        this.data = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        this.flags = sparse.isEmpty() ? flags : flags | VfioAbi.REGION_INFO_FLAG_CAPS;
        this.sparse = sparse;
    }
}
