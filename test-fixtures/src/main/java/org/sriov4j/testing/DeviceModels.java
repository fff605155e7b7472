package org.sriov4j.testing;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciId;

/**
 * The binary-ish attributes the simulator renders for the devices it models exactly: a VF's {@code resource} (its
 * BARs) and {@code config} (its configuration space, for the capability list). Only the 82576 VF ({@code 8086:10ca})
 * is modelled, as measured on Linux 6.12 with QEMU's igb: BAR0 and BAR3 of 16 KiB, 64-bit prefetchable memory
 * ({@code resource} flags {@code 0x14220c}, as in the captured tree {@code igb-7vf-mixed}), inside the PF's VF BAR
 * windows at {@code 0xfe800000} and {@code 0xfe820000}, one 16 KiB slot per VF index; an MSI-X table of 3 entries
 * (VFIO's {@code VFIO_PCI_MSIX_IRQ_INDEX} count on 6.12), in a configuration space copied from the captured tree. Other devices have neither attribute (as in the trees
 * {@code SysfsCapture} writes), so their BARs and MSI-X count are unknown to a device profile.
 */
final class DeviceModels {
    static final PciId IGB_VF = new PciId(0x8086, 0x10ca);
    private static final long VF_BAR = 0x4000;
    private static final long FLAGS_MEM64_PREFETCH = 0x14220cL;

    private DeviceModels() {
    }

    /** The {@code resource} text of a function: 13 lines "start end flags" (6 BARs, ROM, 6 SR-IOV BARs). */
    static Optional<String> resource(PciId id, int vfIndex) {
        if (!id.equals(IGB_VF) || vfIndex < 0) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 13; i++) {
            long base = i == 0 ? 0xfe800000L : i == 3 ? 0xfe820000L : -1;
            if (base < 0) {
                b.append(line(0, 0, 0));
            } else {
                long start = base + vfIndex * VF_BAR;
                b.append(line(start, start + VF_BAR - 1, FLAGS_MEM64_PREFETCH));
            }
        }
        return Optional.of(b.toString());
    }

    private static String line(long start, long end, long flags) {
        return String.format("0x%016x 0x%016x 0x%016x%n", start, end, flags);
    }

    /**
     * The non-zero bytes of an 82576 VF's 4096-byte configuration space as Linux 6.12 shows it in {@code config}
     * while no driver uses it (captured tree {@code igb-7vf-mixed}, VFs on vfio-pci or unbound): vendor and device
     * read 0xffff (a VF's own ids are in the PF's SR-IOV capability), status with the capability list, revision 1,
     * class 02, subsystem 1af4:1100, capabilities PCI Express (0xa0) then MSI-X (0x70, table size 3, in BAR3), ARI
     * (0x100) and extended capability 0x000e at 0x150. {offset, value} pairs.
     */
    private static final int[][] IGB_VF_CONFIG = {{0x0, 0xff}, {0x1, 0xff}, {0x2, 0xff}, {0x3, 0xff}, {0x6, 0x10},
        {0x8, 0x1}, {0xb, 0x2}, {0x2c, 0xf4}, {0x2d, 0x1a}, {0x2f, 0x11}, {0x34, 0xa0}, {0x70, 0x11}, {0x72, 0x2},
        {0x74, 0x3}, {0x78, 0x3}, {0x79, 0x20}, {0xa0, 0x10}, {0xa1, 0x70}, {0xa2, 0x2}, {0xa4, 0x20}, {0xa5, 0x80},
        {0xa7, 0x10}, {0xac, 0x11}, {0xad, 0x4}, {0xb2, 0x11}, {0xc6, 0x30}, {0x100, 0x1}, {0x102, 0x1},
        {0x103, 0x15}, {0x10a, 0x40}, {0x10b, 0x2}, {0x10c, 0x30}, {0x10d, 0x20}, {0x10e, 0x46}, {0x115, 0xe0},
        {0x118, 0xa0}, {0x150, 0xe}, {0x152, 0x1}};

    /**
     * The {@code config} of a function (each char one byte), 4096 bytes. While igbvf drives the VF, it has enabled
     * memory decoding and bus mastering with INTx disabled (command 0x0406) and MSI-X (control bit 15), as in the
     * captured tree's VFs on igbvf.
     */
    static Optional<String> config(PciId id, int vfIndex, @Nullable String driver) {
        if (!id.equals(IGB_VF) || vfIndex < 0) {
            return Optional.empty();
        }
        char[] c = new char[4096];
        for (int[] b : IGB_VF_CONFIG) {
            c[b[0]] = (char) b[1];
        }
        if ("igbvf".equals(driver)) {
            c[0x4] = 0x06;
            c[0x5] = 0x04;
            c[0x73] = 0x80;
        }
        return Optional.of(new String(c));
    }
}
