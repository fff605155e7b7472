package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Errno;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.RollbackOutcome;
import org.sriov4j.SriovException;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfNetConfig.Setting;
import org.sriov4j.VfNetConfigException;
import org.sriov4j.VfStats;
import org.sriov4j.spi.Rollback;
import org.sriov4j.spi.RtNetlink;
import org.sriov4j.spi.SysfsAccess;
import org.sriov4j.spi.VendorContext;
import org.sriov4j.spi.VendorPlugin;
import org.sriov4j.spi.VfNetRefusal;

/**
 * A VF's network identity through its PF ({@link RtNetlink}): read it, change some settings as a transaction, and
 * restore saved settings. The PF is found from the VF's {@code physfn} link and its netdev from the PF's
 * {@code net/} directory at every call, so a renamed netdev is found again by PCI address.
 *
 * <p>Changes are made one kernel attribute at a time, in the order MAC, VLAN, rates, spoof checking, trust, link
 * state; the vendor plugin's known refusals are checked for all of them before the first. When one fails, the
 * earlier ones are set back to the values read before the change, and the exception names the failed setting, its
 * errno and what was restored. A restore sets only the saved settings that differ from the VF's current ones (so a
 * rate that was never changed is not written while igb would refuse it) and tries every one, reporting all that
 * failed.
 */
final class VfNetIdentity {

    static final String CONFIGURE = "configure VF";
    static final String READ = "read VF network settings";
    static final String RESTORE = "restore VF network settings";

    /** Ledger extras key: the settings before sriov4j's first change ({@link #encode}). */
    static final String SAVED = "net.saved";
    /** Ledger extras key: present ({@code true}) when a lease applied the settings and must restore them. */
    static final String BY_LEASE = "net.lease";
    /** Ledger extras key prefix of everything this class stores: entries with one are of ledger version 2. */
    static final String PREFIX = "net.";

    /** The order of the kernel steps. */
    private static final List<Setting> ORDER = List.of(Setting.MAC, Setting.VLAN, Setting.MAX_TX_RATE,
            Setting.SPOOF_CHECK, Setting.TRUST, Setting.LINK_STATE);

    private final SysfsAccess sysfs;
    private final Supplier<RtNetlink> netlink;
    private final VendorPlugins plugins;
    private final TopologyScanner scanner;

    VfNetIdentity(SysfsAccess sysfs, Supplier<RtNetlink> netlink, VendorPlugins plugins, TopologyScanner scanner) {
        this.sysfs = sysfs;
        this.netlink = netlink;
        this.plugins = plugins;
        this.scanner = scanner;
    }

    /** A VF, its PF, its index there and the PF's netdev now. */
    record Target(PciAddress vf, PciAddress pf, int index, String ifname) {
    }

    /**
     * Finds a VF's PF, index and the PF's netdev.
     *
     * @throws DeviceNotFoundException if there is no such function
     * @throws VfNetConfigException if it is not a VF, or its PF has no netdev
     */
    Target target(String operation, PciAddress vf) {
        String d = TopologyScanner.dev(vf);
        if (!sysfs.exists(d)) {
            throw new DeviceNotFoundException(operation, vf, "no such PCI function in " + sysfs.describe(d));
        }
        Optional<String> physfn = sysfs.linkName(d + "/physfn");
        if (physfn.isEmpty()) {
            throw new VfNetConfigException(operation, vf, -1, null, Errno.ENODEV,
                    "it is not a VF (no physfn link): network settings are made through a VF's PF", null);
        }
        PciAddress pf = PciAddress.parse(physfn.get());
        int index = -1;
        String pd = TopologyScanner.dev(pf);
        for (int i = 0;; i++) {
            Optional<String> v = sysfs.linkName(pd + "/virtfn" + i);
            if (v.isEmpty()) {
                break;
            }
            if (v.get().equals(vf.toString())) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            throw new VfNetConfigException(operation, vf, -1, null, Errno.ENODEV, "its PF " + pf
                    + " lists it in no virtfnN link", null);
        }
        return new Target(vf, pf, index, pfNetdev(operation, pf, vf, index));
    }

    private String pfNetdev(String operation, PciAddress pf, PciAddress vf, int index) {
        String net = TopologyScanner.dev(pf) + "/net";
        List<String> names = sysfs.exists(net) ? sysfs.list(net) : List.of();
        if (names.isEmpty()) {
            throw new VfNetConfigException(operation, vf, index, null, Errno.ENODEV, "its PF " + pf
                    + " has no netdev (PF driver not bound, or not a network driver)", null);
        }
        return names.get(0);
    }

    /**
     * The PF's link, found again by PCI address if the netdev was renamed between listing and asking, and checked to
     * be the netdev sysfs shows (same interface index): a sysfs root of another host or namespace is refused rather
     * than another device's VFs changed.
     */
    private RtNetlink.Link link(String operation, Target t) {
        RtNetlink.Link link;
        String name = t.ifname();
        try {
            try {
                link = netlink.get().link(name);
            } catch (SriovException e) {
                String now = e.errno().orElse(null) == Errno.ENODEV ? pfNetdev(operation, t.pf(), t.vf(), t.index())
                        : name;
                if (now.equals(name)) {
                    throw e;
                }
                name = now;
                link = netlink.get().link(name);
            }
        } catch (SriovException e) {
            throw new VfNetConfigException(operation, t.vf(), t.index(), null, e.errno().orElse(null),
                    "PF " + t.pf() + " netdev " + name + ": " + e.getMessage(), e);
        }
        String ifindex = TopologyScanner.dev(t.pf()) + "/net/" + name + "/ifindex";
        if (sysfs.exists(ifindex)) {
            String shown = sysfs.read(ifindex).strip();
            if (!shown.equals(Integer.toString(link.index()))) {
                throw new VfNetConfigException(operation, t.vf(), t.index(), null, Errno.ENODEV, "sysfs shows PF "
                        + t.pf() + "'s netdev " + name + " with ifindex " + shown + ", the kernel's " + name
                        + " has ifindex " + link.index() + ": the sysfs root is not this network namespace's host",
                        null);
            }
        }
        return link;
    }

    /**
     * What {@link #locate} found of a VF: its target, and the interface index and VF count of the PF's netdev when it
     * was found (after {@link #link}'s check against sysfs).
     */
    private record Known(Target target, int ifindex, int numVfs) {
    }

    /** {@link #locate}'s look-ups per VF, trusted only while the kernel and sysfs confirm them. */
    private final Map<PciAddress, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

    /** A VF's target and its PF's link as the kernel describes it now. */
    private record Located(Target target, RtNetlink.Link link) {
    }

    /**
     * A VF's target and its PF's link now. The first call for a VF looks everything up in sysfs ({@link #target},
     * {@link #link}); later calls reuse that while the kernel's link of that netdev name has the same interface index
     * and the same VF count ({@code IFLA_NUM_VF}), as {@link #readAll} does. That is proof enough that VF index
     * {@code i} of that link is still this VF (docs/vf-net-config.md, "Which VF an index names"): the same interface
     * index is the same netdev (the kernel hands out indexes cyclically and does not reuse one while the netdev
     * exists; a rebound PF driver, or a PF removed and found again, makes a new netdev with a new index), that netdev
     * belongs to the same PF for its life, and a PF's VF {@code i} has the routing ID PF + First VF Offset + i × VF
     * Stride, which the device fixes for a given VF count: VFs disabled and enabled again with the same count have
     * the same addresses. Anything else (a renamed netdev, another VF count, another root) drops the kept look-up and
     * does the full one again, so the answer is always the one the full look-up would give.
     */
    private Located locate(String operation, PciAddress vf) {
        Known k = known.get(vf);
        if (k != null) {
            Target t = k.target();
            try {
                RtNetlink.Link link = netlink.get().link(t.ifname());
                if (link.index() == k.ifindex() && link.numVfs() == k.numVfs()) {
                    return new Located(t, link);
                }
            } catch (SriovException e) {
                // looked up again below
            }
            known.remove(vf);
        }
        Target t = target(operation, vf);
        RtNetlink.Link link = link(operation, t);
        Target now = link.name().equals(t.ifname()) || link.name().isEmpty() ? t
                : new Target(t.vf(), t.pf(), t.index(), link.name());
        known.put(vf, new Known(now, link.index(), link.numVfs()));
        return new Located(now, link);
    }

    private RtNetlink.VfInfo vf(String operation, Target t, RtNetlink.Link link) {
        return link.vf(t.index()).orElseThrow(() -> new VfNetConfigException(operation, t.vf(), t.index(), null,
                Errno.EOPNOTSUPP, "PF " + t.pf() + " (" + link.name() + ") reports no settings for it: its driver "
                        + "has no VF configuration", null));
    }

    /** The VF's settings and counters as the PF reports them now. */
    RtNetlink.VfInfo read(PciAddress vf) {
        Located l = locate(READ, vf);
        return vf(READ, l.target(), l.link());
    }

    /** What {@link #readAll} found of a PF: its netdev, that netdev's interface index and its VFs in index order. */
    private record PfNet(String ifname, int ifindex, List<PciAddress> vfs) {
    }

    /** {@link #readAll}'s look-ups per PF, trusted only while a reply shows the same interface index and VF count. */
    private final Map<PciAddress, PfNet> pfNets = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The settings of every VF of a PF, by VF address in index order. The PF's netdev, its interface index and its VF
     * addresses are looked up in sysfs once and kept; each later read asks the kernel by that name and uses them only
     * if the reply has the same interface index and VF count (a rebound driver gets a new index; a renamed netdev is
     * not found; the same VF count on the same PF means the same VF addresses), else looks them up again.
     */
    Map<PciAddress, VfNetConfig> readAll(PciAddress pf) {
        PfNet known = pfNets.get(pf);
        if (known != null) {
            try {
                RtNetlink.Link link = netlink.get().link(known.ifname());
                if (link.index() == known.ifindex() && link.numVfs() == known.vfs().size()) {
                    return configs(pf, known, link);
                }
            } catch (SriovException e) {
                // looked up again below
            }
            pfNets.remove(pf);
        }
        String d = TopologyScanner.dev(pf);
        if (!sysfs.exists(d)) {
            throw new DeviceNotFoundException(READ, pf, "no such PCI function in " + sysfs.describe(d));
        }
        List<PciAddress> vfs = new ArrayList<>();
        for (int i = 0;; i++) {
            Optional<String> v = sysfs.linkName(d + "/virtfn" + i);
            if (v.isEmpty()) {
                break;
            }
            vfs.add(PciAddress.parse(v.get()));
        }
        if (vfs.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Target t = new Target(vfs.get(0), pf, 0, pfNetdev(READ, pf, vfs.get(0), 0));
        RtNetlink.Link link = link(READ, t);
        PfNet found = new PfNet(link.name().isEmpty() ? t.ifname() : link.name(), link.index(), List.copyOf(vfs));
        if (link.numVfs() == vfs.size()) {
            pfNets.put(pf, found);
        }
        return configs(pf, found, link);
    }

    private Map<PciAddress, VfNetConfig> configs(PciAddress pf, PfNet p, RtNetlink.Link link) {
        Map<PciAddress, VfNetConfig> out = new LinkedHashMap<>();
        for (int i = 0; i < p.vfs().size(); i++) {
            Target ti = new Target(p.vfs().get(i), pf, i, p.ifname());
            out.put(p.vfs().get(i), vf(READ, ti, link).config());
        }
        return out;
    }

    /** The VF's counters. */
    VfStats stats(PciAddress vf) {
        Located l = locate(READ, vf);
        Target t = l.target();
        RtNetlink.VfInfo info = vf(READ, t, l.link());
        return info.stats().orElseThrow(() -> new VfNetConfigException(READ, vf, t.index(), null, Errno.EOPNOTSUPP,
                "PF " + t.pf() + " reports no counters for its VFs", null));
    }

    /**
     * Changes the settings {@code change} has. {@code beforeFirstChange} receives the VF's settings as read before
     * anything changed, after every check passed and before the first kernel write (to save them durably).
     *
     * @return the VF's settings afterwards: those read before the change with the changed ones as the kernel
     *     acknowledged them (no second read: the kernel answered each change, and a VF's settings change only through
     *     its PF's netdev)
     */
    VfNetConfig apply(String operation, PciAddress vf, VfNetConfig change, Consumer<VfNetConfig> beforeFirstChange) {
        Located l = locate(operation, vf);
        Target t = l.target();
        RtNetlink.Link link = l.link();
        VfNetConfig before = vf(operation, t, link).config();
        VfNetConfig full = completeRates(change, before);
        if (full.isEmpty()) {
            return before; // nothing to change, nothing to save
        }
        refusals(operation, t, link, full);
        beforeFirstChange.accept(before);
        Rollback tx = new Rollback(operation, vf);
        for (Setting s : ORDER) {
            VfNetConfig step = step(full, s);
            if (step.isEmpty()) {
                continue;
            }
            try {
                netlink.get().setVf(link.index(), t.index(), step);
            } catch (SriovException e) {
                SriovException rolled = tx.fail(e, describe(step));
                Setting failed = s == Setting.MAX_TX_RATE && step.minTxRateMbps().orElse(0)
                        != before.minTxRateMbps().orElse(0) ? Setting.MIN_TX_RATE : s;
                throw new VfNetConfigException(operation, vf, t.index(), failed, e.errno().orElse(null),
                        rolled.detail(), e, rolled.rollback().orElse(null));
            }
            VfNetConfig undo = step(before, s);
            if (!undo.isEmpty()) {
                int ifindex = link.index();
                tx.done(() -> describe(undo), () -> netlink.get().setVf(ifindex, t.index(), undo));
            }
        }
        return full.orElse(before);
    }

    /**
     * Sets back the saved settings that differ from the VF's current ones, trying each.
     *
     * @return the settings that were set
     * @throws VfNetConfigException naming every setting that could not be set back (with the first errno)
     */
    List<String> restore(String operation, PciAddress vf, VfNetConfig saved) {
        Located l = locate(operation, vf);
        Target t = l.target();
        RtNetlink.Link link = l.link();
        VfNetConfig now = vf(operation, t, link).config();
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        SriovException first = null;
        Setting firstSetting = null;
        for (Setting s : ORDER) {
            VfNetConfig want = step(saved, s);
            if (want.isEmpty() || want.equals(step(now, s))) {
                continue;
            }
            try {
                netlink.get().setVf(link.index(), t.index(), want);
                done.add(describe(want));
            } catch (SriovException e) {
                failed.add(describe(want) + " (" + e.errno().map(Errno::name).orElse(e.getMessage()) + ")");
                if (first == null) {
                    first = e;
                    firstSetting = s;
                }
            }
        }
        if (first != null) {
            RollbackOutcome outcome = new RollbackOutcome(done, failed);
            throw new VfNetConfigException(operation, vf, t.index(), firstSetting, first.errno().orElse(null),
                    outcome.describe(), first, outcome);
        }
        return done;
    }

    /** The rates are one kernel attribute: a change of one is completed with the other's current value. */
    static VfNetConfig completeRates(VfNetConfig change, VfNetConfig current) {
        boolean min = change.minTxRateMbps().isPresent();
        boolean max = change.maxTxRateMbps().isPresent();
        if (min == max) {
            return change;
        }
        VfNetConfig.Builder b = change.toBuilder();
        if (min) {
            b.maxTxRateMbps(current.maxTxRateMbps().orElse(0));
        } else {
            b.minTxRateMbps(current.minTxRateMbps().orElse(0));
        }
        return b.build();
    }

    /** The part of {@code c} that one kernel step sets (both rates for MAX_TX_RATE), or empty. */
    private static VfNetConfig step(VfNetConfig c, Setting s) {
        if (s == Setting.MAX_TX_RATE) {
            if (c.minTxRateMbps().isEmpty() && c.maxTxRateMbps().isEmpty()) {
                return VfNetConfig.none();
            }
            return VfNetConfig.builder().maxTxRateMbps(c.maxTxRateMbps().orElse(0))
                    .minTxRateMbps(c.minTxRateMbps().orElse(0)).build();
        }
        return c.only(EnumSet.of(s));
    }

    /** One step in {@code ip link} words, e.g. {@code mac 00:00:00:00:00:00}. */
    static String describe(VfNetConfig step) {
        String s = step.toString();
        return s.substring("VfNetConfig[".length(), s.length() - 1);
    }

    /**
     * The ledger form of saved settings: {@code key=value} pairs separated by {@code ;} (keys {@code mac},
     * {@code vlan} as {@code ID/QOS/PROTO}, {@code spoofchk}, {@code trust}, {@code state}, {@code min_tx_rate},
     * {@code max_tx_rate}), only the settings present.
     */
    static String encode(VfNetConfig c) {
        List<String> parts = new ArrayList<>();
        c.mac().ifPresent(m -> parts.add("mac=" + m));
        c.vlan().ifPresent(v -> parts.add("vlan=" + v.id() + "/" + v.qos() + "/" + v.protocol().label()));
        c.spoofCheck().ifPresent(v -> parts.add("spoofchk=" + (v ? "on" : "off")));
        c.trust().ifPresent(v -> parts.add("trust=" + (v ? "on" : "off")));
        c.linkState().ifPresent(v -> parts.add("state=" + v.name().toLowerCase(Locale.ROOT)));
        c.minTxRateMbps().ifPresent(v -> parts.add("min_tx_rate=" + v));
        c.maxTxRateMbps().ifPresent(v -> parts.add("max_tx_rate=" + v));
        return String.join(";", parts);
    }

    /**
     * Reads {@link #encode}'s form.
     *
     * @throws IllegalArgumentException if it is not that form or a value is out of range
     */
    static VfNetConfig decode(String text) {
        VfNetConfig.Builder b = VfNetConfig.builder();
        Set<String> seen = new java.util.HashSet<>();
        if (text.isEmpty()) {
            return b.build();
        }
        for (String part : text.split(";", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("saved VF settings: not key=value: \"" + part + "\"");
            }
            String k = part.substring(0, eq);
            String v = part.substring(eq + 1);
            if (!seen.add(k)) {
                throw new IllegalArgumentException("saved VF settings: " + k + " twice");
            }
            switch (k) {
                case "mac" -> b.mac(MacAddress.parse(v));
                case "vlan" -> {
                    String[] f = v.split("/", -1);
                    if (f.length != 3) {
                        throw new IllegalArgumentException("saved VF settings: vlan not ID/QOS/PROTO: \"" + v + "\"");
                    }
                    b.vlan(new VfNetConfig.Vlan(number(f[0]), number(f[1]), VfNetConfig.VlanProtocol.parse(f[2])));
                }
                case "spoofchk" -> b.spoofCheck(onOff(v));
                case "trust" -> b.trust(onOff(v));
                case "state" -> b.linkState(VfNetConfig.LinkState.valueOf(v.toUpperCase(Locale.ROOT)));
                case "min_tx_rate" -> b.minTxRateMbps(number(v));
                case "max_tx_rate" -> b.maxTxRateMbps(number(v));
                default -> throw new IllegalArgumentException("saved VF settings: unknown key " + k);
            }
        }
        return b.build();
    }

    private static int number(String v) {
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("saved VF settings: not a number: \"" + v + "\"");
        }
        return Integer.parseInt(v);
    }

    private static boolean onOff(String v) {
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("saved VF settings: not on/off: \"" + v + "\"");
        };
    }

    /**
     * Checks, before anything changes, that {@code change} can be tried on the VF: it is a VF, its PF has a netdev
     * that describes it, and the vendor plugin knows no refusal.
     *
     * @throws VfNetConfigException if not
     */
    void check(String operation, PciAddress vf, VfNetConfig change) {
        Located l = locate(operation, vf);
        refusals(operation, l.target(), l.link(), completeRates(change, vf(operation, l.target(), l.link()).config()));
    }

    /**
     * Changes settings of a VF that has a ledger entry: the settings before sriov4j's first change are saved in the
     * entry first (durably, once: a later change keeps the first record), with {@link #BY_LEASE} when a lease makes
     * the change. If the change fails and its rollback restored everything, what this call recorded is removed again;
     * if not, it stays, so that reattach, the end of the lease or recover sets back what is left.
     */
    VfNetConfig applyRecorded(String operation, PciAddress vf, VfNetConfig change, Ledger ledger, boolean byLease) {
        List<String> added = new ArrayList<>();
        try {
            return apply(operation, vf, change, before -> {
                LedgerEntry e = ledger.get(vf).orElseThrow(() -> new SriovException(operation, vf, Errno.ENOENT,
                        null, "its ledger record disappeared", null));
                LedgerEntry next = e;
                if (!e.extras().containsKey(SAVED)) {
                    next = next.withExtra(SAVED, encode(before));
                    added.add(SAVED);
                }
                if (byLease && !e.extras().containsKey(BY_LEASE)) {
                    next = next.withExtra(BY_LEASE, "true");
                    added.add(BY_LEASE);
                }
                if (next != e) {
                    ledger.put(next);
                }
            });
        } catch (VfNetConfigException ex) {
            // everything set back: what this call recorded goes too; otherwise it stays for reattach/recover
            if (!added.isEmpty() && ex.rollback().map(RollbackOutcome::complete).orElse(true)) {
                ledger.get(vf).ifPresent(e -> {
                    java.util.TreeMap<String, String> m = new java.util.TreeMap<>(e.extras());
                    m.keySet().removeAll(added);
                    ledger.put(new LedgerEntry(e.device(), e.phase(), e.originalDriver(), e.originalDriverOverride(),
                            e.stubDriver(), e.managed(), e.ownerPid(), e.ownerStart(), e.guest(),
                            java.time.Instant.now(), m));
                });
            }
            throw ex;
        }
    }

    /**
     * Restores the settings saved in a ledger entry, if any, and removes them from the entry.
     *
     * @return the entry as it is now in the ledger
     * @throws VfNetConfigException if a setting could not be set back (the entry keeps the saved settings)
     */
    LedgerEntry restoreRecorded(String operation, LedgerEntry e, Ledger ledger) {
        String text = e.extras().get(SAVED);
        if (text == null) {
            if (e.extras().containsKey(BY_LEASE)) {
                LedgerEntry next = without(e);
                ledger.put(next);
                return next;
            }
            return e;
        }
        VfNetConfig saved;
        try {
            saved = decode(text);
        } catch (IllegalArgumentException ex) {
            throw new VfNetConfigException(operation, e.device(), -1, null, Errno.EINVAL,
                    "the saved settings in its ledger record are unreadable: " + ex.getMessage(), ex);
        }
        List<String> done = restore(operation, e.device(), saved);
        if (!done.isEmpty()) {
            System.getLogger(VfNetIdentity.class.getName()).log(System.Logger.Level.DEBUG,
                    "{0}: restored {1}", e.device(), String.join(", ", done));
        }
        LedgerEntry next = without(e);
        ledger.put(next);
        return next;
    }

    /** The saved settings in an entry. */
    static Optional<VfNetConfig> saved(LedgerEntry e) {
        String text = e.extras().get(SAVED);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(text));
        } catch (IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    /** The entry without this class's extras. */
    static LedgerEntry without(LedgerEntry e) {
        java.util.TreeMap<String, String> m = new java.util.TreeMap<>(e.extras());
        m.keySet().removeIf(k -> k.startsWith(PREFIX));
        return new LedgerEntry(e.device(), e.phase(), e.originalDriver(), e.originalDriverOverride(), e.stubDriver(),
                e.managed(), e.ownerPid(), e.ownerStart(), e.guest(), java.time.Instant.now(), m);
    }

    /** A PF's vendor plugin, found for the netdev of that interface index (a rebound PF driver has a new one). */
    private record PfPlugin(int ifindex, VendorPlugin plugin) {
    }

    /** {@link #refusals}'s vendor plugin per PF. */
    private final Map<PciAddress, PfPlugin> pfPlugins = new java.util.concurrent.ConcurrentHashMap<>();

    private VendorPlugin plugin(String operation, PciAddress pf, int ifindex) {
        PfPlugin p = pfPlugins.get(pf);
        if (p == null || p.ifindex() != ifindex) {
            p = new PfPlugin(ifindex, plugins.forPf(operation, scanner.function(pf)));
            pfPlugins.put(pf, p);
        }
        return p.plugin();
    }

    private void refusals(String operation, Target t, RtNetlink.Link link, VfNetConfig full) {
        VendorPlugin plugin = plugin(operation, t.pf(), link.index());
        VendorContext ctx = new VendorContext(sysfs, t.pf());
        for (Setting s : full.settings()) {
            Optional<VfNetRefusal> r;
            try {
                r = plugin.vfNetRefusal(ctx, s, full, link.up() && link.lowerUp());
            } catch (RuntimeException e) {
                throw new VfNetConfigException(operation, t.vf(), t.index(), s, null, "vendor plugin "
                        + VendorPlugins.name(plugin) + " failed in vfNetRefusal: " + e, e);
            }
            if (r.isPresent()) {
                throw new VfNetConfigException(operation, t.vf(), t.index(), s, r.get().errno(), r.get().reason()
                        + " (vendor plugin " + plugin.id() + ", PF " + t.pf() + "); nothing was changed", null);
            }
        }
    }
}
