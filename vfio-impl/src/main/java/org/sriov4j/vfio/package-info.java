/**
 * The KVM-VFIO backend: VFIO containers, groups and devices driven through the kernel's ioctls.
 *
 * <p>Public: {@link org.sriov4j.vfio.VfioSystem} (entry point), {@link org.sriov4j.vfio.IommuDomain} (one guest
 * address space: validated DMA map/unmap and the mapping table), {@link org.sriov4j.vfio.AssignedDevice} (config
 * space, BAR mmap with sparse areas, MSI/MSI-X eventfds, reset, migration probe) and their value types.
 * {@link org.sriov4j.vfio.KvmVfioBackendProvider} is public only because {@link java.util.ServiceLoader} needs it.
 * Everything native sits behind the package-private {@code LinuxSyscalls} seam.
 */
@NullMarked
package org.sriov4j.vfio;

import org.jspecify.annotations.NullMarked;
