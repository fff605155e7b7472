package com.example.vmm;

import org.sriov4j.Lease;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.DmaAccess;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.VfioSystem;

/**
 * What a VMM's code looks like (the code under test in {@link SimulatedVfioUserTest}): a guest's RAM, DMA-mapped for
 * the leased VF it is given, at a guest-physical base address.
 */
final class GuestMemory implements AutoCloseable {
    private final IommuDomain domain;
    private final HostMemory ram;
    private final AssignedDevice device;

    GuestMemory(VfioSystem vfio, Lease lease, long guestBase, long size) {
        IommuDomain d = vfio.newDomain();
        HostMemory r = null;
        try {
            r = vfio.allocate(size);
            AssignedDevice dev = d.openDevice(lease);
            d.map(guestBase, r.address(), r.length(), DmaAccess.READ_WRITE);
            this.domain = d;
            this.ram = r;
            this.device = dev;
        } catch (RuntimeException e) {
            d.close();
            if (r != null) {
                r.close();
            }
            throw e;
        }
    }

    AssignedDevice device() {
        return device;
    }

    IommuDomain domain() {
        return domain;
    }

    @Override
    public void close() {
        device.close();
        domain.close();
        ram.close();
    }
}
