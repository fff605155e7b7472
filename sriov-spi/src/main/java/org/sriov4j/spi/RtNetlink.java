package org.sriov4j.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfStats;

/**
 * The kernel's routing netlink ({@code NETLINK_ROUTE}) as far as sriov4j needs it: a link (netdev) with the settings
 * of its VFs ({@code RTM_GETLINK} with {@code IFLA_EXT_MASK = RTEXT_FILTER_VF}), and one VF setting changed at a time
 * ({@code RTM_SETLINK} with one {@code IFLA_VF_INFO} in {@code IFLA_VFINFO_LIST}). Every VF network setting the engine
 * reads or makes goes through this interface, as every sysfs access goes through {@link SysfsAccess}.
 *
 * <p>Implementations: the engine's own (a netlink socket through JNA, loaded on first use) and the simulated kernel
 * of {@code sriov4j-test-fixtures}, which answers as the igb PF driver of Linux 6.12 does. Implementations are
 * thread-safe. Every failure is an {@link org.sriov4j.SriovException} carrying the kernel's errno; the operation
 * names the request ({@code RTM_GETLINK eth0}, {@code RTM_SETLINK ifindex 2 vf 0 mac}).
 */
public interface RtNetlink extends AutoCloseable {

    /**
     * A link and its VFs, as one {@code RTM_NEWLINK} reply describes it.
     *
     * @param index the interface index ({@code ifi_index})
     * @param name the interface name ({@code IFLA_IFNAME})
     * @param up whether the interface is administratively up ({@code IFF_UP})
     * @param lowerUp whether it has a carrier ({@code IFF_LOWER_UP})
     * @param numVfs the VF count the kernel reports ({@code IFLA_NUM_VF}; 0 when absent)
     * @param vfs the VFs the PF driver describes ({@code IFLA_VFINFO_LIST}), in index order; empty when the driver
     *     reports none
     */
    record Link(int index, String name, boolean up, boolean lowerUp, int numVfs, List<VfInfo> vfs) {

        /**
         * Checks and copies.
         *
         * @param index the interface index
         * @param name the interface name
         * @param up administratively up
         * @param lowerUp carrier
         * @param numVfs the VF count
         * @param vfs the VFs; copied
         */
        public Link {
            Objects.requireNonNull(name, "name");
            vfs = List.copyOf(vfs);
        }

        /**
         * The VF of an index.
         *
         * @param vf the index
         * @return it, if the PF driver describes it
         */
        public Optional<VfInfo> vf(int vf) {
            for (VfInfo i : vfs) {
                if (i.index() == vf) {
                    return Optional.of(i);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * One VF as its PF driver describes it ({@code IFLA_VF_INFO}).
     *
     * @param index the VF index on its PF
     * @param config every setting the driver reports (a setting it marks unknown, {@code -1}, is absent)
     * @param rssQuery {@code IFLA_VF_RSS_QUERY_EN}, if the driver reports it
     * @param stats {@code IFLA_VF_STATS}, if present
     */
    record VfInfo(int index, VfNetConfig config, Optional<Boolean> rssQuery, Optional<VfStats> stats) {

        /**
         * Checks the values.
         *
         * @param index the VF index, 0 or more
         * @param config the settings
         * @param rssQuery the RSS query setting
         * @param stats the counters
         */
        public VfInfo {
            if (index < 0) {
                throw new IllegalArgumentException("VF index must be 0 or more: " + index);
            }
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(rssQuery, "rssQuery");
            Objects.requireNonNull(stats, "stats");
        }
    }

    /**
     * Reads a link with its VFs ({@code RTM_GETLINK} by name, {@code RTEXT_FILTER_VF}).
     *
     * @param name the interface name
     * @return the link
     * @throws org.sriov4j.SriovException with {@code ENODEV} if there is no such interface, or the kernel's errno
     */
    Link link(String name);

    /**
     * Changes one VF setting ({@code RTM_SETLINK} with one {@code IFLA_VF_INFO}) and waits for the kernel's answer.
     *
     * @param ifindex the PF's interface index
     * @param vf the VF index
     * @param setting the values of exactly one kernel attribute: {@link VfNetConfig.Setting#MAC},
     *     {@link VfNetConfig.Setting#VLAN}, {@link VfNetConfig.Setting#SPOOF_CHECK}, {@link VfNetConfig.Setting#TRUST},
     *     {@link VfNetConfig.Setting#LINK_STATE}, or both rates ({@code IFLA_VF_RATE} sets the two together)
     * @throws IllegalArgumentException if {@code setting} does not hold exactly one of those
     * @throws org.sriov4j.SriovException with the PF driver's errno if the kernel refused it
     */
    void setVf(int ifindex, int vf, VfNetConfig setting);

    /** Closes the socket, if one is open. The instance may be used again (it opens a new one). */
    @Override
    void close();

    /**
     * Checks that a setting holds the values of exactly one kernel attribute, as {@link #setVf} requires.
     *
     * @param setting the setting
     * @return the attribute: one of MAC, VLAN, SPOOF_CHECK, TRUST, LINK_STATE, or MAX_TX_RATE for the rates
     * @throws IllegalArgumentException if it does not
     */
    static VfNetConfig.Setting attributeOf(VfNetConfig setting) {
        java.util.Set<VfNetConfig.Setting> s = setting.settings();
        if (s.size() == 2 && s.contains(VfNetConfig.Setting.MIN_TX_RATE)
                && s.contains(VfNetConfig.Setting.MAX_TX_RATE)) {
            return VfNetConfig.Setting.MAX_TX_RATE;
        }
        if (s.size() != 1 || s.contains(VfNetConfig.Setting.MIN_TX_RATE)
                || s.contains(VfNetConfig.Setting.MAX_TX_RATE)) {
            throw new IllegalArgumentException("one VF setting (or both rates) per request, not " + setting);
        }
        return s.iterator().next();
    }
}
