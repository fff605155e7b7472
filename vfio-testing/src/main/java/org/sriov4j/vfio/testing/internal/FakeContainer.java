package org.sriov4j.vfio.testing.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

public final class FakeContainer {
    public final List<FakeGroup> groups = new ArrayList<>();
    public boolean iommu;
    public final TreeMap<Long, long[]> dma = new TreeMap<>(Long::compareUnsigned); // iova -> {iova, size, vaddr}
    public int dmaAvail = 65535;
}
