package org.sriov4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the JMH CSVs of {@link CostCurveBenchmark} (one per round) into a Markdown table (stdout) and an SVG chart:
 * microseconds per operation against the number of VFs, both axes logarithmic, with the growth exponent between
 * neighbouring sizes ({@code log(t2/t1) / log(n2/n1)}: 1 is linear, 0 constant, 2 quadratic) and a dashed line of
 * linear growth. With several rounds each point is the median of the rounds' scores and the table shows the rounds'
 * range: on a shared machine the load changes between the sizes of one round, and the median of rounds run one
 * after the other is what resists it.
 *
 * <pre>
 * java -cp benchmarks.jar org.sriov4j.benchmarks.CostCurveReport CHART.svg TITLE ROUND1.csv [ROUND2.csv ...]
 * </pre>
 */
public final class CostCurveReport {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private CostCurveReport() {
    }

    /** One benchmark's scores by VF count: {median, lowest, highest} of the rounds. */
    record Curve(String name, TreeMap<Integer, double[]> points) {
        /** Growth exponent from the smallest to the largest size. */
        double overallExponent() {
            var first = points.firstEntry();
            var last = points.lastEntry();
            return Math.log(last.getValue()[0] / first.getValue()[0]) / Math.log((double) last.getKey() / first.getKey());
        }
    }

    /**
     * Reads the curves from a JMH CSV ({@code -rf csv}): columns Benchmark, Mode, Threads, Samples, Score,
     * Score Error, Unit, Param: vfs.
     *
     * @param csv the file
     * @return the curves in the order of first appearance
     * @throws IOException if it cannot be read
     */
    static List<Curve> read(List<Path> csvs) throws IOException {
        Map<String, TreeMap<Integer, List<Double>>> scores = new LinkedHashMap<>();
        for (Path csv : csvs) {
            for (Curve c : read(csv)) {
                for (var e : c.points().entrySet()) {
                    scores.computeIfAbsent(c.name(), n -> new TreeMap<>())
                            .computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()[0]);
                }
            }
        }
        List<Curve> out = new ArrayList<>();
        for (var e : scores.entrySet()) {
            TreeMap<Integer, double[]> points = new TreeMap<>();
            for (var p : e.getValue().entrySet()) {
                List<Double> v = new ArrayList<>(p.getValue());
                v.sort(null);
                int n = v.size();
                double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
                points.put(p.getKey(), new double[] {median, v.get(0), v.get(n - 1)});
            }
            out.add(new Curve(e.getKey(), points));
        }
        return out;
    }

    static List<Curve> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> header = split(lines.get(0));
        int param = header.indexOf("Param: vfs");
        if (param < 0) {
            throw new IllegalArgumentException(csv + " has no 'Param: vfs' column");
        }
        Map<String, Curve> curves = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> c = split(line);
            String name = c.get(0).substring(c.get(0).lastIndexOf('.') + 1);
            double score = Double.parseDouble(c.get(4));
            curves.computeIfAbsent(name, n -> new Curve(n, new TreeMap<>()))
                    .points().put(Integer.parseInt(c.get(param)), new double[] {score, score, score});
        }
        return new ArrayList<>(curves.values());
    }

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(",", -1)) {
            out.add(f.replace("\"", "").trim());
        }
        return out;
    }

    /**
     * The Markdown table: one row per benchmark, microseconds per size, the exponents between sizes.
     *
     * @param curves the curves
     * @return the table
     */
    static String table(List<Curve> curves) {
        List<Integer> sizes = new ArrayList<>(curves.get(0).points().keySet());
        StringBuilder b = new StringBuilder("| operation |");
        for (int s : sizes) {
            b.append(' ').append(s).append(" VFs |");
        }
        b.append(" growth exponent between sizes | overall |\n|---|");
        b.append("---|".repeat(sizes.size())).append("---|---|\n");
        for (Curve c : curves) {
            b.append("| ").append(c.name()).append(" |");
            for (int s : sizes) {
                double[] p = c.points().get(s);
                b.append(p == null ? " - |" : p[1] == p[2] ? " " + num(p[0]) + " |"
                        : String.format(Locale.ROOT, " %s (%s-%s) |", num(p[0]), num(p[1]), num(p[2])));
            }
            StringBuilder exps = new StringBuilder();
            for (int i = 1; i < sizes.size(); i++) {
                double[] a = c.points().get(sizes.get(i - 1));
                double[] z = c.points().get(sizes.get(i));
                if (a != null && z != null) {
                    exps.append(exps.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f",
                            Math.log(z[0] / a[0]) / Math.log((double) sizes.get(i) / sizes.get(i - 1))));
                }
            }
            b.append(' ').append(exps).append(String.format(Locale.ROOT, " | %.2f |%n", c.overallExponent()));
        }
        return b.toString();
    }

    private static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * The chart: log-log, microseconds against VFs.
     *
     * @param curves the curves
     * @param title the title line
     * @return SVG text
     */
    static String svg(List<Curve> curves, String title) {
        int w = 760;
        int h = 480;
        int left = 70;
        int right = 190;
        int top = 40;
        int bottom = 50;
        double minX = Double.MAX_VALUE;
        double maxX = 0;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (Curve c : curves) {
            for (var e : c.points().entrySet()) {
                minX = Math.min(minX, e.getKey());
                maxX = Math.max(maxX, e.getKey());
                minY = Math.min(minY, e.getValue()[0]);
                maxY = Math.max(maxY, e.getValue()[0]);
            }
        }
        double lx0 = Math.log10(minX);
        double lx1 = Math.log10(maxX);
        double ly0 = Math.floor(Math.log10(minY));
        double ly1 = Math.ceil(Math.log10(maxY));
        int pw = w - left - right;
        int ph = h - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h, w, h));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", left,
                escape(title)));
        // grid: decades on y, the sizes on x
        for (double d = ly0; d <= ly1 + 1e-9; d++) {
            double y = top + ph - (d - ly0) / (ly1 - ly0) * ph;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    left, y, left + pw, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s µs</text>%n",
                    left - 6, y + 4, num(Math.pow(10, d))));
        }
        for (int size : curves.get(0).points().keySet()) {
            double x = left + (Math.log10(size) - lx0) / (lx1 - lx0) * pw;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, top, x, top + ph));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x,
                    top + ph + 18, size));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">VFs on the host (log)"
                + "</text>%n", left + pw / 2, h - 10));
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#888\"/>%n", left, top, pw, ph));
        int k = 0;
        for (Curve c : curves) {
            String colour = COLOURS[k % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (var e : c.points().entrySet()) {
                double x = left + (Math.log10(e.getKey()) - lx0) / (lx1 - lx0) * pw;
                double y = top + ph - (Math.log10(e.getValue()[0]) - ly0) / (ly1 - ly0) * ph;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y,
                        colour));
            }
            s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>%n", pts.toString().trim(), colour));
            // linear growth from the first point, dashed
            var first = c.points().firstEntry();
            double fx = left;
            double fy = top + ph - (Math.log10(first.getValue()[0]) - ly0) / (ly1 - ly0) * ph;
            double ey = top + ph - (Math.log10(first.getValue()[0] * maxX / minX) - ly0) / (ly1 - ly0) * ph;
            if (k == 0) {
                s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                        + "stroke=\"#999\" stroke-dasharray=\"5,4\"/>%n", fx, fy, left + pw, Math.max(ey, top)));
            }
            int ly = top + 14 + 20 * k;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"2\"/>%n", left + pw + 12, ly - 4, left + pw + 32, ly - 4, colour));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s (%.2f)</text>%n", left + pw + 38, ly,
                    escape(c.name()), c.overallExponent()));
            k++;
        }
        int ly = top + 14 + 20 * k;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" "
                + "stroke-dasharray=\"5,4\"/>%n", left + pw + 12, ly - 4, left + pw + 32, ly - 4));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">linear (1.00)</text>%n", left + pw + 38, ly));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">(growth exponent)</text>%n",
                left + pw + 12, ly + 20));
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * Prints the table and writes the chart.
     *
     * @param args the SVG to write, its title, and the JMH CSVs (one per round)
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        List<Path> csvs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            csvs.add(Path.of(args[i]));
        }
        List<Curve> curves = read(csvs);
        if (curves.isEmpty()) {
            throw new IllegalArgumentException("no results in " + csvs);
        }
        System.out.print(table(curves));
        Files.writeString(Path.of(args[0]), svg(curves, args[1]), StandardCharsets.UTF_8);
    }
}
