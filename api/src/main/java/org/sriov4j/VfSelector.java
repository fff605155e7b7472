package org.sriov4j;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * Which virtual functions a {@link VfPool} may hand out: an immutable value combining optional criteria, all of
 * which a VF must meet.
 *
 * <ul>
 *   <li><b>PF</b>, by PCI address or by the name of its network interface, optionally with <b>VF index ranges</b>
 *       (the {@code N} of the PF's {@code virtfnN} links);</li>
 *   <li><b>vendor and device id</b> of the VF ({@code 8086:10ca});</li>
 *   <li><b>driver</b> the VF is bound to now (a VF leased with a managed lease is on the stub driver while leased,
 *       so {@code driver("igbvf")} selects VFs that are on the host driver at the time of the call);</li>
 *   <li><b>NUMA node</b> of the VF (a VF whose node the kernel does not know matches no node).</li>
 * </ul>
 * A selector without criteria ({@link #any()}) matches every VF.
 *
 * <p>Every selector has a text form, read by {@link #parse(String)} and printed by {@link #toString()}: the PF
 * criteria, then the other criteria as {@code key=value}, separated by single blanks; {@code any} alone for the
 * selector without criteria.
 * <pre>
 * ens1f0                           every VF of the PF whose netdev is ens1f0
 * ens1f0#0-3,6                     VFs 0, 1, 2, 3 and 6 of that PF
 * 0000:01:00.0#2                   VF 2 of the PF at 0000:01:00.0
 * 01:00.0                          every VF of the PF at 0000:01:00.0
 * ens1f0#0-3 driver=iavf numa=0    VFs 0 to 3 of ens1f0 that are on iavf and on NUMA node 0
 * id=8086:1889                     every VF with that vendor and device id
 * any                              every VF
 * </pre>
 * The same criteria can be set with the {@linkplain #builder() builder}:
 * <pre>{@code
 * VfSelector mine = VfSelector.parse("ens1f0#0-3").toBuilder().driver("iavf").numaNode(0).build();
 * VfSelector e810 = VfSelector.builder().id(PciId.parse("8086:1889")).build();
 * VfPool pool = host.pool(mine, e810);          // a VF matching either
 * try (Lease lease = pool.lease("vm-42")) { ... }
 * }</pre>
 * {@code parse(s.toString())} is equal to {@code s} for every selector {@code s}, and {@code parse(t).toString()}
 * is {@code t} for every text {@code t} in the canonical form (lower-case hexadecimal, the PF address with its
 * domain, the criteria in the order above).
 *
 * <p>Instances compare by value and are safe to share between threads.
 */
public final class VfSelector {

    /** The largest VF index: {@code sriov_totalvfs} is a 16-bit register. */
    public static final int MAX_VF_INDEX = 0xffff;
    /** The longest network interface name, in bytes ({@code IFNAMSIZ - 1}). */
    public static final int MAX_NETDEV_LENGTH = 15;

    private static final VfSelector ANY = new Builder().build();

    private final @Nullable PciAddress pfAddress;
    private final @Nullable String pfNetdev;
    private final List<IndexRange> vfIndices;
    private final @Nullable PciId id;
    private final @Nullable String driver;
    private final int numaNode;

    private VfSelector(Builder b) {
        this.pfAddress = b.pfAddress;
        this.pfNetdev = b.pfNetdev;
        this.vfIndices = List.copyOf(b.vfIndices);
        this.id = b.id;
        this.driver = b.driver;
        this.numaNode = b.numaNode;
    }

    /**
     * An inclusive range of VF indices, {@code first} to {@code last}.
     *
     * @param first the first index, 0 to {@value VfSelector#MAX_VF_INDEX}
     * @param last the last index, {@code first} to {@value VfSelector#MAX_VF_INDEX}
     */
    public record IndexRange(int first, int last) {

        /**
         * Checks the bounds.
         *
         * @param first the first index, 0 to {@value VfSelector#MAX_VF_INDEX}
         * @param last the last index, {@code first} to {@value VfSelector#MAX_VF_INDEX}
         * @throws IllegalArgumentException if an index is out of range or {@code last < first}
         */
        public IndexRange {
            if (first < 0 || last > MAX_VF_INDEX || last < first) {
                throw new IllegalArgumentException("not a VF index range (0 <= first <= last <= " + MAX_VF_INDEX
                        + "): " + first + "-" + last);
            }
        }

        /**
         * Whether the range contains an index.
         *
         * @param index a VF index
         * @return true if {@code first <= index <= last}
         */
        public boolean contains(int index) {
            return index >= first && index <= last;
        }

        /**
         * The text form.
         *
         * @return {@code first-last}, or {@code first} alone when both are equal
         */
        @Override
        public String toString() {
            return first == last ? Integer.toString(first) : first + "-" + last;
        }
    }

    /**
     * The selector without criteria: it matches every VF.
     *
     * @return the selector
     */
    public static VfSelector any() {
        return ANY;
    }

    /**
     * A builder without criteria.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder with this selector's criteria, to add or change some.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.pfAddress = pfAddress;
        b.pfNetdev = pfNetdev;
        b.vfIndices.addAll(vfIndices);
        b.id = id;
        b.driver = driver;
        b.numaNode = numaNode;
        return b;
    }

    /**
     * Parses the text form: {@code any}, or one or more criteria separated by single blanks ({@code ' '}), each at
     * most once, in any order:
     * <ul>
     *   <li>{@code PF} or {@code PF#RANGES}: the PF and optionally VF indices on it;</li>
     *   <li>{@code id=VVVV:DDDD}: the VFs' vendor and device id, as {@link PciId#parse(String)} reads it;</li>
     *   <li>{@code driver=NAME}: the driver the VFs are bound to, by the rules of {@link Builder#driver(String)};</li>
     *   <li>{@code numa=N}: the VFs' NUMA node, decimal, without sign or leading zeros.</li>
     * </ul>
     *
     * <p>{@code PF} is a PCI address as {@link PciAddress#parse(String)} reads it ({@code 0000:01:00.0} or
     * {@code 01:00.0}) when it contains a {@code ':'}, and otherwise a network interface name by the kernel's rules:
     * 1 to {@value #MAX_NETDEV_LENGTH} bytes (UTF-8), not {@code .} or {@code ..}, no {@code '/'}, {@code ':'} or
     * white space; and, because the text form needs them, no {@code '#'} or {@code '='}, and not {@code any}. (A PF
     * whose netdev breaks these rules is selected by its address.)
     *
     * <p>{@code RANGES} is a comma-separated list of VF indices {@code N} and inclusive ranges {@code N-M}, each
     * index decimal, 0 to {@value #MAX_VF_INDEX}, without sign, blanks or leading zeros, each range ascending
     * ({@code N <= M}) and each part beyond the previous one ({@code 0-3,6}, not {@code 6,0-3} or {@code 0-3,2});
     * no part may be empty.
     *
     * <p>{@code parse(s.toString())} gives back an equal selector for every selector {@code s}.
     *
     * @param text the text
     * @return the selector
     * @throws VfSelectorFormatException if the text is not of that form (the only exception for non-null input);
     *     the message quotes the input and names the position
     * @throws NullPointerException if {@code text} is null
     */
    public static VfSelector parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new VfSelectorFormatException(text, 0, "expected a PF netdev or PCI address, a criterion"
                    + " (id=, driver=, numa=) or any");
        }
        if (text.equals(ANY_TEXT)) {
            return ANY;
        }
        Builder b = new Builder();
        boolean pfSeen = false;
        boolean idSeen = false;
        boolean driverSeen = false;
        boolean numaSeen = false;
        int from = 0;
        while (true) {
            int blank = text.indexOf(' ', from);
            int to = blank < 0 ? text.length() : blank;
            if (to == from) {
                throw new VfSelectorFormatException(text, from, from == text.length()
                        ? "expected a criterion after the blank, found the end"
                        : "expected a criterion, found a blank (criteria are separated by one blank)");
            }
            String token = text.substring(from, to);
            String key = keyOf(token);
            if (key == null) {
                if (token.equals(ANY_TEXT)) {
                    throw new VfSelectorFormatException(text, from, "any stands alone: it is the selector without"
                            + " criteria");
                }
                if (pfSeen) {
                    throw new VfSelectorFormatException(text, from, "the PF is given twice, or a criterion lacks"
                            + " its key (id=, driver=, numa=)");
                }
                pfSeen = true;
                parsePf(text, from, to, b);
            } else {
                int valueAt = from + key.length() + 1;
                String value = text.substring(valueAt, to);
                switch (key) {
                    case "id" -> {
                        idSeen = once(text, from, key, idSeen);
                        try {
                            b.id = PciId.parse(value);
                        } catch (IllegalArgumentException e) {
                            VfSelectorFormatException x = new VfSelectorFormatException(text, valueAt,
                                    "expected a vendor and device id such as 8086:10ca after id=");
                            x.initCause(e);
                            throw x;
                        }
                    }
                    case "driver" -> {
                        driverSeen = once(text, from, key, driverSeen);
                        String problem = driverProblem(value);
                        if (problem != null) {
                            throw new VfSelectorFormatException(text, valueAt, problem);
                        }
                        b.driver = value;
                    }
                    case "numa" -> {
                        numaSeen = once(text, from, key, numaSeen);
                        b.numaNode = numaNumber(text, valueAt, to);
                    }
                    default -> throw new VfSelectorFormatException(text, from, "unknown criterion " + key
                            + "= (expected id=, driver= or numa=)");
                }
            }
            if (blank < 0) {
                return b.build();
            }
            from = blank + 1;
        }
    }

    /** The text form of {@link #any()}. */
    private static final String ANY_TEXT = "any";

    /**
     * The key of a {@code key=value} token: the ASCII letters before its first {@code '='}.
     *
     * @return the key, or null if the token is not of that form (then it names the PF)
     */
    private static @Nullable String keyOf(String token) {
        int eq = token.indexOf('=');
        if (eq <= 0) {
            return null;
        }
        for (int i = 0; i < eq; i++) {
            char c = token.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return null;
            }
        }
        return token.substring(0, eq);
    }

    private static boolean once(String text, int at, String key, boolean seen) {
        if (seen) {
            throw new VfSelectorFormatException(text, at, key + "= is given twice");
        }
        return true;
    }

    /** Parses {@code PF} or {@code PF#RANGES} in {@code text} from {@code from} to {@code to} into {@code b}. */
    private static void parsePf(String text, int from, int to, Builder b) {
        String token = text.substring(from, to);
        int hash = token.indexOf('#');
        String pf = hash < 0 ? token : token.substring(0, hash);
        if (pf.isEmpty()) {
            throw new VfSelectorFormatException(text, from, "expected a PF netdev or PCI address before '#'");
        }
        if (pf.indexOf(':') >= 0) {
            try {
                b.pfAddress = PciAddress.parse(pf);
            } catch (PciAddressFormatException e) {
                String prefix = "not a PCI address: \"" + PciAddressFormatException.escape(pf) + "\": ";
                String why = e.getMessage() != null && e.getMessage().startsWith(prefix)
                        ? e.getMessage().substring(prefix.length()) : "expected DDDD:BB:DD.F or BB:DD.F";
                VfSelectorFormatException x = new VfSelectorFormatException(text, from, "not a PCI address: " + why
                        + " (a PF name with ':' is read as a PCI address; netdev names have no ':')");
                x.initCause(e);
                throw x;
            }
        } else {
            Problem problem = netdevProblem(pf);
            if (problem != null) {
                throw new VfSelectorFormatException(text, from + problem.position(), problem.reason());
            }
            b.pfNetdev = pf;
        }
        if (hash >= 0) {
            b.vfIndices.addAll(parseRanges(text, from + hash + 1, to));
        }
    }

    /** Reads the NUMA node in {@code text} from {@code from} to {@code to}. */
    private static int numaNumber(String text, int from, int to) {
        if (from == to) {
            throw new VfSelectorFormatException(text, from, "expected a NUMA node after numa=");
        }
        if (text.charAt(from) == '0' && to - from > 1) {
            throw new VfSelectorFormatException(text, from, "NUMA nodes have no leading zeros");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                throw new VfSelectorFormatException(text, i, "expected a decimal NUMA node, found " + describe(c));
            }
            v = v * 10 + (c - '0');
            if (v > Integer.MAX_VALUE) {
                throw new VfSelectorFormatException(text, from, "NUMA node greater than " + Integer.MAX_VALUE);
            }
        }
        return (int) v;
    }

    /**
     * Why {@code name} is not a driver name.
     *
     * @return the problem, or null if the name is valid
     */
    private static @Nullable String driverProblem(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(c -> c == '/' || c <= ' ' || c == 0x7f)) {
            return "not a driver name: \"" + PciAddressFormatException.escape(name) + "\"";
        }
        return null;
    }

    /** Why a netdev name is invalid, and where. */
    private record Problem(int position, String reason) {
    }

    /**
     * Why {@code name} is not a valid network interface name for a selector.
     *
     * @return the problem, or null if the name is valid
     */
    private static @Nullable Problem netdevProblem(String name) {
        if (name.isEmpty()) {
            return new Problem(0, "a netdev name must not be empty");
        }
        if (name.equals(".") || name.equals("..")) {
            return new Problem(0, "a netdev name must not be \".\" or \"..\"");
        }
        if (name.equals(ANY_TEXT)) {
            return new Problem(0, "\"any\" is the selector without criteria, not a netdev name (select that PF by"
                    + " its PCI address)");
        }
        int bytes = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (forbiddenInNetdev(c)) {
                return new Problem(i, switch (c) {
                    case '/', ':', '#', '=' -> "'" + c + "' is not allowed in a netdev name";
                    case 0 -> "NUL is not allowed in a netdev name";
                    default -> "white space is not allowed in a netdev name";
                });
            }
            if (Character.isSurrogate(c) && !validSurrogateAt(name, i)) {
                return new Problem(i, "unpaired surrogate: not valid Unicode");
            }
            bytes += utf8Length(c);
            if (bytes > MAX_NETDEV_LENGTH) {
                return new Problem(i, "a netdev name has at most " + MAX_NETDEV_LENGTH + " bytes (UTF-8)");
            }
            if (Character.isHighSurrogate(c)) {
                i++;
            }
        }
        return null;
    }

    /** The kernel's {@code dev_valid_name}: no '/', ':' or C {@code isspace}; and NUL, and our '#' and '='. */
    private static boolean forbiddenInNetdev(char c) {
        return c == '/' || c == ':' || c == '#' || c == '=' || c == 0 || c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }

    private static int utf8Length(char c) {
        if (c < 0x80) {
            return 1;
        }
        if (c < 0x800) {
            return 2;
        }
        return Character.isHighSurrogate(c) ? 4 : 3;
    }

    /**
     * Parses {@code RANGES} in {@code text} from {@code from} to {@code to}; positions in errors are indices of
     * {@code text}.
     */
    private static List<IndexRange> parseRanges(String text, int from, int to) {
        List<IndexRange> out = new ArrayList<>();
        int p = from;
        if (p == to) {
            throw new VfSelectorFormatException(text, p, "expected VF indices (such as 0-3,6) after '#'"
                    + (to < text.length() ? ", found " + describe(text.charAt(to)) : ""));
        }
        while (true) {
            int start = p;
            int first = number(text, p, to);
            p = end(text, p, to);
            int last = first;
            if (p < to && text.charAt(p) == '-') {
                p++;
                last = number(text, p, to);
                p = end(text, p, to);
                if (last < first) {
                    throw new VfSelectorFormatException(text, start, "range " + first + "-" + last
                            + " is not ascending");
                }
            }
            if (!out.isEmpty() && first <= out.get(out.size() - 1).last()) {
                throw new VfSelectorFormatException(text, start, "ranges must be ascending and must not overlap: "
                        + text.substring(start, p) + " after " + out.get(out.size() - 1));
            }
            out.add(new IndexRange(first, last));
            if (p == to) {
                return out;
            }
            char c = text.charAt(p);
            if (c != ',') {
                throw new VfSelectorFormatException(text, p, "expected ',' or '-' or the end, found "
                        + describe(c));
            }
            p++;
        }
    }

    /** The index of the first non-digit at or after {@code p}, at most {@code to}. */
    private static int end(String text, int p, int to) {
        while (p < to && isDigit(text.charAt(p))) {
            p++;
        }
        return p;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Reads the decimal index at {@code p}, before {@code to}. */
    private static int number(String text, int p, int to) {
        if (p == to) {
            throw new VfSelectorFormatException(text, p, p == text.length() ? "expected a VF index, found the end"
                    : "expected a VF index, found " + describe(text.charAt(p)));
        }
        if (!isDigit(text.charAt(p))) {
            throw new VfSelectorFormatException(text, p, "expected a VF index, found " + describe(text.charAt(p)));
        }
        if (text.charAt(p) == '0' && p + 1 < to && isDigit(text.charAt(p + 1))) {
            throw new VfSelectorFormatException(text, p, "VF indices have no leading zeros");
        }
        int v = 0;
        for (int i = p; i < to && isDigit(text.charAt(i)); i++) {
            v = v * 10 + (text.charAt(i) - '0');
            if (v > MAX_VF_INDEX) {
                throw new VfSelectorFormatException(text, p, "VF index greater than " + MAX_VF_INDEX);
            }
        }
        return v;
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /**
     * The PF, by address.
     *
     * @return the PF's address, if the selector names the PF by address
     */
    public Optional<PciAddress> pfAddress() {
        return Optional.ofNullable(pfAddress);
    }

    /**
     * The PF, by the name of its network interface.
     *
     * @return the netdev name, if the selector names the PF by netdev
     */
    public Optional<String> pfNetdev() {
        return Optional.ofNullable(pfNetdev);
    }

    /**
     * The VF indices on the PF.
     *
     * @return ascending, non-overlapping ranges; empty for every index
     */
    public List<IndexRange> vfIndices() {
        return vfIndices;
    }

    /**
     * The VFs' vendor and device id.
     *
     * @return the id, if the selector restricts it
     */
    public Optional<PciId> id() {
        return Optional.ofNullable(id);
    }

    /**
     * The driver the VFs are bound to.
     *
     * @return the driver's name, if the selector restricts it
     */
    public Optional<String> driver() {
        return Optional.ofNullable(driver);
    }

    /**
     * The VFs' NUMA node.
     *
     * @return the node, if the selector restricts it
     */
    public OptionalInt numaNode() {
        return numaNode < 0 ? OptionalInt.empty() : OptionalInt.of(numaNode);
    }

    /**
     * Whether a VF meets every criterion of this selector.
     *
     * @param topology the snapshot the VF comes from (a PF named by netdev is looked up in it)
     * @param vf the VF
     * @return true if it matches
     */
    public boolean matches(Topology topology, VirtualFunction vf) {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(vf, "vf");
        if (pfAddress != null && !pfAddress.equals(vf.pf())) {
            return false;
        }
        if (pfNetdev != null) {
            Optional<PciFunction> pf = topology.functionByNetdev(pfNetdev);
            if (pf.isEmpty() || pf.get().kind() != FunctionKind.PF || !pf.get().address().equals(vf.pf())) {
                return false;
            }
        }
        if (!vfIndices.isEmpty() && vfIndices.stream().noneMatch(r -> r.contains(vf.index()))) {
            return false;
        }
        PciFunction f = vf.function();
        if (id != null && !id.equals(f.id())) {
            return false;
        }
        if (driver != null && !f.driver().filter(driver::equals).isPresent()) {
            return false;
        }
        return numaNode < 0 || f.numaNode().isPresent() && f.numaNode().getAsInt() == numaNode;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof VfSelector s && Objects.equals(pfAddress, s.pfAddress)
                && Objects.equals(pfNetdev, s.pfNetdev) && vfIndices.equals(s.vfIndices) && Objects.equals(id, s.id)
                && Objects.equals(driver, s.driver) && numaNode == s.numaNode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pfAddress, pfNetdev, vfIndices, id, driver, numaNode);
    }

    /**
     * The text form, which {@link #parse(String)} reads back to an equal selector: the PF criteria
     * ({@code ens1f0#0-3,6}), followed by the other criteria as {@code id=8086:10ca}, {@code driver=igbvf} and
     * {@code numa=0}, separated by single blanks; {@code any} for the selector without criteria.
     *
     * @return e.g. {@code 0000:01:00.0#2 driver=igbvf}
     */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (pfAddress != null || pfNetdev != null) {
            StringBuilder b = new StringBuilder(pfAddress != null ? pfAddress.toString() : pfNetdev);
            if (!vfIndices.isEmpty()) {
                b.append('#');
                for (int i = 0; i < vfIndices.size(); i++) {
                    b.append(i == 0 ? "" : ",").append(vfIndices.get(i));
                }
            }
            parts.add(b.toString());
        }
        if (id != null) {
            parts.add("id=" + id);
        }
        if (driver != null) {
            parts.add("driver=" + driver);
        }
        if (numaNode >= 0) {
            parts.add("numa=" + numaNode);
        }
        return parts.isEmpty() ? ANY_TEXT : String.join(" ", parts);
    }

    /** Builds a {@link VfSelector}; every criterion is unset (matches everything) unless set. Not thread-safe. */
    public static final class Builder {
        private @Nullable PciAddress pfAddress;
        private @Nullable String pfNetdev;
        private final List<IndexRange> vfIndices = new ArrayList<>();
        private @Nullable PciId id;
        private @Nullable String driver;
        private int numaNode = -1;

        private Builder() {
        }

        /**
         * Selects VFs of the PF at {@code address} (replacing a PF given by netdev).
         *
         * @param address the PF's address
         * @return this builder
         */
        public Builder pf(PciAddress address) {
            this.pfAddress = Objects.requireNonNull(address, "address");
            this.pfNetdev = null;
            return this;
        }

        /**
         * Selects VFs of the PF whose network interface is {@code netdev} (replacing a PF given by address).
         *
         * @param netdev the PF's netdev name, by the rules of {@link VfSelector#parse(String)}
         * @return this builder
         * @throws VfSelectorFormatException if the name is not valid
         */
        public Builder pfNetdev(String netdev) {
            Objects.requireNonNull(netdev, "netdev");
            Problem problem = netdevProblem(netdev);
            if (problem != null) {
                throw new VfSelectorFormatException(netdev, problem.position(), problem.reason());
            }
            this.pfNetdev = netdev;
            this.pfAddress = null;
            return this;
        }

        /**
         * Adds the VF indices {@code first} to {@code last} (inclusive). Ranges must be added in ascending order
         * without overlap. VF indices need a PF ({@link #build()} checks).
         *
         * @param first the first index, 0 to {@value VfSelector#MAX_VF_INDEX}
         * @param last the last index, {@code first} to {@value VfSelector#MAX_VF_INDEX}
         * @return this builder
         * @throws IllegalArgumentException if the range is invalid or does not come after the ranges added before
         */
        public Builder vfIndices(int first, int last) {
            IndexRange r = new IndexRange(first, last);
            if (!vfIndices.isEmpty() && first <= vfIndices.get(vfIndices.size() - 1).last()) {
                throw new IllegalArgumentException("VF index ranges must be ascending and must not overlap: " + r
                        + " after " + vfIndices.get(vfIndices.size() - 1));
            }
            vfIndices.add(r);
            return this;
        }

        /**
         * Adds one VF index; the same as {@code vfIndices(index, index)}.
         *
         * @param index the index, 0 to {@value VfSelector#MAX_VF_INDEX}
         * @return this builder
         * @throws IllegalArgumentException as {@link #vfIndices(int, int)}
         */
        public Builder vfIndex(int index) {
            return vfIndices(index, index);
        }

        /**
         * Replaces the VF indices with those of a list in the text form of {@link VfSelector#parse(String)}, such as
         * {@code 0-3,6}.
         *
         * @param ranges the list
         * @return this builder
         * @throws VfSelectorFormatException if the list is not of that form (positions are indices of
         *     {@code ranges})
         */
        public Builder vfIndices(String ranges) {
            Objects.requireNonNull(ranges, "ranges");
            if (ranges.isEmpty()) {
                throw new VfSelectorFormatException(ranges, 0, "expected VF indices (such as 0-3,6)");
            }
            List<IndexRange> parsed = parseRanges(ranges, 0, ranges.length());
            vfIndices.clear();
            vfIndices.addAll(parsed);
            return this;
        }

        /**
         * Selects VFs with this vendor and device id.
         *
         * @param id the VFs' id, e.g. {@code 8086:10ca}
         * @return this builder
         */
        public Builder id(PciId id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Selects VFs bound to this driver at the time a pool looks (see the class description).
         *
         * @param name the driver's name as in {@code /sys/bus/pci/drivers}, e.g. {@code iavf}
         * @return this builder
         * @throws IllegalArgumentException if the name is empty, {@code .} or {@code ..}, or contains {@code '/'},
         *     white space or control characters
         */
        public Builder driver(String name) {
            Objects.requireNonNull(name, "name");
            String problem = driverProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            this.driver = name;
            return this;
        }

        /**
         * Selects VFs on this NUMA node.
         *
         * @param node the node, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code node} is negative
         */
        public Builder numaNode(int node) {
            if (node < 0) {
                throw new IllegalArgumentException("NUMA node must be 0 or more: " + node);
            }
            this.numaNode = node;
            return this;
        }

        /**
         * Builds the selector.
         *
         * @return the selector
         * @throws IllegalStateException if VF indices were given without a PF
         */
        public VfSelector build() {
            if (!vfIndices.isEmpty() && pfAddress == null && pfNetdev == null) {
                throw new IllegalStateException("VF indices " + vfIndices + " need a PF (pf or pfNetdev)");
            }
            return new VfSelector(this);
        }
    }
}
