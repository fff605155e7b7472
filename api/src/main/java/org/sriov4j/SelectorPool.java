package org.sriov4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The {@link VfPool} of {@link SriovHost#pool(VfSelector...)}: stateless, on top of {@link SriovHost#topology()}
 * and {@link SriovHost#lease(PciAddress, String)}, whose per-function locks make it exclusive. It takes no lock of
 * its own.
 */
final class SelectorPool implements VfPool {

    /** No preference. */
    private static final int ANY_NODE = -1;

    private final SriovHost host;
    private final List<VfSelector> selectors;

    SelectorPool(SriovHost host, List<VfSelector> selectors) {
        this.host = Objects.requireNonNull(host, "host");
        this.selectors = List.copyOf(selectors);
        if (this.selectors.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one selector (VfSelector.any() for every VF)");
        }
    }

    @Override
    public List<VfSelector> selectors() {
        return selectors;
    }

    /** The matching VFs of a snapshot, in address order. */
    private List<VirtualFunction> matching(Topology t) {
        List<VirtualFunction> out = new ArrayList<>();
        for (VirtualFunction vf : t.virtualFunctions()) {
            for (VfSelector s : selectors) {
                if (s.matches(t, vf)) {
                    out.add(vf);
                    break;
                }
            }
        }
        out.sort(Comparator.comparing(VirtualFunction::address));
        return out;
    }

    @Override
    public List<PciAddress> members() {
        return matching(host.topology()).stream().map(VirtualFunction::address).toList();
    }

    @Override
    public Lease lease(String guest, int preferredNumaNode) {
        return take(guest, checkNode(preferredNumaNode));
    }

    @Override
    public Lease lease(String guest, LeaseOptions options) {
        Objects.requireNonNull(options, "options");
        return take(guest, ANY_NODE, options);
    }

    private static int checkNode(int node) {
        if (node < 0) {
            throw new IllegalArgumentException("preferred NUMA node must be 0 or more: " + node);
        }
        return node;
    }

    private Lease take(String guest, int node) {
        return take(guest, node, LeaseOptions.defaults());
    }

    private Lease take(String guest, int node, LeaseOptions options) {
        Objects.requireNonNull(guest, "guest");
        List<VirtualFunction> candidates = matching(host.topology());
        if (node != ANY_NODE) {
            List<VirtualFunction> ordered = new ArrayList<>(candidates.size());
            for (VirtualFunction vf : candidates) {
                if (onNode(vf, node)) {
                    ordered.add(vf);
                }
            }
            for (VirtualFunction vf : candidates) {
                if (!onNode(vf, node)) {
                    ordered.add(vf);
                }
            }
            candidates = ordered;
        }
        int busy = 0;
        for (VirtualFunction vf : candidates) {
            try {
                return host.lease(vf.address(), guest, options);
            } catch (LeaseUnavailableException e) {
                busy++;
            } catch (DeviceNotFoundException e) {
                // removed since the scan (fewer VFs enabled): not a member any more
            }
        }
        throw new PoolExhaustedException(selectors, candidates.size(), busy);
    }

    private static boolean onNode(VirtualFunction vf, int node) {
        return vf.function().numaNode().isPresent() && vf.function().numaNode().getAsInt() == node;
    }

    @Override
    public String toString() {
        return "VfPool" + selectors;
    }
}
