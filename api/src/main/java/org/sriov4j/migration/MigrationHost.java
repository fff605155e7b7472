package org.sriov4j.migration;

import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.CompatibilityVerdict;
import org.sriov4j.GuestVfDriver;

/**
 * The migration side of a host: device profiles, the destination check and the driver compatibility verdict. The
 * engine's {@link SriovHost} implements it; get it with {@link #of(SriovHost)}.
 *
 * <pre>{@code
 * try (SriovHost host = SriovHost.open(SriovConfig.defaults())) {
 *     MigrationHost migration = MigrationHost.of(host);
 *     DeviceProfile profile = migration.profile(PciAddress.parse("0000:01:10.0"));
 * }
 * }</pre>
 */
public interface MigrationHost {

    /**
     * The migration side of a host.
     *
     * @param host a host opened with {@link SriovHost#open}
     * @return the same object, as a migration host
     * @throws SriovException {@link Errno#EOPNOTSUPP} if this host implementation has no migration support (a
     *     test double, say)
     */
    static MigrationHost of(SriovHost host) {
        if (host instanceof MigrationHost m) {
            return m;
        }
        throw new SriovException("migration", null, Errno.EOPNOTSUPP, null, host.getClass().getName()
                + " does not implement MigrationHost", null);
    }

    /**
     * The profile of a VF: what a guest sees of it and what its PF is, for a destination host to check
     * ({@link #checkDestination}). Read from sysfs and, for the PF's driver and firmware versions, from the PF's
     * netdev ({@code ETHTOOL_GDRVINFO}); what cannot be read (on a captured tree, without root, without a netdev) is
     * unknown, never guessed. The VFIO migration capability is unknown here: a VMM that has the device open adds it
     * with {@link DeviceProfile#withVfioMigration}. The network settings are unknown until
     * this host reads VF network settings.
     *
     * <pre>{@code
     * String json = host.profile(PciAddress.parse("0000:01:10.0")).toJson();   // send it to the destination
     * }</pre>
     *
     * @param vf the VF
     * @return its profile
     * @throws DeviceNotFoundException if there is no such function
     * @throws SriovException {@link Errno#ENODEV} if the function is not a VF; or sysfs could not be read
     */
    DeviceProfile profile(PciAddress vf);

    /**
     * The destination's check: which free VFs of this host can take a guest's device described by {@code profile},
     * and for each every field that does not simply match, classified by the rules (identical ids, revision, BAR
     * layout, MSI-X count, firmware, driver family; network settings carried over; BDF and IOMMU group ignored; see
     * {@link ProfileRules}). A VF is free when no process holds it (no lease, no change in
     * progress), it is attached to no guest, and it is not on the stub driver for someone else. Nothing on the host
     * is changed.
     *
     * <pre>{@code
     * DestinationReport r = host.checkDestination(DeviceProfile.fromJson(json), DestinationOptions.defaults());
     * r.chosen().ifPresent(c -> System.out.println("take " + c.vf() + ", apply " + c.applied()));
     * }</pre>
     *
     * @param profile the guest's device, as the source host described it
     * @param options the pool, strictness, the guest's VF driver, NUMA pinning, rules
     * @return the chosen VF, if one fits, and the nearest candidates otherwise
     * @throws SriovException if sysfs could not be read
     */
    DestinationReport checkDestination(DeviceProfile profile,
            DestinationOptions options);

    /**
     * What the vendor's PF/VF driver compatibility matrix says about a guest's VF driver on this VF's PF: check it
     * when leasing a VF to a guest whose VF driver and version are known. {@code UNKNOWN} when no matrix entry covers
     * the pair (reported, not refused: the caller decides).
     *
     * @param vf the VF
     * @param guestDriver the guest's VF driver and its version
     * @return the verdict, naming the matrix entry's source
     * @throws DeviceNotFoundException if there is no such function
     * @throws SriovException {@link Errno#ENODEV} if the function is not a VF
     */
    CompatibilityVerdict vfDriverCompatibility(PciAddress vf,
            GuestVfDriver guestDriver);
}
