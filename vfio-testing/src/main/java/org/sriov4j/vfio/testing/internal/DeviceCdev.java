package org.sriov4j.vfio.testing.internal;

import org.jspecify.annotations.Nullable;
/** An open device cdev; {@link #bound} is its device descriptor view once BIND_IOMMUFD succeeded. */
public final class DeviceCdev {
    public final FakeGroup group;
    public final FakeDevice device;
    public @Nullable DeviceDescriptor bound;
    public @Nullable IommufdContext ictx;
    public @Nullable FakeIoas ioas;

    DeviceCdev(FakeGroup group, FakeDevice device) {
        this.group = group;
        this.device = device;
    }
}
