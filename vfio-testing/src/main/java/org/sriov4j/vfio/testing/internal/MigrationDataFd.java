package org.sriov4j.vfio.testing.internal;

/** A migration data fd. */
public final class MigrationDataFd {
    public final FakeDevice device;
    public final boolean resuming;
    /** Bytes of {@link FakeDevice#preCopyData} at the start of the session: the initial bytes; later ones are dirty. */
    public final int initialLength;
    public int pos;
    public final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
    public boolean ended;

    MigrationDataFd(FakeDevice device, boolean resuming) {
        this.device = device;
        this.resuming = resuming;
        this.initialLength = device.preCopyData.length;
    }

    /** The whole saving stream as it is now: PRE_COPY data (growing when dirty data is added), then STOP_COPY's. */
    public byte[] data() {
        byte[] all = new byte[device.preCopyData.length + device.stopCopyData.length];
        System.arraycopy(device.preCopyData, 0, all, 0, device.preCopyData.length);
        System.arraycopy(device.stopCopyData, 0, all, device.preCopyData.length, device.stopCopyData.length);
        return all;
    }
}
