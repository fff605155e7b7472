/**
 * The fake VFIO kernel behind {@link org.sriov4j.vfio.testing.SimulatedVfio}, in parts: {@link
 * org.sriov4j.vfio.testing.internal.FakeVfioKernel} (descriptors, the joined host, groups and devices, interrupts,
 * regions, eventfds and memory), the rules of the type1 IOMMU ({@code Type1Dma}), of iommufd's IO address spaces
 * ({@code IoasRules}) and of migration v2 ({@code MigrationRules}, {@code MigrationArcs}), and the kernel objects it
 * keeps: groups and containers ({@link org.sriov4j.vfio.testing.internal.FakeGroup}, {@link
 * org.sriov4j.vfio.testing.internal.FakeContainer}), devices with their regions, interrupts and migration state
 * ({@link org.sriov4j.vfio.testing.internal.FakeDevice}, {@link org.sriov4j.vfio.testing.internal.FakeRegion}, {@link
 * org.sriov4j.vfio.testing.internal.MigrationDataFd}) and iommufd's objects ({@link
 * org.sriov4j.vfio.testing.internal.IommufdContext}, {@link org.sriov4j.vfio.testing.internal.FakeIoas}, {@link
 * org.sriov4j.vfio.testing.internal.DeviceCdev}).
 *
 * <p>Not exported: sriov4j's own white-box tests of {@code org.sriov4j.vfio} drive it directly; users go through
 * {@code SimulatedVfio}.
 */
@NullMarked
package org.sriov4j.vfio.testing.internal;

import org.jspecify.annotations.NullMarked;
