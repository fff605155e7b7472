package org.sriov4j.testing;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfStats;
import org.sriov4j.spi.RtNetlink;

/**
 * The routing netlink of a {@link SimulatedKernel}: what {@code ip link} sees and changes, answered the way Linux 6.12
 * answers it (net/core/rtnetlink.c {@code do_setvfinfo}, {@code rtnl_fill_vfinfo}) and, for a PF on {@code igb}, the
 * way igb answers (measured on the real kernel with an emulated 82576; the repository's
 * {@code docs/vf-net-config.md} has the transcript):
 * <ul>
 * <li>A link is looked up by name among the netdevs of bound network functions, plus {@code lo} (ifindex 1); another
 *     name is {@code ENODEV}. A PF's link carries its VF count and one entry per VF.</li>
 * <li>New VFs show MAC {@code 00:00:00:00:00:00}, no VLAN, spoof checking on, link-state auto, trust off, rates 0,
 *     counters 0; disabling SR-IOV drops them and enabling again starts from these defaults.</li>
 * <li>igb: MAC (unicast, or zero to clear; a group address {@code EINVAL}), VLAN 0..4095 with QoS 0..7 (else
 *     {@code EINVAL}; protocol 802.1ad {@code EPROTONOSUPPORT}), spoof checking and trust are accepted; link state
 *     {@code EOPNOTSUPP}; a non-zero minimum rate {@code EINVAL}; a maximum rate above the link speed (1000 Mbps while
 *     the PF is up, 0 while it is down) {@code EINVAL}; a VF index at or above the VF count {@code EINVAL}. igb
 *     reports no RSS query setting (-1: absent).</li>
 * <li>Any other PF driver that configures SR-IOV accepts every setting in range (as ice or mlx5 do), with the same
 *     index rule; a link without VF operations ({@code lo}, a VF's own netdev) answers {@code EOPNOTSUPP}.</li>
 * <li>A netdev is down until {@link #setLinkUp(String, boolean)}; renaming ({@link #rename(String, String)}) an up
 *     netdev is {@code EBUSY}, to a taken name {@code EEXIST}.</li>
 * </ul>
 * Tests can make the next request of one setting fail ({@link #failNext(VfNetConfig.Setting, Errno)}), set a VF's
 * counters ({@link #setStats(PciAddress, VfStats)}) and see every request ({@link #requests()}).
 * {@link #close()} does nothing: the netlink belongs to the kernel, not to a host that uses it.
 */
public final class SimulatedNetlink implements RtNetlink {

    /** The loopback interface's index. */
    public static final int LOOPBACK_INDEX = 1;
    /** The link speed of an up PF, in Mbps (the emulated 82576 reports 1000). */
    public static final int LINK_SPEED_MBPS = 1000;

    private final ReentrantLock lock;
    private final Kernel kernel;
    /** Per VF (identity of the simulated device: a re-created VF starts afresh). */
    private final Map<Kernel.Device, VfState> vfs = new WeakHashMap<>();
    private final Map<VfNetConfig.Setting, Deque<Errno>> faults = new HashMap<>();
    private final List<String> requests = new ArrayList<>();

    /** A VF's settings as its PF holds them. */
    private static final class VfState {
        MacAddress mac = MacAddress.ZERO;
        VfNetConfig.Vlan vlan = VfNetConfig.Vlan.NONE;
        boolean spoofCheck = true;
        boolean trust;
        VfNetConfig.LinkState linkState = VfNetConfig.LinkState.AUTO;
        int minRate;
        int maxRate;
        VfStats stats = VfStats.ZERO;
    }

    SimulatedNetlink(ReentrantLock lock, Kernel kernel) {
        this.lock = lock;
        this.kernel = kernel;
        this.up = kernel.netdevsUp;
    }

    /** Interface indexes of the netdevs that are up (the kernel's: sysfs shows them too). */
    private final java.util.Set<Integer> up;

    private static SriovException error(String operation, Errno errno, String detail) {
        return new SriovException(operation, null, errno, null, detail, null);
    }

    private VfState state(Kernel.Device vf) {
        return vfs.computeIfAbsent(vf, d -> new VfState());
    }

    private static boolean hasVfOps(Kernel.Device pf) {
        return pf.isPf() && pf.driver != null;
    }

    private static boolean isIgb(Kernel.Device pf) {
        return "igb".equals(pf.driver);
    }

    @Override
    public Link link(String name) {
        Objects.requireNonNull(name, "name");
        lock.lock();
        try {
            requests.add("getlink " + name);
            if (name.equals("lo")) {
                return new Link(LOOPBACK_INDEX, "lo", true, true, 0, List.of());
            }
            Kernel.Device d = kernel.netdevs.get(name);
            if (d == null || d.netdev == null) {
                throw error("RTM_GETLINK " + name, Errno.ENODEV, "no such device");
            }
            int index = d.netdev.ifindex();
            boolean isUp = up.contains(index);
            if (!d.isPf()) {
                return new Link(index, name, isUp, isUp, 0, List.of());
            }
            List<VfInfo> infos = new ArrayList<>();
            if (hasVfOps(d)) {
                for (Kernel.Device vf : d.vfs) {
                    VfState s = state(vf);
                    VfNetConfig c = VfNetConfig.builder().mac(s.mac).vlan(s.vlan).spoofCheck(s.spoofCheck)
                            .trust(s.trust).linkState(s.linkState).maxTxRateMbps(s.maxRate).minTxRateMbps(s.minRate)
                            .build();
                    infos.add(new VfInfo(vf.vfIndex, c, isIgb(d) ? Optional.empty() : Optional.of(false),
                            Optional.of(s.stats)));
                }
            }
            return new Link(index, name, isUp, isUp, d.vfs.size(), infos);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setVf(int ifindex, int vf, VfNetConfig setting) {
        VfNetConfig.Setting which = RtNetlink.attributeOf(setting);
        String operation = "RTM_SETLINK ifindex " + ifindex + " vf " + vf + " " + which.ipName();
        lock.lock();
        try {
            requests.add("setvf " + ifindex + " " + vf + " " + setting);
            Kernel.Device pf = byIndex(ifindex);
            if (pf == null && ifindex != LOOPBACK_INDEX) {
                throw error(operation, Errno.ENODEV, "no such device");
            }
            if (pf == null || !hasVfOps(pf)) {
                throw error(operation, Errno.EOPNOTSUPP, "the device has no VF operations");
            }
            Deque<Errno> f = faults.get(which);
            if (f != null && !f.isEmpty()) {
                throw error(operation, f.poll(), "injected fault; nothing changed");
            }
            boolean igb = isIgb(pf);
            if (igb && which == VfNetConfig.Setting.LINK_STATE) {
                throw error(operation, Errno.EOPNOTSUPP, "igb has no ndo_set_vf_link_state");
            }
            if (vf >= pf.vfs.size()) {
                throw error(operation, Errno.EINVAL, "VF " + vf + " of " + pf.vfs.size());
            }
            VfState s = state(pf.vfs.get(vf));
            switch (which) {
                case MAC -> s.mac = setting.mac().orElseThrow();
                case VLAN -> {
                    VfNetConfig.Vlan v = setting.vlan().orElseThrow();
                    if (igb && v.protocol() != VfNetConfig.VlanProtocol.IEEE_802_1Q) {
                        throw error(operation, Errno.EPROTONOSUPPORT, "igb: 802.1Q only");
                    }
                    s.vlan = v;
                }
                case SPOOF_CHECK -> s.spoofCheck = setting.spoofCheck().orElseThrow();
                case TRUST -> s.trust = setting.trust().orElseThrow();
                case LINK_STATE -> s.linkState = setting.linkState().orElseThrow();
                case MAX_TX_RATE -> {
                    int min = setting.minTxRateMbps().orElseThrow();
                    int max = setting.maxTxRateMbps().orElseThrow();
                    if (igb) {
                        int speed = up.contains(ifindex) ? LINK_SPEED_MBPS : 0;
                        if (min != 0 || max > speed) {
                            throw error(operation, Errno.EINVAL, min != 0 ? "igb: no minimum rate"
                                    : "igb: max_tx_rate " + max + " above the link speed " + speed);
                        }
                    } else if (max != 0 && min > max) {
                        throw error(operation, Errno.EINVAL, "min_tx_rate above max_tx_rate");
                    }
                    s.minRate = min;
                    s.maxRate = max;
                }
                default -> throw new IllegalStateException(which.toString());
            }
        } finally {
            lock.unlock();
        }
    }

    private Kernel.@Nullable Device byIndex(int ifindex) {
        for (Kernel.Device d : kernel.netdevs.values()) {
            if (d.netdev != null && d.netdev.ifindex() == ifindex) {
                return d;
            }
        }
        return null;
    }

    /** Does nothing: the simulated netlink lives as long as its kernel. */
    @Override
    public void close() {
    }

    /**
     * Brings a netdev up or down ({@code ip link set NAME up|down}); an up PF has a carrier at
     * {@value #LINK_SPEED_MBPS} Mbps.
     *
     * @param name the netdev
     * @param isUp up or down
     * @throws IllegalArgumentException if there is no such netdev
     */
    public void setLinkUp(String name, boolean isUp) {
        lock.lock();
        try {
            Kernel.Device d = kernel.netdevs.get(name);
            if (d == null || d.netdev == null) {
                throw new IllegalArgumentException("no netdev " + name);
            }
            if (isUp) {
                up.add(d.netdev.ifindex());
            } else {
                up.remove(d.netdev.ifindex());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Renames a netdev ({@code ip link set FROM name TO}); sysfs shows the new name at once.
     *
     * @param from the current name
     * @param to the new name
     * @throws SriovException {@code ENODEV} if there is no such netdev, {@code EBUSY} if it is up, {@code EEXIST} if
     *     the name is taken
     */
    public void rename(String from, String to) {
        lock.lock();
        try {
            Kernel.Device d = kernel.netdevs.get(from);
            if (d == null || d.netdev == null) {
                throw error("rename " + from, Errno.ENODEV, "no such device");
            }
            if (up.contains(d.netdev.ifindex())) {
                throw error("rename " + from, Errno.EBUSY, "the device is up");
            }
            if (kernel.netdevs.containsKey(to) || to.equals("lo")) {
                throw error("rename " + from, Errno.EEXIST, to + " exists");
            }
            kernel.netdevs.remove(from);
            Kernel.Netdev n = d.netdev;
            d.netdev = new Kernel.Netdev(to, n.ifindex(), n.mac(), n.randomMac());
            kernel.netdevs.put(to, d);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes the next request that sets {@code setting} fail with {@code errno}, changing nothing (for the rates:
     * {@link VfNetConfig.Setting#MAX_TX_RATE}). Calls queue up.
     *
     * @param setting the kernel attribute
     * @param errno the error
     */
    public void failNext(VfNetConfig.Setting setting, Errno errno) {
        lock.lock();
        try {
            faults.computeIfAbsent(setting == VfNetConfig.Setting.MIN_TX_RATE ? VfNetConfig.Setting.MAX_TX_RATE
                    : setting, k -> new ArrayDeque<>()).add(errno);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the counters a VF's PF reports for it.
     *
     * @param vf a present VF
     * @param stats the counters
     * @throws IllegalArgumentException if it is not a present VF
     */
    public void setStats(PciAddress vf, VfStats stats) {
        lock.lock();
        try {
            Kernel.Device d = kernel.require(vf);
            if (!d.isVf()) {
                throw new IllegalArgumentException(vf + " is not a VF");
            }
            state(d).stats = Objects.requireNonNull(stats, "stats");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every request so far ({@code getlink NAME}, {@code setvf IFINDEX VF SETTING}), oldest first.
     *
     * @return a copy
     */
    public List<String> requests() {
        lock.lock();
        try {
            return List.copyOf(requests);
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        lock.lock();
        try {
            requests.clear();
        } finally {
            lock.unlock();
        }
    }
}
