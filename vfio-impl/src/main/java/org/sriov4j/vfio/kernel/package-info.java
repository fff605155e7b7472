/**
 * The seam between the VFIO backend and the kernel: {@link org.sriov4j.vfio.kernel.LinuxSyscalls} (every system call
 * the backend makes) and the kernel's structure layouts and request numbers ({@link org.sriov4j.vfio.kernel.VfioAbi},
 * {@link org.sriov4j.vfio.kernel.IommufdAbi}).
 *
 * <p>Not part of the API: exported only to {@code org.sriov4j.vfio.testing}, whose fake kernel implements the seam.
 * Nothing here depends on {@code org.sriov4j.vfio}.
 */
@NullMarked
package org.sriov4j.vfio.kernel;

import org.jspecify.annotations.NullMarked;
