package org.sriov4j.spi.vendor;

import java.util.Optional;
import org.sriov4j.Errno;
import org.sriov4j.VfNetConfig;
import org.sriov4j.spi.VfNetRefusal;
import java.util.OptionalInt;
import java.util.Set;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.spi.CompatibilityMatrix;
import org.sriov4j.spi.VendorContext;
import org.sriov4j.spi.VendorPlugin;

/**
 * Intel 82576 ports on the Linux {@code igb} driver. Public only because {@link java.util.ServiceLoader} requires
 * it.
 *
 * <ul>
 * <li>Matches the 82576 PF device ids of the kernel's igb driver ({@code e1000_hw.h}: {@code 8086:10c9},
 * {@code 10e6}, {@code 10e7}, {@code 10e8}, {@code 1526}, {@code 150a}, {@code 1518}, {@code 150d}) at
 * {@link MatchLevel#DEVICE}.</li>
 * <li>VFs are {@code 8086:10ca} for the host driver {@code igbvf}.</li>
 * <li>{@code igb} allows 7 VFs per port (the hardware has 8 VF pools; igb keeps one for the PF):
 * {@link #vfLimit(PhysicalFunction)} says so while igb is bound.</li>
 * <li>{@link #beforeEnable} checks that the PF reports {@code 10ca} as its VF device id, and {@link #afterEnable}
 * that every new VF is a {@code 10ca}: a mismatch means the device is not what igbvf and this plugin expect, and
 * the enable is rolled back.</li>
 * <li>VF network settings ({@link #vfNetRefusal}), as igb on Linux 6.12 answers them (measured, see the repository's
 * {@code docs/vf-net-config.md}): MAC, VLAN with QoS (802.1Q), spoof checking and trust are accepted; a link state
 * is refused with {@code EOPNOTSUPP} (igb has no {@code ndo_set_vf_link_state}), a VLAN of protocol 802.1ad with
 * {@code EPROTONOSUPPORT}, a non-zero minimum transmit rate with {@code EINVAL}, and a non-zero maximum rate with
 * {@code EINVAL} while the PF link is down (igb checks it against the link speed, 0 then).</li>
 * <li>{@link #compatibilityMatrix()}: {@code intel-igb-compatibility.json} next to this class (docs/device-profile.md
 * says where each entry comes from): in-tree igb with in-tree igbvf, both Linux 5.8 or later, COMPATIBLE; anything
 * else UNKNOWN.</li>
 * </ul>
 */
public final class IntelIgbVendorPlugin implements VendorPlugin {

    /** The id: {@value}. */
    public static final String ID = "intel-igb";
    /** Intel's PCI vendor id. */
    public static final int VENDOR_INTEL = 0x8086;
    /** The 82576 VF device id ({@code E1000_DEV_ID_82576_VF}). */
    public static final int VF_DEVICE = 0x10ca;
    /** VFs per port under igb ({@code MAX_NUM_VFS} in the igb driver). */
    public static final int MAX_VFS = 7;
    /** The PF driver. */
    public static final String PF_DRIVER = "igb";
    /** The host driver of the VFs. */
    public static final String VF_DRIVER = "igbvf";

    /** The 82576 PF device ids igb binds (drivers/net/ethernet/intel/igb/e1000_hw.h). */
    private static final Set<Integer> PF_DEVICES = Set.of(0x10c9, 0x10e6, 0x10e7, 0x10e8, 0x1526, 0x150a, 0x1518,
            0x150d);

    private static final CompatibilityMatrix MATRIX = CompatibilityMatrix.load(IntelIgbVendorPlugin.class,
            "intel-igb-compatibility.json");

    /** Creates the plugin (called by ServiceLoader). */
    public IntelIgbVendorPlugin() {
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * {@link MatchLevel#DEVICE} for an 82576 PF, {@link MatchLevel#NONE} for anything else.
     *
     * @param pf the physical function
     * @return the match level
     */
    @Override
    public MatchLevel match(PciFunction pf) {
        return pf.id().vendor() == VENDOR_INTEL && PF_DEVICES.contains(pf.id().device()) ? MatchLevel.DEVICE
                : MatchLevel.NONE;
    }

    /**
     * {@value #VF_DRIVER}.
     *
     * @param pf the physical function
     * @return {@code igbvf}
     */
    @Override
    public Optional<String> vfDriver(PciFunction pf) {
        return Optional.of(VF_DRIVER);
    }

    /**
     * 7 while the PF is on igb; no limit of its own otherwise (another driver, or none, decides).
     *
     * @param pf the physical function
     * @return the limit
     */
    @Override
    public OptionalInt vfLimit(PhysicalFunction pf) {
        return pf.function().driver().filter(PF_DRIVER::equals).isPresent() ? OptionalInt.of(MAX_VFS)
                : OptionalInt.empty();
    }

    /**
     * Checks that the PF's {@code sriov_vf_device} is {@code 10ca}.
     *
     * @param ctx sysfs and the PF
     * @param pf the PF as read before the operation
     * @param count the VF count about to be written
     * @throws IllegalStateException if it is not
     */
    @Override
    public void beforeEnable(VendorContext ctx, PhysicalFunction pf, int count) {
        if (pf.vfDeviceId() != VF_DEVICE) {
            throw new IllegalStateException(String.format(
                    "%s reports VF device %04x in sriov_vf_device, an 82576 has %04x (igbvf would not bind)",
                    pf.address(), pf.vfDeviceId(), VF_DEVICE));
        }
    }

    /**
     * Checks that every new VF is an {@code 8086:10ca}.
     *
     * @param ctx sysfs and the PF
     * @param pf the PF with its new VFs
     * @param count the VF count that was written
     * @throws IllegalStateException if one is not
     */
    @Override
    public void afterEnable(VendorContext ctx, PhysicalFunction pf, int count) {
        for (PciAddress vf : pf.vfs()) {
            String path = "bus/pci/devices/" + vf + "/device";
            int device = Integer.decode(ctx.sysfs().read(path).strip());
            if (device != VF_DEVICE) {
                throw new IllegalStateException(String.format("VF %s of %s is device %04x, expected %04x for igbvf",
                        vf, pf.address(), device, VF_DEVICE));
            }
        }
    }

    /**
     * igb's refusals (class comment).
     *
     * @param ctx sysfs and the PF
     * @param setting the setting
     * @param change the whole change
     * @param pfLinkUp whether the PF link is up
     * @return the refusal, if igb refuses it
     */
    @Override
    public Optional<VfNetRefusal> vfNetRefusal(VendorContext ctx, VfNetConfig.Setting setting, VfNetConfig change,
            boolean pfLinkUp) {
        switch (setting) {
            case LINK_STATE:
                return Optional.of(new VfNetRefusal(Errno.EOPNOTSUPP, "igb has no VF link-state control"));
            case VLAN:
                if (change.vlan().orElseThrow().protocol() != VfNetConfig.VlanProtocol.IEEE_802_1Q) {
                    return Optional.of(new VfNetRefusal(Errno.EPROTONOSUPPORT, "igb tags VFs with 802.1Q only"));
                }
                return Optional.empty();
            case MIN_TX_RATE:
                if (change.minTxRateMbps().orElse(0) != 0) {
                    return Optional.of(new VfNetRefusal(Errno.EINVAL, "igb has no minimum transmit rate"));
                }
                return Optional.empty();
            case MAX_TX_RATE:
                if (change.maxTxRateMbps().orElse(0) != 0 && !pfLinkUp) {
                    return Optional.of(new VfNetRefusal(Errno.EINVAL, "igb limits a VF's rate only while the PF "
                            + "link is up (bring " + ctx.pf() + "'s netdev up first)"));
                }
                return Optional.empty();
            default:
                return Optional.empty();
        }
    }

    /**
     * The igb/igbvf matrix shipped with this plugin ({@code intel-igb-compatibility.json}).
     *
     * @return the matrix
     */
    @Override
    public Optional<CompatibilityMatrix> compatibilityMatrix() {
        return Optional.of(MATRIX);
    }

    @Override
    public String toString() {
        return ID;
    }
}
