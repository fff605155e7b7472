package org.sriov4j.testing.contract;

import java.util.Objects;
import java.util.Optional;
import org.sriov4j.PciAddress;
import org.sriov4j.PciId;

/**
 * A physical function the contract kits may change, and what they should expect of it.
 *
 * @param address the PF's address
 * @param id the PF's vendor and device id
 * @param vfId the vendor and device id of its VFs
 * @param totalVfs {@code sriov_totalvfs} while its driver is bound
 * @param driver the PF's driver
 * @param vfDriver the host driver that binds its VFs when autoprobe is on; empty if none is loaded
 */
public record PfUnderTest(PciAddress address, PciId id, PciId vfId, int totalVfs, String driver,
        Optional<String> vfDriver) {

    /**
     * Checks the values.
     *
     * @param address the PF's address
     * @param id the PF's vendor and device id
     * @param vfId the vendor and device id of its VFs
     * @param totalVfs {@code sriov_totalvfs} while its driver is bound
     * @param driver the PF's driver
     * @param vfDriver the host driver that binds its VFs when autoprobe is on; empty if none is loaded
     * @throws IllegalArgumentException if {@code totalVfs} is below 3 (the kits need at least 3 VFs)
     */
    public PfUnderTest {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(vfId, "vfId");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(vfDriver, "vfDriver");
        if (totalVfs < 3) {
            throw new IllegalArgumentException("the contract kits need a PF with at least 3 VFs: " + address);
        }
    }

    /**
     * An Intel 82576 port (8086:10c9) on igb with 7 VFs (8086:10ca) for igbvf.
     *
     * @param address the PF's address
     * @return the PF under test
     */
    public static PfUnderTest intel82576(PciAddress address) {
        return new PfUnderTest(address, new PciId(0x8086, 0x10c9), new PciId(0x8086, 0x10ca), 7, "igb",
                Optional.of("igbvf"));
    }
}
