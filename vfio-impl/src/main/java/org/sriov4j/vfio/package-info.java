/**
 * The KVM-VFIO backend: VFIO devices driven through the kernel's ioctls, with the IOMMU reached through either the
 * legacy VFIO container and groups or iommufd and device cdevs ({@link org.sriov4j.vfio.IommuApi}).
 *
 * <p><b>Which IOMMU interface.</b> {@link org.sriov4j.vfio.VfioSystem#newDomain()} uses iommufd
 * ({@code /dev/iommu}, one IO address space per domain, devices opened through {@code /dev/vfio/devices/vfioN},
 * bound and attached) when the kernel offers it, and the type1v2 container ({@code /dev/vfio/vfio},
 * {@code /dev/vfio/N}) otherwise; {@link org.sriov4j.vfio.VfioSystem#newDomain(org.sriov4j.vfio.IommuApi)} asks for
 * one. The domain's validation, mapping table, device handles and documented errors are the same for both; the
 * differences are the kernel's: iommufd reports an IOVA alignment instead of a page-size bitmap, no DMA-mapping
 * limit, and opens a device only once at a time ({@link org.sriov4j.vfio.VfioError#DEVICE_ALREADY_BOUND}, where the
 * legacy path refuses the second open of the group, {@link org.sriov4j.vfio.VfioError#GROUP_ALREADY_OPEN}).
 * Debian 12's 6.12 kernel has neither {@code CONFIG_IOMMUFD} nor {@code CONFIG_VFIO_DEVICE_CDEV}: there the legacy
 * container is used.
 *
 * <p>Public: {@link org.sriov4j.vfio.VfioSystem} (entry point), {@link org.sriov4j.vfio.IommuDomain} (one guest
 * address space: validated DMA map/unmap and the mapping table), {@link org.sriov4j.vfio.AssignedDevice} (config
 * space, BAR mmap with sparse areas, MSI/MSI-X eventfds, reset, hot-reset info, migration probe, and the ERR/REQ
 * notifications through {@link org.sriov4j.vfio.AssignedDevice#watch} as
 * {@link org.sriov4j.vfio.DeviceNotification}s: REQ is the host asking for the device back), {@link org.sriov4j.vfio.DeviceMigration} (the VFIO migration v2 state machine:
 * {@link org.sriov4j.vfio.MigrationState} transitions walked arc by arc with the recover-else-reset rule,
 * {@link org.sriov4j.vfio.MigrationStream} data fds, PRE_COPY info and waiting for more PRE_COPY data
 * ({@code awaitData}), the STOP_COPY size estimate ({@code estimatedStopCopySize}),
 * {@link org.sriov4j.vfio.MigrationException})
 * and their value types. A device without a migration driver says so: {@code migration().supported()} is false
 * with a reason, and {@code migrationControl()} throws {@code ENOTTY} "does not support migration".
 * The {@code kvm-vfio} provider is in {@code org.sriov4j.vfio.internal}, which is not exported. Everything native
 * sits behind the {@code LinuxSyscalls} seam (package {@code org.sriov4j.vfio.kernel}, exported only to the
 * shipped fake, module {@code org.sriov4j.vfio.testing}).
 *
 * <p><b>From a lease to an open device.</b> The engine selects the {@code kvm-vfio} backend, whose stub driver is
 * vfio-pci: a managed {@link org.sriov4j.Lease} moves the function there. A VMM then opens a domain per guest and
 * the lease's device in it; {@link org.sriov4j.vfio.IommuDomain#openDevice(org.sriov4j.Lease)} finds the IOMMU group
 * in sysfs and refuses a function that is not on vfio-pci ({@link org.sriov4j.vfio.VfioError#NOT_BOUND_TO_VFIO_PCI},
 * before anything is opened). Close in reverse order: device and domain before the lease (the kernel blocks the
 * unbind of a function whose VFIO device descriptor is open, so the end of a managed lease refuses with
 * {@link org.sriov4j.DeviceInUseException} while it is).
 *
 * <p><b>Hot-plug and the kernel's requests.</b> Give the engine the VMM's {@link org.sriov4j.GuestPlugActuator}
 * (e.g. QMP {@code device_add}/{@code device_del}) and {@link org.sriov4j.Lease#attachToGuest(String)} plugs the
 * device into the guest with the {@link org.sriov4j.GuestHook}s around it; {@link org.sriov4j.vfio.DeviceRequests}
 * answers the kernel's REQ (an unbind from elsewhere) by unplugging it within a grace period, or by a surprise
 * removal, then closing the device and ending the lease.
 * <pre>{@code
 * try (SriovHost host = SriovHost.open(SriovConfig.defaults());
 *      Lease lease = host.lease(PciAddress.parse("0000:01:10.0"), "vm1")) {
 *     VfioSystem vfio = VfioSystem.open();
 *     try (IommuDomain domain = vfio.newDomain();
 *          HostMemory ram = vfio.allocate(2 << 20)) {
 *         AssignedDevice nic = domain.openDevice(lease);
 *         domain.map(0x1000_0000L, ram.address(), ram.length(), DmaAccess.READ_WRITE);
 *         int ids = nic.readConfig32(0);                    // 0x10ca8086 for an 82576 VF
 *         ...
 *     }   // device closed, mappings removed, group detached, container closed
 * }       // lease released: the VF goes back to igbvf
 * }</pre>
 *
 * <p>Every {@link org.sriov4j.vfio.VfioException} carries its kind ({@link org.sriov4j.vfio.VfioError}), chosen where
 * it is thrown; the kinds, and the errno each comes with, are listed there.
 */
@NullMarked
package org.sriov4j.vfio;

import org.jspecify.annotations.NullMarked;
