package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.sriov4j.DeviceNotFoundException;
import org.sriov4j.Lease;
import org.sriov4j.LeaseUnavailableException;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PoolExhaustedException;
import org.sriov4j.SysfsIoException;
import org.sriov4j.VfPool;
import org.sriov4j.VfSelector;
import org.sriov4j.spi.SysfsAccess;

/**
 * The engine's {@link VfPool}: a lease without a scan of the host. The pool remembers which PFs its selectors can
 * match and their VFs by index (the structure only changes when VFs are enabled or disabled, or PFs come and go),
 * and checks at each lease that what it remembers is still true before it relies on it:
 *
 * <ul>
 *   <li>the members are the remembered VFs that the selectors' PF and index criteria match, in address order;</li>
 *   <li>before the first member of a PF is tried in a lease, the PF's {@code sriov_numvfs} is read (and, for a
 *       selector naming the PF by netdev, the netdev is looked for under the PF): when it changed (VFs enabled or
 *       disabled by anyone since), the PF's {@code virtfnN} links are read again and the lease starts over with the
 *       new members; a PF that disappeared is forgotten;</li>
 *   <li>PFs remembered with no VF are read at every lease (their VFs would otherwise never be tried);</li>
 *   <li>the criteria that change with the VF's state (id, driver, NUMA node) are read from the VF itself just before
 *       it is tried;</li>
 *   <li>when no member is free, the pool looks at the whole host again (new PFs, netdevs that moved) and tries once
 *       more before it reports the pool exhausted;</li>
 *   <li>the lease itself is {@link EngineHost#lease}: it takes the function's lock and describes the function afresh,
 *       so a VF that went away meanwhile is skipped ({@link DeviceNotFoundException}), as with a scan.</li>
 * </ul>
 *
 * <p>So a lease reads one attribute per PF it tries (usually one) instead of every attribute of every function of
 * the host. Thread-safe; the remembered structure is shared by the threads that use the pool.
 */
final class EnginePool implements VfPool {

    private static final int ANY_NODE = -1;

    private final EngineHost host;
    private final SysfsAccess sysfs;
    private final TopologyScanner scanner;
    private final List<VfSelector> selectors;
    private final boolean dynamic;
    /** The remembered structure; null until the first call. Guarded by this. */
    private @Nullable Plan plan;

    /** A VF the selectors' PF and index criteria match. */
    private record Candidate(PciAddress vf, PciAddress pf, int index, List<VfSelector> selectors) {
    }

    /**
     * What the pool remembers: the PFs with their VFs by index and the netdevs the selectors named them by, and the
     * candidates in address order.
     */
    private record Plan(Map<PciAddress, List<PciAddress>> pfs, Map<PciAddress, Set<String>> netdevs,
            List<Candidate> candidates) {
    }

    EnginePool(EngineHost host, SysfsAccess sysfs, TopologyScanner scanner, List<VfSelector> selectors) {
        this.host = Objects.requireNonNull(host, "host");
        this.sysfs = sysfs;
        this.scanner = scanner;
        this.selectors = List.copyOf(selectors);
        if (this.selectors.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one selector (VfSelector.any() for every VF)");
        }
        this.dynamic = this.selectors.stream()
                .anyMatch(s -> s.id().isPresent() || s.driver().isPresent() || s.numaNode().isPresent());
    }

    @Override
    public List<VfSelector> selectors() {
        return selectors;
    }

    // --- the structure -------------------------------------------------------------------------------------------

    /** Looks at the whole host: the PFs the selectors can match, their VFs, the netdevs. */
    private Plan look() {
        Set<PciAddress> pfs = new HashSet<>();
        boolean everyPf = false;
        List<String> netdevNames = new ArrayList<>();
        for (VfSelector s : selectors) {
            if (s.pfAddress().isPresent()) {
                pfs.add(s.pfAddress().get());
            } else if (s.pfNetdev().isPresent()) {
                netdevNames.add(s.pfNetdev().get());
            } else {
                everyPf = true;
            }
        }
        if (everyPf || !netdevNames.isEmpty()) {
            for (String name : sysfs.list(TopologyScanner.DEVICES)) {
                PciAddress a;
                try {
                    a = PciAddress.parse(name);
                } catch (IllegalArgumentException e) {
                    continue; // the scan reports malformed entries; a pool only needs the PFs
                }
                if (!sysfs.exists(TopologyScanner.dev(a) + "/sriov_totalvfs")) {
                    continue;
                }
                if (everyPf) {
                    pfs.add(a);
                } else {
                    for (String n : netdevNames) {
                        if (sysfs.exists(TopologyScanner.dev(a) + "/net/" + n)) {
                            pfs.add(a);
                        }
                    }
                }
            }
        }
        Map<PciAddress, List<PciAddress>> vfs = new TreeMap<>();
        Map<PciAddress, Set<String>> netdevs = new LinkedHashMap<>();
        for (PciAddress pf : pfs) {
            String d = TopologyScanner.dev(pf);
            if (!sysfs.exists(d + "/sriov_totalvfs")) {
                continue; // not a PF (or gone): a selector naming it matches nothing
            }
            try {
                vfs.put(pf, vfsOf(pf));
            } catch (SysfsIoException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
                continue; // removed while we looked
            }
            Set<String> names = new HashSet<>();
            for (String n : netdevNames) {
                if (sysfs.exists(d + "/net/" + n)) {
                    names.add(n);
                }
            }
            netdevs.put(pf, names);
        }
        return plan(vfs, netdevs);
    }

    private List<PciAddress> vfsOf(PciAddress pf) {
        List<PciAddress> out = new ArrayList<>();
        String d = TopologyScanner.dev(pf);
        for (int i = 0;; i++) {
            Optional<String> vf = sysfs.linkName(d + "/virtfn" + i);
            if (vf.isEmpty()) {
                return List.copyOf(out);
            }
            out.add(PciAddress.parse(vf.get()));
        }
    }

    private Plan plan(Map<PciAddress, List<PciAddress>> pfs, Map<PciAddress, Set<String>> netdevs) {
        TreeMap<PciAddress, Candidate> byAddress = new TreeMap<>();
        for (Map.Entry<PciAddress, List<PciAddress>> e : pfs.entrySet()) {
            PciAddress pf = e.getKey();
            List<PciAddress> vfs = e.getValue();
            for (int i = 0; i < vfs.size(); i++) {
                List<VfSelector> matching = new ArrayList<>(1);
                for (VfSelector s : selectors) {
                    if (structurallyMatches(s, pf, netdevs.getOrDefault(pf, Set.of()), i)) {
                        matching.add(s);
                    }
                }
                if (!matching.isEmpty()) {
                    byAddress.put(vfs.get(i), new Candidate(vfs.get(i), pf, i, List.copyOf(matching)));
                }
            }
        }
        return new Plan(Map.copyOf(pfs), Map.copyOf(netdevs), List.copyOf(byAddress.values()));
    }

    /** The PF and index criteria of {@link VfSelector#matches}. */
    private static boolean structurallyMatches(VfSelector s, PciAddress pf, Set<String> pfNetdevs, int index) {
        if (s.pfAddress().isPresent() && !s.pfAddress().get().equals(pf)) {
            return false;
        }
        if (s.pfNetdev().isPresent() && !pfNetdevs.contains(s.pfNetdev().get())) {
            return false;
        }
        return s.vfIndices().isEmpty() || s.vfIndices().stream().anyMatch(r -> r.contains(index));
    }

    /** The criteria of {@link VfSelector#matches} that follow the VF's state. */
    private static boolean dynamicallyMatches(VfSelector s, PciFunction f) {
        if (s.id().isPresent() && !s.id().get().equals(f.id())) {
            return false;
        }
        if (s.driver().isPresent() && !f.driver().equals(s.driver())) {
            return false;
        }
        OptionalInt node = s.numaNode();
        return node.isEmpty() || f.numaNode().isPresent() && f.numaNode().getAsInt() == node.getAsInt();
    }

    private synchronized Plan current(boolean fresh) {
        if (plan == null || fresh) {
            plan = look();
        }
        return plan;
    }

    /**
     * Checks what the plan says of a PF against sysfs; on a difference, remembers the PF as it is now.
     *
     * @return true if the plan still holds for it
     */
    private boolean stillTrue(Plan p, PciAddress pf) {
        String d = TopologyScanner.dev(pf);
        int num;
        try {
            num = new Attributes(sysfs).decimal(d + "/sriov_numvfs");
        } catch (SysfsIoException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            num = -1; // the PF is gone
        }
        List<PciAddress> planned = p.pfs().get(pf);
        boolean same = planned != null && num == planned.size(); // a PF the plan does not know: look again
        for (String n : p.netdevs().getOrDefault(pf, Set.of())) {
            same &= num >= 0 && sysfs.exists(d + "/net/" + n);
        }
        if (!same) {
            synchronized (this) {
                if (plan == p) {
                    plan = look();
                }
            }
        }
        return same;
    }

    // --- members and leases --------------------------------------------------------------------------------------

    /** The candidates that match now, with their functions where the selectors need them. */
    private @Nullable PciFunction matchNow(Candidate c) {
        PciFunction f = null;
        boolean needsFunction = false;
        for (VfSelector s : c.selectors()) {
            needsFunction |= s.id().isPresent() || s.driver().isPresent() || s.numaNode().isPresent();
        }
        if (!needsFunction) {
            return null;
        }
        try {
            f = scanner.function(c.vf());
        } catch (SysfsIoException e) {
            if (e.isNotFound()) {
                throw new DeviceNotFoundException("lease from pool", c.vf(), "the function disappeared");
            }
            throw e;
        }
        for (VfSelector s : c.selectors()) {
            if (dynamicallyMatches(s, f)) {
                return f;
            }
        }
        throw new NoMatch();
    }

    /** A candidate whose state-dependent criteria do not match now. */
    private static final class NoMatch extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoMatch() {
            super(null, null, false, false);
        }
    }

    /** The PFs of a plan that have no VF: read at every call, since no candidate leads to them. */
    private boolean emptyPfsStillTrue(Plan p) {
        for (Map.Entry<PciAddress, List<PciAddress>> e : p.pfs().entrySet()) {
            if (e.getValue().isEmpty() && !stillTrue(p, e.getKey())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<PciAddress> members() {
        Plan p = current(true);
        List<PciAddress> out = new ArrayList<>();
        for (Candidate c : p.candidates()) {
            try {
                matchNow(c);
                out.add(c.vf());
            } catch (NoMatch | DeviceNotFoundException e) {
                // not a member now
            }
        }
        return out;
    }

    @Override
    public Lease lease(String guest, org.sriov4j.LeaseOptions options) {
        Objects.requireNonNull(options, "options");
        return take(guest, ANY_NODE, options);
    }

    @Override
    public Lease lease(String guest, int preferredNumaNode) {
        return take(guest, checkNode(preferredNumaNode), org.sriov4j.LeaseOptions.defaults());
    }

    private static int checkNode(int node) {
        if (node < 0) {
            throw new IllegalArgumentException("preferred NUMA node must be 0 or more: " + node);
        }
        return node;
    }

    private Lease take(String guest, int node, org.sriov4j.LeaseOptions options) {
        Objects.requireNonNull(guest, "guest");
        boolean fresh = false;
        for (int round = 0;; round++) {
            if (round > 64) {
                throw new IllegalStateException("the host's VFs keep changing while " + this + " leases; giving up");
            }
            Plan p = current(fresh);
            if (!emptyPfsStillTrue(p)) {
                continue; // the plan was renewed: start over with it
            }
            Outcome o = attempt(p, guest, node, options);
            if (o.lease() != null) {
                return o.lease();
            }
            if (o.stale()) {
                continue; // a PF changed under us: start over with the new plan
            }
            if (!fresh) {
                fresh = true; // nothing free among what we know: look at the whole host once before giving up
                continue;
            }
            throw new PoolExhaustedException(selectors, o.matched(), o.busy());
        }
    }

    private record Outcome(@Nullable Lease lease, boolean stale, int matched, int busy) {
    }

    private Outcome attempt(Plan p, String guest, int node, org.sriov4j.LeaseOptions options) {
        List<Candidate> order = p.candidates();
        if (node != ANY_NODE) {
            List<Candidate> first = new ArrayList<>();
            List<Candidate> rest = new ArrayList<>();
            for (Candidate c : order) {
                OptionalInt n;
                try {
                    n = scanner.function(c.vf()).numaNode();
                } catch (SysfsIoException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                    n = OptionalInt.empty();
                }
                (n.isPresent() && n.getAsInt() == node ? first : rest).add(c);
            }
            first.addAll(rest);
            order = first;
        }
        Set<PciAddress> checked = new HashSet<>();
        int matched = 0;
        int busy = 0;
        for (Candidate c : order) {
            if (checked.add(c.pf()) && !stillTrue(p, c.pf())) {
                return new Outcome(null, true, 0, 0);
            }
            try {
                if (dynamic) {
                    matchNow(c);
                }
            } catch (NoMatch e) {
                continue;
            } catch (DeviceNotFoundException e) {
                matched++;
                continue;
            }
            matched++;
            try {
                return new Outcome(host.lease(c.vf(), guest, options), false,
                        matched, busy);
            } catch (LeaseUnavailableException e) {
                busy++;
            } catch (DeviceNotFoundException e) {
                // removed since we looked (fewer VFs enabled): not a member any more
            } catch (SysfsIoException e) {
                if (!e.isNotFound() || !e.rollback().map(org.sriov4j.RollbackOutcome::complete).orElse(true)) {
                    throw e; // another failure, or something left half-done: the caller must hear of it
                }
                // removed while the lease looked at it (its physfn link or a file went with the VF) and nothing
                // was left changed: not a member any more
            }
        }
        return new Outcome(null, false, matched, busy);
    }

    @Override
    public String toString() {
        return "VfPool" + selectors;
    }
}
