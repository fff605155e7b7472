package org.sriov4j.vfio.testing.internal;

import org.jspecify.annotations.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;

public final class FakeGroup {
    public final int number;
    public boolean viable;
    /** Its last device left vfio-pci while the group was open: no IOMMU group, no container any more. */
    public boolean removed;
    public final Map<String, FakeDevice> devices = new LinkedHashMap<>();
    public boolean open;
    public @Nullable FakeContainer container;
    public int openDevices;
    /** iommufd path: the iommufd context that owns the group's DMA, and how many of its cdevs are bound. */
    public @Nullable Object dmaOwner;
    public int cdevBound;

    public FakeGroup(int number, boolean viable) {
        this.number = number;
        this.viable = viable;
    }
}
