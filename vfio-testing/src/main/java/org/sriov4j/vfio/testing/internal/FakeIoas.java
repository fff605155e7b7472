package org.sriov4j.vfio.testing.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** An IO address space: its areas (iova -> {iova, length, user_va}) and the cdevs attached. */
public final class FakeIoas {
    public final TreeMap<Long, long[]> dma = new TreeMap<>(Long::compareUnsigned);
    public final List<DeviceCdev> attached = new ArrayList<>();
}
