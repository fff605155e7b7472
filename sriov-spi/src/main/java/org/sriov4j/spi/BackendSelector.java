package org.sriov4j.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sriov4j.EngineUnavailableException;

/**
 * Chooses a hypervisor backend. A pure function of its inputs: an explicitly requested id wins (and must exist and
 * be available); otherwise the available provider with the highest priority. A tie at the top, or no available
 * provider, is an error listing every provider with its probe result.
 */
public final class BackendSelector {

    private BackendSelector() {
    }

    /** A provider with its probe result. */
    private record Candidate(HypervisorBackendProvider provider, BackendProbe probe) {
    }

    /**
     * Selects a backend.
     *
     * @param providers every provider found
     * @param requestedId the id asked for ({@link org.sriov4j.SriovConfig#backend()}), or null for automatic choice
     * @param context what probes may look at
     * @return the chosen provider
     * @throws EngineUnavailableException if the requested one is missing or unavailable, none is available, or two
     *     available providers share the highest priority
     */
    public static HypervisorBackendProvider select(List<HypervisorBackendProvider> providers,
            @Nullable String requestedId, ProbeContext context) {
        List<Candidate> candidates = new ArrayList<>();
        for (HypervisorBackendProvider p : providers) {
            BackendProbe probe;
            try {
                probe = p.probe(context);
            } catch (RuntimeException e) {
                probe = BackendProbe.unavailable("probe failed: " + e);
            }
            candidates.add(new Candidate(p, probe));
        }
        if (requestedId != null && !requestedId.isBlank()) {
            Optional<Candidate> c = candidates.stream().filter(x -> x.provider().id().equals(requestedId)).findFirst();
            if (c.isEmpty()) {
                throw new EngineUnavailableException("select backend",
                        "backend \"" + requestedId + "\" not found; providers: " + describe(candidates));
            }
            if (!c.get().probe().available()) {
                throw new EngineUnavailableException("select backend",
                        "backend \"" + requestedId + "\" is not available: " + c.get().probe().reason());
            }
            return c.get().provider();
        }
        List<Candidate> available = candidates.stream().filter(c -> c.probe().available())
                .sorted(Comparator.comparingInt((Candidate c) -> c.provider().priority()).reversed()).toList();
        if (available.isEmpty()) {
            throw new EngineUnavailableException("select backend", "no backend is available; providers: "
                    + (candidates.isEmpty() ? "none (add sriov4j-vfio or sriov4j-xen)" : describe(candidates)));
        }
        if (available.size() > 1 && available.get(0).provider().priority() == available.get(1).provider().priority()) {
            throw new EngineUnavailableException("select backend", "two backends have the same priority "
                    + available.get(0).provider().priority() + "; choose one with SriovConfig.Builder.backend(ID) (the command line's --backend ID, or "
                    + org.sriov4j.SriovConfig.BACKEND_PROPERTY + "=ID); providers: " + describe(candidates));
        }
        return available.get(0).provider();
    }

    private static String describe(List<Candidate> candidates) {
        StringBuilder b = new StringBuilder();
        for (Candidate c : candidates) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(c.provider().id()).append(" (priority ").append(c.provider().priority()).append("): ")
                    .append(c.probe().available() ? "available" : "unavailable").append(", ")
                    .append(c.probe().reason());
        }
        return b.toString();
    }
}
