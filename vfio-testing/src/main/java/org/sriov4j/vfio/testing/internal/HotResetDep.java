package org.sriov4j.vfio.testing.internal;

import org.sriov4j.PciAddress;

/** A function a hot reset would affect: its IOMMU group (-1: none, the kernel's EPERM) and address. */
public record HotResetDep(int group, PciAddress address) {
}
