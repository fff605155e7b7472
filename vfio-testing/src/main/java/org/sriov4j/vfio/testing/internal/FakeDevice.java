package org.sriov4j.vfio.testing.internal;

import org.jspecify.annotations.Nullable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sriov4j.vfio.MigrationState;
import org.sriov4j.vfio.kernel.VfioAbi;

/** A device of a group. */
public final class FakeDevice {
    public final String name;
    /** Its cdev under /dev/vfio/devices/ (iommufd path); set by {@link #addGroup}. */
    public @Nullable String cdev;
    /** Descriptors that have the device open: legacy device fds and bound cdevs (vfio_device open_count). */
    public int openCount;
    public final byte[] config = new byte[4096]; // PCIe: 4 KiB config region (seen on 6.12)
    public final Map<Integer, FakeRegion> regions = new HashMap<>();
    public final int[] irqCounts = {0, 0, 3, 1, 1}; // an 82576 VF on 6.12: no INTx, no MSI, 3 MSI-X, ERR, REQ
    public boolean resetSupported = true;
    public long migrationFlags = -1; // -1: no migration driver
    public MigrationState migState = MigrationState.RUNNING;
    public byte[] preCopyData = new byte[0];
    public byte[] stopCopyData = new byte[0];
    public byte @Nullable [] resumed;
    public long dirtyBytes;
    /**
     * mlx5 behaviour (mlx5vf_precopy_ioctl): dirty state becomes readable only when VFIO_MIG_GET_PRECOPY_INFO is
     * called in PRE_COPY after the data fd was drained; the ioctl then starts a SAVE of {@link #dirtyBytes}.
     */
    public boolean saveDirtyOnPrecopyInfo;
    /** What MIG_DATA_SIZE reports; -1: the length of {@link #stopCopyData}. */
    public long stopCopyLength = -1;
    /** The errno MIG_DATA_SIZE fails with (the driver's query failed), 0: none. */
    public int dataSizeErrno;
    /** "FROM->TO" arcs that fail, with the errno. */
    public final Map<String, Integer> failArc = new HashMap<>();
    public boolean errorOnFailure;
    public boolean failReset;
    public @Nullable MigrationDataFd session;
    public final List<String> arcsTaken = new ArrayList<>();

    public FakeDevice migratable(long flags) {
        migrationFlags = flags;
        return this;
    }

    public void failArc(MigrationState from, MigrationState to, int errno) {
        failArc.put(from + "->" + to, errno);
    }

    public void endSession() {
        if (session != null) {
            session.ended = true;
            session = null;
        }
    }
    public int resets;
    public int enabledIrqIndex = -1;
    public final Map<Integer, Integer> triggers = new HashMap<>(); // vector -> eventfd, enabled index only
    /** The eventfd bound to ERR (vfio-pci's err_trigger), null: none. */
    public @Nullable Integer errTrigger;
    /** The eventfd bound to REQ (vfio-pci's req_trigger), null: none. */
    public @Nullable Integer reqTrigger;
    /**
     * What VFIO_DEVICE_GET_PCI_HOT_RESET_INFO reports: the functions below the same bus (group, address); null:
     * no slot or bus reset (ENODEV). Seen on 6.12 for an 82576 VF behind a PCIe root port with 2 VFs: no slot
     * reset but a bus reset of bus 01, i.e. the PF and both VFs, each with its own group, flags 0 (group path).
     */
    public @Nullable List<HotResetDep> hotReset;
    public final Map<Integer, Boolean> intxMasked = new HashMap<>();

    public FakeDevice(String name, int vendor, int device) {
        this.name = name;
        ByteBuffer b = ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) vendor).putShort(2, (short) device);
        regions.put(VfioAbi.PCI_CONFIG_REGION_INDEX, new FakeRegion(4096, VfioAbi.REGION_INFO_FLAG_READ
                | VfioAbi.REGION_INFO_FLAG_WRITE, List.of()));
    }

    public FakeDevice bar(int index, int size, long[]... sparse) {
        regions.put(index, new FakeRegion(size, VfioAbi.REGION_INFO_FLAG_READ | VfioAbi.REGION_INFO_FLAG_WRITE
                | VfioAbi.REGION_INFO_FLAG_MMAP, List.of(sparse)));
        return this;
    }
}
