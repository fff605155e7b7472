// sriov4j-it: the host half of run-suite.sh's report (a single-file Java program: java SuiteReport.java ...).
// Reads the JUnit XML reports each guest brought back and prints failed tests with their message, one
// line per machine and, last, the total "N passed, N failed, N skipped".
//
//   java it/scripts/SuiteReport.java [--expect PACKAGE CLASSPATH] MACHINE GUEST_EXIT_STATUS RESULTS_DIR [...]
//
// RESULTS_DIR is run-in-guest.sh's --out folder (reports in out/reports/TEST-*.xml, timing; out/include.txt,
// the class-name pattern the guest's launcher used). Exit status 0 only when every machine ran at least one
// test, none failed or errored, and every guest run ended with status 0.
//
// --expect: the JUnit console launcher passes over a test class it cannot load without a word, so a class that
// breaks in the guest would only make the counts smaller. With --expect, every concrete class of PACKAGE (top
// level, found on CLASSPATH, the guest's class path) that has a JUnit test method (its own or inherited) and
// whose name matches a machine's include.txt pattern must appear in that machine's report; a missing one, or one
// that cannot be loaded here, fails the run.

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

public class SuiteReport {

    record Failure(String test, String kind, String message) {
    }

    static final class Counts {
        int passed;
        int failed;
        int skipped;

        int total() {
            return passed + failed + skipped;
        }

        @Override
        public String toString() {
            return passed + " passed, " + failed + " failed, " + skipped + " skipped";
        }
    }

    public static void main(String[] argv) throws Exception {
        String[] args = argv;
        List<String> problems = new ArrayList<>();
        Set<String> expected = null;
        if (args.length >= 3 && args[0].equals("--expect")) {
            expected = testClasses(args[1], args[2], problems);
            args = java.util.Arrays.copyOfRange(args, 3, args.length);
        }
        if (args.length == 0 || args.length % 3 != 0) {
            System.err.println("usage: SuiteReport [--expect PACKAGE CLASSPATH] MACHINE GUEST_EXIT_STATUS RESULTS_DIR [...]");
            System.exit(2);
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        DocumentBuilder parser = factory.newDocumentBuilder();

        Counts total = new Counts();
        List<String> lines = new ArrayList<>();
        int width = 0;
        for (int i = 0; i < args.length; i += 3) {
            width = Math.max(width, args[i].length());
        }
        for (int i = 0; i < args.length; i += 3) {
            String machine = args[i];
            int status = Integer.parseInt(args[i + 1]);
            Path dir = Path.of(args[i + 2]);
            Counts counts = new Counts();
            List<Failure> failures = new ArrayList<>();
            List<Path> reports = reports(dir.resolve("out/reports"));
            Set<String> ran = new HashSet<>();
            for (Path report : reports) {
                read(parser, report, counts, failures, ran);
            }
            Path include = dir.resolve("out/include.txt");
            if (expected != null && Files.isRegularFile(include) && !reports.isEmpty()) {
                Pattern pattern = Pattern.compile(Files.readString(include).strip());
                for (String c : expected) {
                    if (pattern.matcher(c).matches() && !ran.contains(c)) {
                        problems.add("ERROR  [" + machine + "] " + c + " has tests and matches '" + pattern
                                + "' but ran none: the launcher could not load it? (see stderr.log)");
                    }
                }
            }
            for (Failure f : failures) {
                problems.add("FAILED [" + machine + "] " + f.test + ": " + f.kind
                        + (f.message.isEmpty() ? "" : ": " + indent(f.message)));
            }
            String guest = guestStatus(status, counts, reports.isEmpty());
            if (guest != null) {
                problems.add("ERROR  [" + machine + "] " + guest + " (results: " + dir + ")");
            } else if (counts.total() == 0) {
                problems.add("ERROR  [" + machine + "] no test ran (results: " + dir + ")");
            }
            lines.add(String.format("%-" + width + "s  %s  (guest exit %d%s)", machine, counts, status, timing(dir)));
            total.passed += counts.passed;
            total.failed += counts.failed;
            total.skipped += counts.skipped;
        }

        System.out.println("== real-kernel suite: " + (problems.isEmpty() ? "all passed" : "FAILED") + " ==");
        problems.forEach(System.out::println);
        lines.forEach(System.out::println);
        System.out.println(total);
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /** TEST-*.xml in the reports folder (one per test engine), or none. */
    static List<Path> reports(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("TEST-") && n.endsWith(".xml");
            }).sorted().toList();
        }
    }

    static void read(DocumentBuilder parser, Path report, Counts counts, List<Failure> failures, Set<String> ran)
            throws Exception {
        NodeList cases = parser.parse(report.toFile()).getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element testcase = (Element) cases.item(i);
            ran.add(testcase.getAttribute("classname"));
            String name = testcase.getAttribute("classname") + " > " + testcase.getAttribute("name");
            Element problem = child(testcase, "failure");
            if (problem == null) {
                problem = child(testcase, "error");
            }
            if (problem != null) {
                counts.failed++;
                String kind = problem.getAttribute("type");
                failures.add(new Failure(name, kind.isEmpty() ? problem.getTagName() : kind,
                        problem.getAttribute("message")));
            } else if (child(testcase, "skipped") != null) {
                counts.skipped++;
            } else {
                counts.passed++;
            }
        }
    }

    /** JUnit Jupiter's annotations that make a method a test (by name: JUnit is not on this program's path). */
    static final Set<String> TEST_ANNOTATIONS = Set.of("org.junit.jupiter.api.Test",
            "org.junit.jupiter.params.ParameterizedTest", "org.junit.jupiter.api.RepeatedTest",
            "org.junit.jupiter.api.TestFactory", "org.junit.jupiter.api.TestTemplate");

    /**
     * The concrete top-level classes of a package on a class path that have a test method, their own or
     * inherited; a class that cannot be loaded is a problem.
     */
    static Set<String> testClasses(String pkg, String classpath, List<String> problems) throws IOException {
        List<URL> urls = new ArrayList<>();
        List<Path> roots = new ArrayList<>();
        for (String entry : classpath.split(":")) {
            if (!entry.isEmpty()) {
                urls.add(Path.of(entry).toUri().toURL());
                roots.add(Path.of(entry));
            }
        }
        Set<String> found = new TreeSet<>();
        String folder = pkg.replace('.', '/');
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), null)) {
            for (Path root : roots) {
                Path dir = root.resolve(folder);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().toList()) {
                        String n = f.getFileName().toString();
                        if (!n.endsWith(".class") || n.contains("$")) {
                            continue;
                        }
                        String name = pkg + "." + n.substring(0, n.length() - ".class".length());
                        try {
                            Class<?> c = Class.forName(name, false, loader);
                            if (!c.isInterface() && !Modifier.isAbstract(c.getModifiers()) && hasTests(c)) {
                                found.add(name);
                            }
                        } catch (ReflectiveOperationException | LinkageError e) {
                            problems.add("ERROR  [host] test class " + name + " cannot be loaded: " + e);
                        }
                    }
                }
            }
        }
        return found;
    }

    static boolean hasTests(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                for (Annotation a : m.getAnnotations()) {
                    if (TEST_ANNOTATIONS.contains(a.annotationType().getName())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    /** What went wrong with the guest run itself, or null when its status is consistent with the report. */
    static String guestStatus(int status, Counts counts, boolean noReport) {
        switch (status) {
            case 0:
                return noReport ? "the guest run ended with 0 but brought back no report" : null;
            case 1:
                return counts.failed > 0 ? null : "the JUnit console launcher exited with 1 without a failed test"
                        + " in the report: see stdout.log / stderr.log";
            case 2:
                return "no test found (JUnit console launcher exit 2)";
            case 124:
                return "TIMEOUT: the guest did not finish in time (124): see console.log";
            case 125:
                return "the guest did not boot or the harness failed (125): see console.log";
            default:
                return "the command in the guest failed with exit status " + status + ": see stderr.log";
        }
    }

    static String timing(Path dir) {
        try {
            String wall = null;
            String boot = null;
            String command = null;
            for (String line : Files.readAllLines(dir.resolve("timing"))) {
                if (line.startsWith("wall_seconds=")) {
                    wall = line.substring(line.indexOf('=') + 1);
                } else if (line.startsWith("guest_boot_to_command_seconds=")) {
                    boot = line.substring(line.indexOf('=') + 1);
                } else if (line.startsWith("command_seconds=")) {
                    command = line.substring(line.indexOf('=') + 1);
                }
            }
            return (wall == null ? "" : ", wall " + wall + " s") + (boot == null ? "" : ", boot " + boot + " s")
                    + (command == null ? "" : ", command " + command + " s");
        } catch (IOException e) {
            return "";
        }
    }

    static String indent(String message) {
        return message.strip().replace("\n", "\n      ");
    }
}
