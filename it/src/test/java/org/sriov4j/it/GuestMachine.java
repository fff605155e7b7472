package org.sriov4j.it;

import java.util.List;
import java.util.Locale;
import org.sriov4j.PciAddress;

/**
 * The machine configuration of the QEMU guest the real-kernel suite runs in ({@code run-in-guest.sh --machine}),
 * and what it is known to contain (it/README.md, "What the guest looks like").
 *
 * <p>{@code it/scripts/run-suite.sh} passes the machine as the system property {@value #PROPERTY}; the harness
 * also exports it as {@value #ENV}.
 */
public enum GuestMachine {
    /** One emulated Intel 82576 (QEMU {@code igb}) behind one PCIe root port. */
    SINGLE(List.of(PciAddress.parse("0000:01:00.0"))),
    /**
     * Two emulated Intel 82576, each behind its own PCIe root port; {@code run-suite.sh} adds the pcie-pci-bridge
     * {@code 03:00.0} with two e1000 NICs ({@code 04:01.0}, {@code 04:02.0}) in one IOMMU group.
     */
    DUAL(List.of(PciAddress.parse("0000:01:00.0"), PciAddress.parse("0000:02:00.0")));

    /** System property set by {@code run-suite.sh}: {@code single} or {@code dual}. */
    public static final String PROPERTY = "sriov4j.it.machine";
    /** Environment variable set by {@code run-in-guest.sh} in the guest. */
    public static final String ENV = "SRIOV4J_IT_MACHINE";
    /** Environment variable that {@code run-in-guest.sh} sets to {@code 1} in the guest. */
    public static final String GUEST_ENV = "SRIOV4J_IT_GUEST";

    /** PCI ids of the emulated 82576: PF 8086:10c9, VF 8086:10ca, 7 VFs per PF. */
    public static final int VENDOR = 0x8086;
    /** Device id of the 82576 PF. */
    public static final int PF_DEVICE = 0x10c9;
    /** Device id of the 82576 VF. */
    public static final int VF_DEVICE = 0x10ca;
    /** {@code sriov_totalvfs} of each emulated PF. */
    public static final int TOTAL_VFS = 7;

    private final List<PciAddress> pfs;

    GuestMachine(List<PciAddress> pfs) {
        this.pfs = pfs;
    }

    /** The PFs of this machine, in address order. */
    public List<PciAddress> pfs() {
        return pfs;
    }

    /** The {@code --machine} name: {@code single} or {@code dual}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this JVM runs inside the test guest. */
    public static boolean inGuest() {
        return "1".equals(System.getenv(GUEST_ENV));
    }

    /**
     * The machine this JVM runs in: the system property, else the environment variable.
     *
     * @throws IllegalStateException when neither names a machine, or they disagree
     */
    public static GuestMachine current() {
        String property = System.getProperty(PROPERTY);
        String env = System.getenv(ENV);
        if (property != null && env != null && !property.equals(env)) {
            throw new IllegalStateException("-D" + PROPERTY + "=" + property + " but " + ENV + "=" + env);
        }
        String id = property != null ? property : env;
        if (id == null) {
            throw new IllegalStateException("not in the test guest: neither -D" + PROPERTY + " nor " + ENV
                    + " is set (run the suite with mvn verify -Preal-kernel or it/scripts/run-suite.sh)");
        }
        for (GuestMachine m : values()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalStateException("unknown guest machine '" + id + "'");
    }
}
