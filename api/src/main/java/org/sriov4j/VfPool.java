package org.sriov4j;

import java.util.List;
import java.util.Optional;

/**
 * The VFs of a host that match any of a set of {@linkplain VfSelector selectors}, to lease one without naming it.
 * Get one with {@link SriovHost#pool(VfSelector...)}.
 *
 * <pre>{@code
 * VfPool pool = host.pool(VfSelector.parse("ens1f0#0-3"), VfSelector.parse("ens2f0#0-3"));
 * try (Lease lease = pool.lease("vm-42", 1)) {      // preferably a VF on NUMA node 1
 *     // lease.device() is on vfio-pci, leased to vm-42 and to no one else
 * }
 * }</pre>
 *
 * <p>Membership is worked out from the host as it is at each call, and a lease is an ordinary
 * {@link SriovHost#lease(PciAddress, String)} lease. (The engine's pool does not scan the whole host for that: it
 * remembers which VFs the selectors' PFs have, reads a PF's {@code sriov_numvfs} before it relies on that, reads the
 * state-dependent criteria (id, driver, NUMA node) from each VF it tries, and looks at the whole host again before
 * it reports a pool exhausted.) So taking a VF is as
 * exclusive as a lease is, across the threads and processes of the host, including callers that use other pools
 * with overlapping selectors, or no pool: no two callers ever hold the same VF. Pools are thread-safe.
 */
public interface VfPool {

    /**
     * The selectors; a VF is a member if it matches at least one.
     *
     * @return the selectors, as given
     */
    List<VfSelector> selectors();

    /**
     * The VFs that match now, leased or not, in address order.
     *
     * @return the members, as the host is now
     * @throws SriovException if the topology cannot be read
     */
    List<PciAddress> members();

    /**
     * Leases a free member: tries the members in address order and takes the first whose lease succeeds.
     *
     * @param guest the guest's name, for records and messages
     * @return the lease; close it to end it
     * @throws PoolExhaustedException if no member is free ({@link Errno#EBUSY}) or nothing matches
     *     ({@link Errno#ENODEV})
     * @throws SriovException as {@link SriovHost#lease(PciAddress, String)}, if the lease of a free member fails
     *     for another reason than it being taken (for example a non-viable IOMMU group): the pool does not hide
     *     such failures by moving on to the next member
     */
    default Lease lease(String guest) {
        return lease(guest, LeaseOptions.defaults());
    }

    /**
     * Leases a free member, as {@link #lease(String)}, with a network identity applied before the lease is returned,
     * as {@link SriovHost#lease(PciAddress, String, VfNetConfig)} does (spoof checking on and trust off unless
     * {@code net} says otherwise; the previous settings restored when the lease ends).
     *
     * @param guest the guest's name
     * @param net the settings
     * @return the lease; close it to end it
     * @throws PoolExhaustedException as {@link #lease(String)}
     * @throws VfNetConfigException if a setting is refused (the VF is given back first)
     * @throws SriovException as {@link #lease(String)}
     */
    default Lease lease(String guest, VfNetConfig net) {
        return lease(guest, LeaseOptions.builder().net(net).build());
    }

    /**
     * Leases a free member, as {@link #lease(String)}, with options, as
     * {@link SriovHost#lease(PciAddress, String, LeaseOptions)} takes them: what holds the lease, the network identity
     * applied before it is returned, the guest's VF driver judged against the member's PF driver. A member whose
     * verdict refuses (INCOMPATIBLE, or UNKNOWN when strict) ends the call with {@link IncompatibleVfDriverException}:
     * the pool does not move on to another member (all of a pool's VFs usually share one PF driver; give a pool per
     * PF driver otherwise).
     *
     * <pre>{@code
     * try (Lease lease = pool.lease("vm-42", LeaseOptions.builder()
     *         .net(VfNetConfig.builder().mac(MacAddress.parse("02:00:00:00:00:2a")).build())
     *         .guestVfDriver(GuestVfDriver.parse("igbvf:6.12.118")).build())) {
     *     ...
     * }
     * }</pre>
     *
     * @param guest the guest's name
     * @param options the lease's options
     * @return the lease; close it to end it
     * @throws PoolExhaustedException as {@link #lease(String)}
     * @throws IncompatibleVfDriverException if the guest's VF driver is refused on the member tried
     * @throws VfNetConfigException if a setting is refused (the VF is given back first)
     * @throws SriovException as {@link #lease(String)}
     */
    Lease lease(String guest, LeaseOptions options);

    /**
     * Leases a free member, preferably one on NUMA node {@code preferredNumaNode}: tries the members on that node
     * first, then the others, each in address order.
     *
     * @param guest the guest's name, for records and messages
     * @param preferredNumaNode the node to try first, 0 or more
     * @return the lease; close it to end it
     * @throws IllegalArgumentException if {@code preferredNumaNode} is negative
     * @throws PoolExhaustedException as {@link #lease(String)}
     * @throws SriovException as {@link #lease(String)}
     */
    Lease lease(String guest, int preferredNumaNode);

    /**
     * Leases a free member if there is one, as {@link #lease(String)}.
     *
     * @param guest the guest's name, for records and messages
     * @return the lease, or empty when {@link #lease(String)} would throw {@link PoolExhaustedException}
     * @throws SriovException as {@link #lease(String)}, except {@link PoolExhaustedException}
     */
    default Optional<Lease> tryLease(String guest) {
        try {
            return Optional.of(lease(guest));
        } catch (PoolExhaustedException e) {
            return Optional.empty();
        }
    }

    /**
     * Leases a free member if there is one, as {@link #lease(String, int)}.
     *
     * @param guest the guest's name, for records and messages
     * @param preferredNumaNode the node to try first, 0 or more
     * @return the lease, or empty when {@link #lease(String, int)} would throw {@link PoolExhaustedException}
     * @throws IllegalArgumentException if {@code preferredNumaNode} is negative
     * @throws SriovException as {@link #lease(String)}, except {@link PoolExhaustedException}
     */
    default Optional<Lease> tryLease(String guest, int preferredNumaNode) {
        try {
            return Optional.of(lease(guest, preferredNumaNode));
        } catch (PoolExhaustedException e) {
            return Optional.empty();
        }
    }
}
