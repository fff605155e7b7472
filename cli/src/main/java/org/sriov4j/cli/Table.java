package org.sriov4j.cli;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sriov4j.IommuGroup;
import org.sriov4j.PciAddress;
import org.sriov4j.PciFunction;
import org.sriov4j.PhysicalFunction;
import org.sriov4j.Topology;
import org.sriov4j.VirtualFunction;

/** Human-readable output. */
final class Table {

    private Table() {
    }

    static String render(Topology t) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ADDRESS", "KIND", "ID", "DRIVER", "IOMMU", "NUMA", "NETDEV", "SR-IOV"});
        for (PciFunction f : t.functions()) {
            rows.add(new String[] {f.address().toString(), f.kind().name(), f.id().toString(),
                cell(f.driver().orElse("-")),
                f.iommuGroup().isPresent() ? String.valueOf(f.iommuGroup().getAsInt()) : "-",
                f.numaNode().isPresent() ? String.valueOf(f.numaNode().getAsInt()) : "-",
                f.netdevs().isEmpty() ? "-" : cell(String.join(",", f.netdevs())), sriov(t, f)});
        }
        if (rows.size() == 1) {
            return "No SR-IOV physical functions found.\n";
        }
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i + 1 < r.length ? String.format("%-" + (w[i] + 2) + "s", r[i]) : r[i]);
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    private static String sriov(Topology t, PciFunction f) {
        PhysicalFunction pf = t.physicalFunction(f.address()).orElse(null);
        if (pf != null) {
            return pf.numVfs() + "/" + pf.totalVfs() + " VFs (VF id " + pf.vfId() + "), autoprobe "
                    + (pf.driversAutoprobe() ? "on" : "off");
        }
        VirtualFunction vf = t.virtualFunction(f.address()).orElse(null);
        if (vf != null) {
            return "VF " + vf.index() + " of " + vf.pf();
        }
        return "-";
    }

    static String details(Topology t, PciFunction f) {
        StringBuilder b = new StringBuilder();
        line(b, "Address", f.address().toString());
        line(b, "Kind", f.kind().name());
        line(b, "Id", f.id() + " (class " + f.classCodeHex() + ")");
        line(b, "Driver", cell(f.driver().orElse("(none)")));
        line(b, "Driver override", f.driverOverride().map(Table::cell).orElse("(none)"));
        line(b, "NUMA node", f.numaNode().isPresent() ? String.valueOf(f.numaNode().getAsInt()) : "(unknown)");
        IommuGroup g = t.iommuGroupOf(f.address()).orElse(null);
        line(b, "IOMMU group", g == null ? "(none: no IOMMU)" : g.number() + " " + g.devices());
        line(b, "Netdevs", f.netdevs().isEmpty() ? "(none)" : cell(String.join(", ", f.netdevs())));
        t.physicalFunction(f.address()).ifPresent(pf -> {
            line(b, "VFs", pf.numVfs() + " of " + pf.totalVfs() + " enabled");
            line(b, "VF device", pf.vfId().toString());
            line(b, "VF offset/stride", pf.vfOffset() + "/" + pf.vfStride());
            line(b, "VF autoprobe", pf.driversAutoprobe() ? "on" : "off");
            for (int i = 0; i < pf.vfs().size(); i++) {
                PciAddress a = pf.vfs().get(i);
                String driver = cell(t.function(a).flatMap(PciFunction::driver).orElse("-"));
                line(b, "  VF " + i, a + " " + driver);
            }
        });
        t.virtualFunction(f.address()).ifPresent(vf -> line(b, "Physical function", vf.pf() + " (VF " + vf.index() + ")"));
        return b.toString();
    }

    /** The longest text shown in one cell (a driver_override may hold 4 KiB). */
    static final int MAX_CELL = 200;

    /**
     * Text from sysfs as a table shows it: {@link #printable(String)}, cut after {@value #MAX_CELL} characters with
     * an ellipsis.
     */
    static String cell(String text) {
        String p = escape(text.length() > MAX_CELL ? text.substring(0, MAX_CELL) : text, true);
        return text.length() > MAX_CELL ? p + "\u2026" : p;
    }

    /**
     * Text as a terminal may print it: control characters (C0, DEL, C1: ANSI escape sequences start with ESC or
     * CSI), Unicode format characters (bidirectional overrides) and line separators escaped as {@code --json}
     * escapes them (backslash-u001b for ESC), so that sysfs content cannot move the cursor, recolour or rewrite the
     * screen. For error messages; {@link #cell(String)} also escapes backslashes.
     *
     * @param text the text, or null
     * @return the text with those characters escaped
     */
    static String printable(@Nullable String text) {
        return text == null ? "null" : escape(text, false);
    }

    private static String escape(String text, boolean backslash) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean escape = c < 0x20 || (c >= 0x7f && c < 0xa0) || (backslash && c == '\\')
                    || Character.getType(c) == Character.FORMAT || c == 0x2028 || c == 0x2029;
            if (escape && b == null) {
                b = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (b != null) {
                if (backslash && c == '\\') {
                    b.append("\\\\");
                } else if (escape) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? text : b.toString();
    }

    private static void line(StringBuilder b, String k, String v) {
        b.append(String.format("%-18s %s%n", k + ":", v));
    }
}
