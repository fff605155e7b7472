/**
 * A simulated Linux kernel for testing code that drives SR-IOV through sysfs, and a JUnit 5 extension for it.
 *
 * <p>{@link org.sriov4j.testing.SimulatedKernel} implements {@link org.sriov4j.spi.SysfsAccess}: it renders
 * {@code /sys} from an in-memory model of PCI functions, drivers and IOMMU groups and reacts to writes
 * ({@code sriov_numvfs}, {@code driver_override}, {@code bind}, {@code unbind}, {@code drivers_probe},
 * {@code new_id} ...) as Linux 6.12 does, with the same errno for the same mistake. Describe a host with
 * {@link org.sriov4j.testing.SimulatedKernel#builder()} and {@link org.sriov4j.testing.FunctionSpec},
 * {@link org.sriov4j.testing.PfSpec} and {@link org.sriov4j.testing.DriverSpec}, or take a
 * {@link org.sriov4j.testing.Preset}:
 *
 * <pre>{@code
 * @SimulatedHost(Preset.INTEL_82576)
 * class EnableVfsTest {
 *     @Test
 *     void enablesTwoVfs(SimulatedKernel kernel, SriovHost host) {
 *         kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "2");
 *         assertEquals(2, host.topology().virtualFunctions().size());
 *     }
 * }
 * }</pre>
 *
 * <p>Everything here is null-marked: no parameter or return value is {@code null} unless annotated
 * {@code @Nullable}.
 */
@NullMarked
package org.sriov4j.testing;

import org.jspecify.annotations.NullMarked;
