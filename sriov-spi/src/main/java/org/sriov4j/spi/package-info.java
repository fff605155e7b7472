/**
 * Service provider interfaces of sriov4j: {@link org.sriov4j.spi.SysfsAccess} (every sysfs read and write goes
 * through it, so tests can replace the kernel), {@link org.sriov4j.spi.HypervisorBackendProvider} (KVM-VFIO, Xen
 * pciback) and {@link org.sriov4j.spi.VendorPlugin} (device-specific steps). {@link org.sriov4j.spi.engine.SriovEngine}
 * opens a {@link org.sriov4j.SriovHost} on any sysfs implementation.
 */
@NullMarked
package org.sriov4j.spi;

import org.jspecify.annotations.NullMarked;
