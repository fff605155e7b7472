package org.sriov4j.spi.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.SriovException;
import org.sriov4j.spi.VendorPlugin;
import org.sriov4j.spi.VendorPlugin.MatchLevel;
import org.sriov4j.spi.vendor.GenericVendorPlugin;

/**
 * The vendor plugins of one engine and the choice of one per PF: the best {@link MatchLevel}, then the highest
 * priority; a tie on both is an error naming the tied plugins. {@link #select} is a pure function; {@link #forPf}
 * adds the log line naming the choice (once per PF and device id).
 */
final class VendorPlugins {

    private static final System.Logger LOG = System.getLogger(VendorPlugins.class.getName());

    /** The operation named in selection errors raised outside an engine operation. */
    static final String SELECT = "select vendor plugin";

    private final java.util.function.Supplier<List<VendorPlugin>> source;
    /** The plugins, once loaded. */
    private volatile @org.jspecify.annotations.Nullable List<VendorPlugin> plugins;
    /** What was last chosen per PF, so the choice is logged when it is made or changes, not on every call. */
    private final Map<PciAddress, String> logged = new ConcurrentHashMap<>();

    VendorPlugins(List<VendorPlugin> plugins) {
        this.plugins = List.copyOf(plugins);
        this.source = () -> List.copyOf(plugins);
    }

    private VendorPlugins(java.util.function.Supplier<List<VendorPlugin>> source) {
        this.source = source;
    }

    /**
     * The plugins registered through {@link ServiceLoader}, in the order it found them, found and instantiated on
     * first use: a host that never enables VFs, sets VF network settings or reads profiles (a detach, a reattach, a
     * lease without network settings) does not load them (the Intel plugin parses its compatibility matrix as it
     * loads: about 0.1 s of a command's start on a host, seconds under emulation).
     */
    static VendorPlugins load() {
        return new VendorPlugins(() -> {
            List<VendorPlugin> list = new ArrayList<>();
            ServiceLoader.load(VendorPlugin.class, VendorPlugins.class.getClassLoader()).forEach(list::add);
            return List.copyOf(list);
        });
    }

    List<VendorPlugin> plugins() {
        List<VendorPlugin> p = plugins;
        if (p == null) {
            synchronized (this) {
                p = plugins;
                if (p == null) {
                    p = source.get();
                    plugins = p;
                }
            }
        }
        return p;
    }

    /**
     * Chooses the plugin for a PF and logs the choice.
     *
     * @param operation the engine operation, for the error
     * @param pf the PF
     * @return the chosen plugin
     * @throws SriovException on a tie, or when a plugin's {@code match} fails
     */
    VendorPlugin forPf(String operation, PciFunction pf) {
        VendorPlugin chosen = select(operation, plugins(), pf);
        String key = pf.id() + " " + chosen.id();
        if (!key.equals(logged.put(pf.address(), key))) {
            LOG.log(System.Logger.Level.DEBUG, "{0} ({1}): vendor plugin {2} (priority {3}; candidates: {4})",
                    pf.address(), pf.id(), chosen.id(), chosen.priority(), describe(plugins(), pf));
        }
        return chosen;
    }

    /** A plugin with its answer for one PF. */
    private record Candidate(VendorPlugin plugin, MatchLevel level) {
    }

    /**
     * Chooses the plugin for a PF: the best match level above {@link MatchLevel#NONE}, then the highest priority.
     * With no plugin matching (no plugins, or all {@code NONE}), the built-in {@link GenericVendorPlugin}.
     *
     * @param operation the engine operation, for the error
     * @param plugins the plugins to choose from
     * @param pf the PF
     * @return the chosen plugin
     * @throws SriovException if two plugins share the best level and priority (the message names both), or a
     *     plugin's {@code match} throws or returns null (the message names it)
     */
    static VendorPlugin select(String operation, List<VendorPlugin> plugins, PciFunction pf) {
        Objects.requireNonNull(pf, "pf");
        List<Candidate> matching = new ArrayList<>();
        for (VendorPlugin p : plugins) {
            MatchLevel level;
            try {
                level = p.match(pf);
            } catch (RuntimeException e) {
                throw new SriovException(operation, pf.address(), null, null,
                        "vendor plugin " + name(p) + " failed in match(" + pf.id() + "): " + e, e);
            }
            if (level == null) {
                throw new SriovException(operation, pf.address(), null, null,
                        "vendor plugin " + name(p) + " returned no match level for " + pf.id(), null);
            }
            if (level != MatchLevel.NONE) {
                matching.add(new Candidate(p, level));
            }
        }
        if (matching.isEmpty()) {
            return new GenericVendorPlugin();
        }
        matching.sort(Comparator.comparing(Candidate::level).thenComparingInt(c -> c.plugin().priority())
                .reversed());
        Candidate best = matching.get(0);
        if (matching.size() > 1) {
            Candidate second = matching.get(1);
            if (second.level() == best.level() && second.plugin().priority() == best.plugin().priority()) {
                throw new SriovException(operation, pf.address(), null, null,
                        "vendor plugins " + name(best.plugin()) + " and " + name(second.plugin()) + " both match "
                                + pf.id() + " at " + best.level() + " with priority " + best.plugin().priority()
                                + "; give one a higher priority or remove one; plugins: " + describe(plugins, pf),
                        null);
            }
        }
        return best.plugin();
    }

    /** The plugin's id and class, as errors name it. */
    static String name(VendorPlugin p) {
        String id;
        try {
            id = p.id();
        } catch (RuntimeException e) {
            id = "?";
        }
        return "'" + id + "' (" + p.getClass().getName() + ")";
    }

    private static String describe(List<VendorPlugin> plugins, PciFunction pf) {
        StringBuilder b = new StringBuilder();
        for (VendorPlugin p : plugins) {
            if (b.length() > 0) {
                b.append(", ");
            }
            String level;
            try {
                level = String.valueOf(p.match(pf));
            } catch (RuntimeException e) {
                level = "match failed";
            }
            b.append(p.id()).append(' ').append(level).append('/').append(p.priority());
        }
        return b.length() == 0 ? "none" : b.toString();
    }
}
