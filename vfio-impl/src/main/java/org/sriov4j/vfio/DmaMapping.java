package org.sriov4j.vfio;

import java.util.Set;

/**
 * One DMA mapping of an {@link IommuDomain}: host memory at {@code hostAddress} is visible to the domain's devices at
 * {@code iova}.
 *
 * @param iova the I/O virtual address (the guest physical address, for guest RAM)
 * @param hostAddress the process virtual address of the memory
 * @param length bytes
 * @param access what the devices may do
 */
public record DmaMapping(long iova, long hostAddress, long length, Set<DmaAccess> access) {

    /**
     * Copies the access set.
     *
     * @param iova the I/O virtual address
     * @param hostAddress the process virtual address
     * @param length bytes
     * @param access what the devices may do
     */
    public DmaMapping {
        access = DmaAccess.canonical(access);
    }

    /**
     * The last I/O virtual address of the mapping.
     *
     * @return {@code iova + length - 1}
     */
    public long lastIova() {
        return iova + length - 1;
    }

    @Override
    public String toString() {
        return "iova 0x" + Long.toHexString(iova) + "+0x" + Long.toHexString(length) + " <- 0x"
                + Long.toHexString(hostAddress) + " " + access;
    }
}
