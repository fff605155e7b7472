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

    static final Set<DmaAccess> READ_ONLY = Collections.unmodifiableSet(EnumSet.of(READ));
    static final Set<DmaAccess> WRITE_ONLY = Collections.unmodifiableSet(EnumSet.of(WRITE));
    private static final Set<DmaAccess> NONE = Collections.unmodifiableSet(EnumSet.noneOf(DmaAccess.class));

    /**
     * The shared unmodifiable set equal to {@code access} (no copy per mapping: the map hot path).
     *
     * @param access a set
     * @return an unmodifiable set with the same elements
     */
    static Set<DmaAccess> canonical(Set<DmaAccess> access) {
        if (access == READ_WRITE || access == READ_ONLY || access == WRITE_ONLY || access == NONE) {
            return access; // already canonical: the usual case, no look-ups
        }
        boolean read = access.contains(READ);
        boolean write = access.contains(WRITE);
        return read ? (write ? READ_WRITE : READ_ONLY) : (write ? WRITE_ONLY : NONE);
    }
}
