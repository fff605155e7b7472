package org.sriov4j.vfio;

/**
 * What {@code VFIO_MIG_GET_PRECOPY_INFO} reports on a PRE_COPY data fd ({@code struct vfio_precopy_info}).
 *
 * @param initialBytes bytes of the initial state still to read
 * @param dirtyBytes bytes of state changed since, an estimate
 */
public record PreCopyInfo(long initialBytes, long dirtyBytes) {
}
