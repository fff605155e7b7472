import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

/**
 * Fails when the packages of sriov4j's jars depend on each other in a cycle (e.g. spi and spi.internal, issue 14
 * item 7). Runs jdeps in-process on the jars and finds the strongly connected components of the package graph.
 * Usage: java .ci/PackageCycles.java MODULE_PATH JAR... (run by .ci/packaging-check.sh).
 *
 * <p>One cycle is by design and allowed: {@code org.sriov4j} and {@code org.sriov4j.bootstrap}, the API and the
 * {@link java.util.ServiceLoader} interface its {@code SriovHost.open} looks the engine up with (whose
 * {@code open} returns a {@code SriovHost}) — the shape of {@code java.nio.file} and {@code java.nio.file.spi}.
 */
public class PackageCycles {
    private static final Set<String> ALLOWED = Set.of("org.sriov4j", "org.sriov4j.bootstrap");

    public static void main(String[] args) {
        List<String> jdepsArgs = new ArrayList<>(List.of("--module-path", args[0], "--multi-release", "17",
                "-verbose:package", "-filter:none"));
        jdepsArgs.addAll(List.of(args).subList(1, args.length));
        StringWriter out = new StringWriter();
        int rc = ToolProvider.findFirst("jdeps").orElseThrow().run(new PrintWriter(out), new PrintWriter(System.err),
                jdepsArgs.toArray(String[]::new));
        if (rc != 0) {
            System.err.println("PackageCycles: jdeps failed (" + rc + ")");
            System.exit(2);
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            String[] f = line.trim().split("\\s+");
            // "   org.sriov4j.a   -> org.sriov4j.b   module"
            if (f.length >= 3 && f[1].equals("->") && f[0].startsWith("org.sriov4j") && f[2].startsWith("org.sriov4j")
                    && !f[0].equals(f[2])) {
                edges.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[2]);
                edges.computeIfAbsent(f[2], k -> new TreeSet<>());
            }
        }
        List<List<String>> cycles = new Tarjan(edges).components();
        cycles.removeIf(c -> c.size() < 2 || Set.copyOf(c).equals(ALLOWED));
        if (cycles.isEmpty()) {
            System.out.println("packaging: ok: no package cycle among the " + edges.size() + " packages of "
                    + (args.length - 1) + " jars (but the API's own org.sriov4j <-> org.sriov4j.bootstrap)");
            return;
        }
        cycles.forEach(c -> System.err.println("packaging: FAILED: package cycle: " + String.join(" <-> ", c)));
        System.exit(1);
    }

    /** Tarjan's strongly connected components. */
    static final class Tarjan {
        private final Map<String, Set<String>> edges;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> out = new ArrayList<>();

        Tarjan(Map<String, Set<String>> edges) {
            this.edges = edges;
        }

        List<List<String>> components() {
            edges.keySet().forEach(v -> {
                if (!index.containsKey(v)) {
                    visit(v);
                }
            });
            return out;
        }

        private void visit(String v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.push(v);
            onStack.add(v);
            for (String w : edges.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                List<String> component = new ArrayList<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                out.add(component);
            }
        }
    }
}
