package org.sriov4j.vfio.testing.internal;

/**
 * A VFIO device descriptor: from the group's GET_DEVICE_FD, or a device cdev once bound to an iommufd.
 *
 * @param group the device's group
 * @param device the device
 */
public record DeviceDescriptor(FakeGroup group, FakeDevice device) {
}
