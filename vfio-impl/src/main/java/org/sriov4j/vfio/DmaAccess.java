package org.sriov4j.vfio;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** What a device may do with a DMA mapping (the device's point of view). */
public enum DmaAccess {
    /** The device may read the memory ({@code VFIO_DMA_MAP_FLAG_READ}). */
    READ,
    /** The device may write the memory ({@code VFIO_DMA_MAP_FLAG_WRITE}). */
    WRITE;

    /** Both {@link #READ} and {@link #WRITE}: guest RAM. */
    public static final Set<DmaAccess> READ_WRITE = Collections.unmodifiableSet(EnumSet.of(READ, WRITE));
}
