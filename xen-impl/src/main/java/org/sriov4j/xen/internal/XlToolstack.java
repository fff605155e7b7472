package org.sriov4j.xen.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.PciAddress;
import org.sriov4j.PciAddressFormatException;
import org.sriov4j.SriovException;
import org.sriov4j.spi.HostCommands;
import org.sriov4j.xen.XenToolstackException;

/**
 * {@link XenToolstack} over the real commands ({@code xl}, {@code xenstore-read/-write/-rm}), each run from an
 * argument vector with a timeout. Every BDF, domain name, option and xenstore path is validated before it reaches
 * the argument vector. libxl's error lines become {@link XenToolstackException}s of the matching kind.
 */
final class XlToolstack implements XenToolstack {

    /** Longest an {@code xl} call may take (pci-attach takes ~1.3 s under TCG). */
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Xen domain names: libxl accepts more, but nothing that could be read as an option or a path. */
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** pci-attach options, e.g. {@code permissive=1}, {@code rdm_policy=relaxed}. */
    private static final Pattern OPTION = Pattern.compile("[a-z_]{1,32}=[A-Za-z0-9_]{1,32}");
    private static final Pattern XS_PATH = Pattern.compile("/[A-Za-z0-9/_.-]{1,255}");
    private static final Pattern XS_VALUE = Pattern.compile("[A-Za-z0-9/_.:-]{0,255}");

    private final HostCommands commands;
    private final Duration timeout;

    XlToolstack(HostCommands commands) {
        this(commands, TIMEOUT);
    }

    XlToolstack(HostCommands commands, Duration timeout) {
        this.commands = Objects.requireNonNull(commands, "commands");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    static String domain(String domain) {
        Objects.requireNonNull(domain, "domain");
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("not a Xen domain name or id: \"" + domain
                    + "\" (letters, digits, '.', '_', '-'; 1 to 64, not starting with a sign)");
        }
        return domain;
    }

    /** The BDF as xl wants it: always the full {@code DDDD:BB:DD.F} of a parsed address. */
    static String bdf(PciAddress f) {
        return PciAddress.parse(Objects.requireNonNull(f, "f").toString()).toString();
    }

    private static String xsPath(String path) {
        if (!XS_PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("not a xenstore path sriov4j writes: \"" + path + "\"");
        }
        return path;
    }

    @Override
    public void pciAttach(String domain, PciAddress f, List<String> options) {
        StringBuilder spec = new StringBuilder(bdf(f));
        for (String o : options) {
            if (!OPTION.matcher(o).matches()) {
                throw new IllegalArgumentException("not a pci-attach option: \"" + o + "\"");
            }
            spec.append(',').append(o);
        }
        xl("xl pci-attach", f, List.of("pci-attach", domain(domain), spec.toString()));
    }

    @Override
    public void pciDetach(String domain, PciAddress f) {
        HostCommands.Result r = xl("xl pci-detach", f, List.of("pci-detach", domain(domain), bdf(f)));
        if (r.stderr().contains("not ready")) {
            // the domU shut down while the device was being removed: libxl returns 0 and the device is gone
            System.getLogger(XlToolstack.class.getName()).log(System.Logger.Level.WARNING,
                    "xl pci-detach {0} {1}: {2}", domain, f, r.stderr().strip());
        }
    }

    @Override
    public List<PciAddress> pciList(String domain) {
        return addresses(xl("xl pci-list", null, List.of("pci-list", domain(domain))).stdout());
    }

    @Override
    public void assignableAdd(PciAddress f) {
        xl("xl pci-assignable-add", f, List.of("pci-assignable-add", bdf(f)));
    }

    @Override
    public void assignableRemove(PciAddress f, boolean rebind) {
        xl("xl pci-assignable-remove", f, rebind ? List.of("pci-assignable-remove", "-r", bdf(f))
                : List.of("pci-assignable-remove", bdf(f)));
    }

    @Override
    public List<PciAddress> assignableList() {
        return addresses(xl("xl pci-assignable-list", null, List.of("pci-assignable-list")).stdout());
    }

    @Override
    public boolean domainExists(String domain) {
        // xl list takes a name or a domid (xl domid only a name)
        List<String> argv = List.of("xl", "list", domain(domain));
        HostCommands.Result r = run(argv);
        if (r.ok()) {
            return true;
        }
        if (kindOf(r.stderr() + r.stdout()) == XenToolstackException.Kind.NO_SUCH_DOMAIN) {
            return false;
        }
        throw failure("xl list", null, argv, r);
    }

    @Override
    public Set<String> virtCaps() {
        String out = xl("xl info", null, List.of("info")).stdout();
        Set<String> caps = new LinkedHashSet<>();
        for (String line : out.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equals("virt_caps")) {
                for (String c : line.substring(colon + 1).strip().split("\\s+")) {
                    if (!c.isEmpty()) {
                        caps.add(c);
                    }
                }
            }
        }
        return caps;
    }

    @Override
    public Optional<String> xenstoreRead(String path) {
        List<String> argv = List.of("xenstore-read", xsPath(path));
        HostCommands.Result r = run(argv);
        if (r.ok()) {
            return Optional.of(r.stdout().strip());
        }
        if (r.stderr().contains("couldn't read path") || r.stderr().contains("No such file")) {
            return Optional.empty();
        }
        throw failure("xenstore-read", null, argv, r);
    }

    @Override
    public void xenstoreWrite(String path, String value) {
        if (!XS_VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a xenstore value sriov4j writes: \"" + value + "\"");
        }
        List<String> argv = List.of("xenstore-write", xsPath(path), value);
        HostCommands.Result r = run(argv);
        if (!r.ok()) {
            throw failure("xenstore-write", null, argv, r);
        }
    }

    @Override
    public void xenstoreRm(String path) {
        List<String> argv = List.of("xenstore-rm", xsPath(path));
        HostCommands.Result r = run(argv);
        if (!r.ok() && !r.stderr().contains("remove path") && !r.stderr().contains("No such file")) {
            throw failure("xenstore-rm", null, argv, r);
        }
    }

    private HostCommands.Result xl(String operation, @Nullable PciAddress f, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add("xl");
        argv.addAll(args);
        HostCommands.Result r;
        try {
            r = commands.run(argv, timeout);
        } catch (SriovException e) {
            if (e.errno().filter(Errno.ETIMEDOUT::equals).isPresent()) {
                throw new XenToolstackException(XenToolstackException.Kind.TIMEOUT, operation, f, e.detail(), e);
            }
            throw e;
        }
        // xl pci-assignable-add returns 1 after binding to pciback when quarantining fails: a refusal all the same
        if (!r.ok() || kindOf(r.stderr()) == XenToolstackException.Kind.NO_IOMMU) {
            throw failure(operation, f, argv, r);
        }
        return r;
    }

    private HostCommands.Result run(List<String> argv) {
        return commands.run(argv, timeout);
    }

    private static XenToolstackException failure(String operation, @Nullable PciAddress f, List<String> argv,
            HostCommands.Result r) {
        String lines = (r.stderr() + r.stdout()).strip();
        return new XenToolstackException(kindOf(lines), operation, f, String.join(" ", argv) + " exited with "
                + r.exitCode() + (lines.isEmpty() ? "" : ": " + lines.replace('\n', ' ')), null);
    }

    /** Reads libxl's error lines (Xen 4.17). */
    static XenToolstackException.Kind kindOf(String lines) {
        String s = lines.toLowerCase(Locale.ROOT);
        if (s.contains("invalid domain identifier") || s.contains("domain does not exist")
                || s.contains("no such domain")) {
            return XenToolstackException.Kind.NO_SUCH_DOMAIN;
        }
        if (s.contains("xc_assign_device failed: operation not supported")) {
            return XenToolstackException.Kind.PASSTHROUGH_NOT_ENABLED;
        }
        if (s.contains("failed to quarantine") || s.contains("passthrough not supported on this platform")) {
            return XenToolstackException.Kind.NO_IOMMU;
        }
        if (s.contains("already assigned") || s.contains("is not assignable")
                || s.contains("xc_assign_device failed: device or resource busy")) {
            return XenToolstackException.Kind.ALREADY_ASSIGNED;
        }
        if (s.contains("not attached") || s.contains("is not assigned to")) {
            return XenToolstackException.Kind.NOT_ATTACHED;
        }
        return XenToolstackException.Kind.FAILED;
    }

    /** Every BDF that starts a line's words, e.g. of {@code pci-list} ({@code 00.0 0000:01:10.0}) or the list. */
    static List<PciAddress> addresses(String out) {
        List<PciAddress> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            for (String word : line.strip().split("\\s+")) {
                if (word.indexOf(':') > 0 && word.indexOf('.') > 0) {
                    try {
                        list.add(PciAddress.parse(word));
                        break;
                    } catch (PciAddressFormatException e) {
                        // not an address
                    }
                }
            }
        }
        return list;
    }
}
