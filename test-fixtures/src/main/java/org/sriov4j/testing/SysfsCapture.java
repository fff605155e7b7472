package org.sriov4j.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.sriov4j.Errno;
import org.sriov4j.SysfsIoException;
import org.sriov4j.spi.NioSysfsAccess;
import org.sriov4j.spi.SysfsAccess;

/**
 * Captures the PCI part of a sysfs tree into a directory that sriov4j's discovery reads exactly as it reads the
 * original: point {@link org.sriov4j.SriovConfig.Builder#sysfsRoot(Path)} at the directory and the
 * {@link org.sriov4j.Topology} is equal to the one of the source. The source is any {@link SysfsAccess}: the real
 * {@code /sys} ({@link NioSysfsAccess}), a {@link SimulatedKernel}, or an earlier capture.
 *
 * <p>What is written, for every device listed in {@code bus/pci/devices}:
 * <ul>
 *   <li>its real directory ({@code devices/pci0000:00/0000:00:01.0/0000:01:00.0}, parents included) and the
 *       {@code bus/pci/devices/BDF} symbolic link to it;</li>
 *   <li>the attributes that identify it and that sriov4j reads: {@code vendor}, {@code device}, {@code class},
 *       {@code subsystem_vendor}, {@code subsystem_device}, {@code revision}, {@code modalias}, {@code uevent},
 *       {@code driver_override}, {@code numa_node}, {@code local_cpulist}, {@code reset_method}, and every
 *       {@code sriov_*} attribute that can be read;</li>
 *   <li>every symbolic link of the device directory, with its target exactly as {@link SysfsAccess#readLink}
 *       returns it ({@code driver}, {@code iommu_group}, {@code physfn}, {@code virtfnN}, {@code subsystem}, and
 *       links that point outside the captured part, such as {@code firmware_node}, which then dangle);</li>
 *   <li>the netdevs under {@code net/} and the VFIO devices under {@code vfio-dev/} as directories, with their
 *       {@code device} and {@code subsystem} links and a few attributes ({@code address}, {@code ifindex},
 *       {@code operstate}, {@code dev}, ...);</li>
 *   <li>write-only controls ({@code reset}, {@code remove}, {@code rescan}, {@code sriov_vf_msix_count}) as empty
 *       files, listed as {@code PLACEHOLDER} in the manifest.</li>
 * </ul>
 * Besides the devices: {@code kernel/iommu_groups/N} (with {@code type}, {@code reserved_regions} and the
 * {@code devices/BDF} links), every {@code bus/pci/drivers/NAME} directory (device links, {@code module} link and
 * placeholders for {@code bind}, {@code unbind}, {@code new_id}, {@code remove_id}), {@code bus/pci}'s own
 * {@code drivers_autoprobe}, {@code drivers_probe} and {@code rescan}, and the {@code class/net} and
 * {@code class/vfio-dev} links that lead to a captured device. Nothing else is read: binary attributes such as
 * {@code config} or {@code resourceN} (reading an I/O BAR touches the device) are left out.
 *
 * <p>Attribute content is stored byte for byte (ISO-8859-1, as {@link NioSysfsAccess} reads it). An attribute
 * that cannot be read ({@code EACCES}, {@code EINVAL}, {@code EOPNOTSUPP}, a device removed meanwhile ...) is left
 * out and listed as {@code SKIPPED path reason}; only a failure to list {@code bus/pci/devices} itself, or to write
 * the output, ends the capture.
 *
 * <p>{@code MANIFEST.txt} at the top of the directory describes the capture in the format of the trees shipped with
 * sriov4j's tests: comment lines ({@code # captured ... by org.sriov4j.testing.SysfsCapture}, notes, counts), one
 * {@code DEVICE} line per PCI device, e.g.
 * <pre>{@code
 * DEVICE bdf=0000:01:00.0 id=8086:10c9 class=0x020000 driver=igb driver_override=(null) iommu_group=5 sriov_numvfs=2 sriov_totalvfs=7 sriov_drivers_autoprobe=1 sriov_vf_device=10ca virtfns=[0:0000:01:10.0,1:0000:01:10.2] net=eth0
 * DEVICE bdf=0000:01:10.0 id=8086:10ca class=0x020000 driver=igbvf driver_override=(null) iommu_group=6 physfn=0000:01:00.0 vf_index=0 net=eth1
 * }</pre>
 * then {@code DEVNODE} lines (the {@code /dev/vfio} nodes, only with {@link Builder#devRoot(Path)}),
 * {@code PLACEHOLDER path reason} and {@code SKIPPED path reason} lines.
 *
 * <p>Example, in a test:
 * <pre>{@code
 * SimulatedKernel kernel = SimulatedKernel.intel82576Host();
 * kernel.write("bus/pci/devices/0000:01:00.0/sriov_numvfs", "7");
 * SysfsCapture.capture(kernel, dir);                    // dir: a sysfs root with MANIFEST.txt
 * try (SriovHost host = SriovHost.open(SriovConfig.builder().sysfsRoot(dir).build())) { ... }
 * }</pre>
 * and on a real host (as root, so that every attribute can be read):
 * <pre>{@code
 * java -cp sriov4j-api.jar:sriov4j-spi.jar:sriov4j-test-fixtures.jar org.sriov4j.testing.SysfsCapture OUTDIR --note "7 VFs"
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; one capture reads the source once, without locking it, so a source
 * that changes meanwhile gives a tree that mixes both states.
 */
public final class SysfsCapture {

    /** The name written into the manifest as the capturing program. */
    static final String PROGRAM = "org.sriov4j.testing.SysfsCapture";
    /** The manifest's file name, at the top of the output directory. */
    public static final String MANIFEST = "MANIFEST.txt";

    private static final String DEVICES = "bus/pci/devices";
    /** A device's name as the kernel prints it: a domain above ffff has more digits and no leading zero. */
    private static final Pattern BDF =
            Pattern.compile("([0-9a-f]{4}|[1-9a-f][0-9a-f]{4,7}):[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
    private static final Pattern VIRTFN = Pattern.compile("virtfn(\\d{1,9})");
    /** Device attributes that are read and stored. */
    private static final Set<String> DEVICE_ATTRIBUTES = Set.of("vendor", "device", "class", "subsystem_vendor",
            "subsystem_device", "revision", "modalias", "uevent", "driver_override", "numa_node", "local_cpulist",
            "reset_method", "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device",
            "sriov_drivers_autoprobe", "sriov_vf_total_msix");
    /** Device entries that are (usually) write-only: stored empty. */
    private static final Set<String> DEVICE_CONTROLS = Set.of("reset", "remove", "rescan", "sriov_vf_msix_count");
    /** Directories of a device whose entries are objects of their own (a netdev, a VFIO cdev). */
    private static final Set<String> SUB_OBJECT_DIRS = Set.of("net", "vfio-dev");
    /** Attributes of those objects that are read and stored. */
    private static final Set<String> SUB_OBJECT_ATTRIBUTES = Set.of("address", "addr_assign_type", "ifindex",
            "operstate", "mtu", "type", "dev", "uevent");
    /** Links of those objects that are copied. */
    private static final Set<String> SUB_OBJECT_LINKS = Set.of("device", "subsystem");
    private static final Set<String> DRIVER_CONTROLS = Set.of("bind", "unbind", "new_id", "remove_id", "uevent");
    private static final Set<String> BUS_ATTRIBUTES = Set.of("drivers_autoprobe");
    private static final Set<String> BUS_CONTROLS = Set.of("drivers_probe", "rescan");
    private static final Set<String> GROUP_ATTRIBUTES = Set.of("type", "reserved_regions");
    private static final List<String> CLASSES = List.of("net", "vfio-dev");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final List<String> notes;
    private final @Nullable Path devRoot;
    private final String host;
    private final String kernel;
    private final Clock clock;

    private SysfsCapture(Builder b) {
        this.notes = List.copyOf(b.notes);
        this.devRoot = b.devRoot;
        this.host = b.host;
        this.kernel = b.kernel;
        this.clock = b.clock;
    }

    /**
     * A builder for a capture with notes, {@code /dev/vfio} nodes or a fixed clock.
     *
     * @return a new builder: no notes, no device nodes, host and kernel {@code unknown}, the system clock
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Captures {@code sysfs} into {@code dir} with the defaults of {@link #builder()}.
     *
     * @param sysfs the source
     * @param dir the output directory; created if absent, and must be empty if present
     * @return what was written
     * @throws IllegalArgumentException if {@code dir} exists and is not an empty directory
     * @throws UncheckedIOException if writing fails
     * @throws SysfsIoException if {@code bus/pci/devices} cannot be listed
     */
    public static Result capture(SysfsAccess sysfs, Path dir) {
        return builder().build().writeTo(sysfs, dir);
    }

    /**
     * Captures {@code sysfs} into {@code dir}.
     *
     * @param sysfs the source
     * @param dir the output directory, which becomes a sysfs root; created if absent, and must be empty if present
     * @return what was written
     * @throws IllegalArgumentException if {@code dir} exists and is not an empty directory
     * @throws UncheckedIOException if writing fails (the directory is then left as far as it got)
     * @throws SysfsIoException if {@code bus/pci/devices} cannot be listed
     */
    public Result writeTo(SysfsAccess sysfs, Path dir) {
        Objects.requireNonNull(sysfs, "sysfs");
        Objects.requireNonNull(dir, "dir");
        try {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalArgumentException("not a directory: " + dir);
                }
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    if (ds.iterator().hasNext()) {
                        throw new IllegalArgumentException("not empty: " + dir
                                + " (a capture needs a fresh directory)");
                    }
                }
            } else {
                Files.createDirectories(dir);
            }
            return new Run(sysfs, dir).run();
        } catch (IOException e) {
            throw new UncheckedIOException("capture into " + dir + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Captures the real {@code /sys} (or another root) into a directory and prints the {@code DEVICE} lines.
     *
     * <pre>
     * java -cp ... org.sriov4j.testing.SysfsCapture OUTDIR [--note TEXT]... [--sysfs-root DIR] [--dev-root DIR]
     * </pre>
     * {@code --sysfs-root} defaults to {@code /sys}; {@code --dev-root} (the {@code /dev} whose {@code vfio} nodes
     * are listed as {@code DEVNODE}) defaults to {@code /dev} when the sysfs root is {@code /sys}, and to none
     * otherwise. The manifest names this host ({@code /proc/sys/kernel/hostname}) and kernel ({@code os.version}),
     * and adds the loaded modules ({@code /proc/modules}) and the kernel command line as notes when capturing
     * {@code /sys}. Exit status: 0 done, 1 the capture failed, 2 bad usage.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** {@link #main(String[])} without {@code System.exit}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path outDir = null;
        Path sysfsRoot = Path.of("/sys");
        Path devRoot = null;
        boolean devRootGiven = false;
        Builder b = builder();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--note" -> b.note(value(args, ++i, a));
                    case "--sysfs-root" -> sysfsRoot = Path.of(value(args, ++i, a));
                    case "--dev-root" -> {
                        devRoot = Path.of(value(args, ++i, a));
                        devRootGiven = true;
                    }
                    case "-h", "--help" -> {
                        out.println(usage());
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("-") || outDir != null) {
                            throw new IllegalArgumentException("unexpected argument \"" + a + "\"");
                        }
                        outDir = Path.of(a);
                    }
                }
            }
            if (outDir == null) {
                throw new IllegalArgumentException("no output directory given");
            }
        } catch (IllegalArgumentException e) {
            err.println("SysfsCapture: " + e.getMessage());
            err.println(usage());
            return 2;
        }
        boolean realSys = sysfsRoot.normalize().toString().equals("/sys");
        if (!devRootGiven && realSys) {
            devRoot = Path.of("/dev");
        }
        b.host(firstLine(Path.of("/proc/sys/kernel/hostname"), "unknown"))
                .kernel(System.getProperty("os.version", "unknown"));
        if (realSys) {
            List<String> modules = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/modules"), StandardCharsets.ISO_8859_1)) {
                    modules.add(line.split(" ", 2)[0]);
                }
                b.note("modules: " + String.join(" ", modules));
            } catch (IOException e) {
                // not Linux, or no procfs: no note
            }
            String cmdline = firstLine(Path.of("/proc/cmdline"), "");
            if (!cmdline.isEmpty()) {
                b.note("cmdline: " + cmdline);
            }
        }
        if (devRoot != null) {
            b.devRoot(devRoot);
        }
        try {
            Result r = b.build().writeTo(new NioSysfsAccess(sysfsRoot), outDir);
            for (String line : r.deviceLines()) {
                out.println(line);
            }
            out.println("captured " + r.devices() + " PCI devices (" + r.virtualFunctions() + " VFs) from "
                    + sysfsRoot + " into " + outDir + ": " + r.directories() + " dirs, " + r.files() + " files, "
                    + r.symlinks() + " symlinks, " + r.placeholders().size() + " placeholders, "
                    + r.skipped().size() + " skipped");
            return 0;
        } catch (RuntimeException e) {
            err.println("SysfsCapture: " + e.getMessage());
            return 1;
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static String usage() {
        return "usage: java -cp ... " + PROGRAM
                + " OUTDIR [--note TEXT]... [--sysfs-root DIR (default /sys)] [--dev-root DIR (default /dev)]";
    }

    private static String firstLine(Path p, String fallback) {
        try {
            List<String> lines = Files.readAllLines(p, StandardCharsets.ISO_8859_1);
            return lines.isEmpty() ? fallback : lines.get(0).strip();
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    /**
     * What a capture wrote.
     *
     * @param root the output directory (a sysfs root)
     * @param devices the number of PCI devices captured
     * @param virtualFunctions how many of them are VFs (have a {@code physfn} link)
     * @param directories directories created
     * @param files regular files written (placeholders included, the manifest not)
     * @param symlinks symbolic links written
     * @param deviceLines the manifest's {@code DEVICE} lines, in order
     * @param placeholders the manifest's {@code PLACEHOLDER} lines (empty files standing for write-only entries)
     * @param skipped the manifest's {@code SKIPPED} lines (entries left out, with the reason)
     */
    public record Result(Path root, int devices, int virtualFunctions, int directories, int files, int symlinks,
            List<String> deviceLines, List<String> placeholders, List<String> skipped) {
        /**
         * Copies the lists.
         *
         * @param root the output directory (a sysfs root)
         * @param devices the number of PCI devices captured
         * @param virtualFunctions how many of them are VFs (have a {@code physfn} link)
         * @param directories directories created
         * @param files regular files written (placeholders included, the manifest not)
         * @param symlinks symbolic links written
         * @param deviceLines the manifest's {@code DEVICE} lines, in order
         * @param placeholders the manifest's {@code PLACEHOLDER} lines
         * @param skipped the manifest's {@code SKIPPED} lines
         */
        public Result {
            Objects.requireNonNull(root, "root");
            deviceLines = List.copyOf(deviceLines);
            placeholders = List.copyOf(placeholders);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Builds a {@link SysfsCapture}.
     */
    public static final class Builder {
        private final List<String> notes = new ArrayList<>();
        private @Nullable Path devRoot;
        private String host = "unknown";
        private String kernel = "unknown";
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Adds a {@code # note:} line to the manifest, e.g. the steps that produced the state. Each line of
         * {@code text} becomes a note of its own.
         *
         * @param text the note
         * @return this builder
         */
        public Builder note(String text) {
            for (String line : Objects.requireNonNull(text, "text").split("\n", -1)) {
                notes.add(line);
            }
            return this;
        }

        /**
         * Lists the {@code vfio} nodes of this {@code /dev} as {@code DEVNODE} lines ({@code DEVNODE /dev/vfio/9 c
         * 245:0 mode=0600}, or {@code DEVNODE /dev/vfio absent}). Default: none, no {@code DEVNODE} lines.
         *
         * @param dev the directory standing for {@code /dev}
         * @return this builder
         */
        public Builder devRoot(Path dev) {
            this.devRoot = Objects.requireNonNull(dev, "dev");
            return this;
        }

        /**
         * The host named in the manifest's {@code # captured} line. Default {@code unknown}.
         *
         * @param name the host name
         * @return this builder
         */
        public Builder host(String name) {
            this.host = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The kernel named in the manifest's {@code # captured} line, e.g. {@code 6.12.117+deb12-amd64}. Default
         * {@code unknown}.
         *
         * @param release the kernel release
         * @return this builder
         */
        public Builder kernel(String release) {
            this.kernel = Objects.requireNonNull(release, "release");
            return this;
        }

        /**
         * The clock for the manifest's time stamp. Default: the system clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the capture.
         *
         * @return an immutable capture, reusable for any number of sources
         */
        public SysfsCapture build() {
            return new SysfsCapture(this);
        }
    }

    // ------------------------------------------------------------------ one capture

    /** The state of one capture. */
    private final class Run {
        private final SysfsAccess sysfs;
        private final Path out;
        private int dirs;
        private int files;
        private int links;
        private final List<String> placeholders = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        /** Canonical device directory (devices/...) by BDF, in bus/pci/devices order. */
        private final Map<String, String> deviceDirs = new LinkedHashMap<>();
        /** Raw attribute content per BDF. */
        private final Map<String, Map<String, String>> attributes = new LinkedHashMap<>();
        /** Link targets per BDF and link name. */
        private final Map<String, Map<String, String>> deviceLinks = new LinkedHashMap<>();
        private final Map<String, List<String>> netdevs = new LinkedHashMap<>();

        Run(SysfsAccess sysfs, Path out) {
            this.sysfs = sysfs;
            this.out = out;
        }

        Result run() throws IOException {
            List<String> bdfs = sysfs.list(DEVICES);
            mkdirs(DEVICES);
            for (String bdf : bdfs) {
                String entry = DEVICES + "/" + bdf;
                String target = readLinkOrSkip(entry);
                if (target == null) {
                    continue;
                }
                String canonical = resolve(DEVICES, target);
                if (canonical == null || !canonical.startsWith("devices/")) {
                    skip(entry, "link to " + target + " does not lead into devices/");
                    continue;
                }
                symlink(entry, target);
                deviceDirs.put(bdf, canonical);
            }
            for (Map.Entry<String, String> e : deviceDirs.entrySet()) {
                device(e.getKey(), e.getValue());
            }
            bus();
            drivers();
            iommuGroups();
            classes();
            List<String> deviceLines = new ArrayList<>();
            int vfs = 0;
            for (String bdf : deviceDirs.keySet()) {
                deviceLines.add(deviceLine(bdf));
                if (Objects.requireNonNull(deviceLinks.get(bdf), bdf).containsKey("physfn")) {
                    vfs++;
                }
            }
            List<String> devNodes = devRoot == null ? List.of() : devNodes(devRoot);
            writeManifest(deviceLines, devNodes, vfs);
            return new Result(out, deviceDirs.size(), vfs, dirs, files, links, deviceLines, placeholders, skipped);
        }

        // -------------------------------------------------------------- parts of the tree

        private void device(String bdf, String dir) throws IOException {
            Map<String, String> attrs = new TreeMap<>();
            Map<String, String> linkTargets = new TreeMap<>();
            List<String> nets = new ArrayList<>();
            attributes.put(bdf, attrs);
            deviceLinks.put(bdf, linkTargets);
            netdevs.put(bdf, nets);
            mkdirs(dir);
            List<String> entries = listOrSkip(dir);
            if (entries == null) {
                return;
            }
            for (String name : entries) {
                String path = dir + "/" + name;
                if (DEVICE_ATTRIBUTES.contains(name)) {
                    String value = attribute(path);
                    if (value != null) {
                        attrs.put(name, value);
                    }
                } else if (DEVICE_CONTROLS.contains(name)) {
                    control(path);
                } else if (BDF.matcher(name).matches()) {
                    continue; // a device of its own (behind a bridge): captured from its bus/pci/devices entry
                } else if (SUB_OBJECT_DIRS.contains(name)) {
                    List<String> objects = subObjects(path);
                    if (name.equals("net")) {
                        nets.addAll(objects);
                    }
                } else {
                    String target = linkOrNull(path);
                    if (target != null) {
                        symlink(path, target);
                        linkTargets.put(name, target);
                    }
                }
            }
        }

        /** net/ or vfio-dev/: a directory per object, with a few attributes and links. */
        private List<String> subObjects(String dir) throws IOException {
            List<String> names = listOrSkip(dir);
            if (names == null) {
                return List.of();
            }
            mkdirs(dir);
            for (String name : names) {
                String path = dir + "/" + name;
                String target = linkOrNull(path);
                if (target != null) {
                    symlink(path, target);
                    continue;
                }
                mkdirs(path);
                List<String> entries = listOrSkip(path);
                if (entries == null) {
                    continue;
                }
                for (String e : entries) {
                    String p = path + "/" + e;
                    if (SUB_OBJECT_ATTRIBUTES.contains(e)) {
                        attribute(p);
                    } else if (SUB_OBJECT_LINKS.contains(e)) {
                        String t = linkOrNull(p);
                        if (t != null) {
                            symlink(p, t);
                        }
                    }
                }
            }
            return names;
        }

        private void bus() throws IOException {
            String dir = "bus/pci";
            for (String name : listOrSkip(dir, List.of())) {
                if (BUS_ATTRIBUTES.contains(name)) {
                    attribute(dir + "/" + name);
                } else if (BUS_CONTROLS.contains(name)) {
                    control(dir + "/" + name);
                }
            }
        }

        private void drivers() throws IOException {
            String dir = "bus/pci/drivers";
            if (!sysfs.exists(dir)) {
                return;
            }
            for (String driver : listOrSkip(dir, List.of())) {
                String d = dir + "/" + driver;
                mkdirs(d);
                for (String name : listOrSkip(d, List.of())) {
                    String path = d + "/" + name;
                    if (DRIVER_CONTROLS.contains(name)) {
                        control(path);
                    } else {
                        String target = linkOrNull(path);
                        if (target != null) {
                            symlink(path, target);
                        }
                    }
                }
            }
        }

        private void iommuGroups() throws IOException {
            String dir = "kernel/iommu_groups";
            if (!sysfs.exists(dir)) {
                return;
            }
            mkdirs(dir);
            for (String group : listOrSkip(dir, List.of())) {
                String g = dir + "/" + group;
                mkdirs(g);
                for (String name : listOrSkip(g, List.of())) {
                    if (GROUP_ATTRIBUTES.contains(name)) {
                        attribute(g + "/" + name);
                    } else if (name.equals("devices")) {
                        mkdirs(g + "/devices");
                        for (String member : listOrSkip(g + "/devices", List.of())) {
                            String path = g + "/devices/" + member;
                            String target = linkOrNull(path);
                            if (target != null) {
                                symlink(path, target);
                            }
                        }
                    }
                }
            }
        }

        /** class/net and class/vfio-dev links that lead into a captured device. */
        private void classes() throws IOException {
            for (String cls : CLASSES) {
                String dir = "class/" + cls;
                if (!sysfs.exists(dir)) {
                    continue;
                }
                for (String name : listOrSkip(dir, List.of())) {
                    String path = dir + "/" + name;
                    String target = linkOrNull(path);
                    if (target == null) {
                        continue;
                    }
                    String canonical = resolve(dir, target);
                    boolean captured = canonical != null && deviceDirs.values().stream()
                            .anyMatch(d -> canonical.startsWith(d + "/"));
                    if (captured) {
                        mkdirs(dir);
                        symlink(path, target);
                    } else {
                        skip(path, "link to " + target + " (not a captured PCI device)");
                    }
                }
            }
        }

        // -------------------------------------------------------------- manifest

        private String deviceLine(String bdf) {
            Map<String, String> a = Objects.requireNonNull(attributes.get(bdf), bdf);
            Map<String, String> l = Objects.requireNonNull(deviceLinks.get(bdf), bdf);
            StringBuilder s = new StringBuilder("DEVICE bdf=").append(bdf);
            s.append(" id=").append(stripHex(a.get("vendor"))).append(':').append(stripHex(a.get("device")));
            s.append(" class=").append(value(a.get("class")));
            s.append(" driver=").append(lastComponent(l.get("driver")));
            s.append(" driver_override=").append(value(a.get("driver_override")));
            s.append(" iommu_group=").append(lastComponent(l.get("iommu_group")));
            if (a.containsKey("sriov_totalvfs")) {
                s.append(" sriov_numvfs=").append(value(a.get("sriov_numvfs")));
                s.append(" sriov_totalvfs=").append(value(a.get("sriov_totalvfs")));
                s.append(" sriov_drivers_autoprobe=").append(value(a.get("sriov_drivers_autoprobe")));
                s.append(" sriov_vf_device=").append(value(a.get("sriov_vf_device")));
                List<String> virtfns = new ArrayList<>();
                virtfns(bdf).forEach((i, vf) -> virtfns.add(i + ":" + vf));
                s.append(" virtfns=[").append(String.join(",", virtfns)).append(']');
            }
            if (l.containsKey("physfn")) {
                String pf = lastComponent(l.get("physfn"));
                String index = "-";
                if (deviceLinks.containsKey(pf)) {
                    for (Map.Entry<Integer, String> e : virtfns(pf).entrySet()) {
                        if (e.getValue().equals(bdf)) {
                            index = String.valueOf(e.getKey());
                        }
                    }
                }
                s.append(" physfn=").append(pf).append(" vf_index=").append(index);
            }
            List<String> net = Objects.requireNonNull(netdevs.get(bdf), bdf);
            if (!net.isEmpty()) {
                s.append(" net=").append(String.join(",", net));
            }
            return s.toString();
        }

        /** A PF's virtfnN links: index to BDF, by index. */
        private Map<Integer, String> virtfns(String pf) {
            Map<Integer, String> byIndex = new TreeMap<>();
            Objects.requireNonNull(deviceLinks.get(pf), pf).forEach((name, target) -> {
                var m = VIRTFN.matcher(name);
                if (m.matches()) {
                    byIndex.put(Integer.parseInt(m.group(1)), lastComponent(target));
                }
            });
            return byIndex;
        }

        private List<String> devNodes(Path dev) {
            Path vfio = dev.resolve("vfio");
            if (!Files.isDirectory(vfio)) {
                return List.of("DEVNODE /dev/vfio absent");
            }
            List<String> lines = new ArrayList<>();
            TreeSet<String> names = new TreeSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(vfio)) {
                for (Path p : ds) {
                    names.add(p.getFileName().toString());
                }
            } catch (IOException e) {
                return List.of("DEVNODE /dev/vfio unreadable: " + e.getMessage());
            }
            for (String name : names) {
                Path p = vfio.resolve(name);
                String line = "DEVNODE /dev/vfio/" + name;
                try {
                    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                    long rdev = ((Number) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue();
                    String kind = switch (mode & 0170000) {
                        case 0020000 -> "c";
                        case 0060000 -> "b";
                        case 0040000 -> "d";
                        case 0120000 -> "l";
                        default -> "f";
                    };
                    // Linux's new_encode_dev / MAJOR / MINOR
                    long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
                    long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
                    line += " " + kind + (kind.equals("c") || kind.equals("b") ? " " + major + ":" + minor : "")
                            + " mode=" + String.format("%04o", mode & 07777);
                } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                    line += " (stat failed: " + e.getMessage() + ")";
                }
                lines.add(line);
            }
            return lines;
        }

        private void writeManifest(List<String> deviceLines, List<String> devNodes, int vfs) throws IOException {
            List<String> lines = new ArrayList<>();
            lines.add("# sysfs snapshot " + (out.getFileName() == null ? out : out.getFileName()));
            lines.add("# this folder is a sysfs root: <this folder>/X corresponds to /sys/X");
            lines.add("# captured " + TIME.format(clock.instant()) + " on " + host + ", kernel " + kernel + ", by "
                    + PROGRAM + " from " + sysfs.describe(""));
            for (String note : notes) {
                lines.add("# note: " + note);
            }
            lines.add("# content: per PCI device its directory, every symlink, the attributes "
                    + String.join(" ", new TreeSet<>(DEVICE_ATTRIBUTES)) + ", net/ and vfio-dev/ objects; "
                    + "kernel/iommu_groups, bus/pci/drivers, class/net, class/vfio-dev; nothing else");
            lines.add("# counts: " + deviceDirs.size() + " PCI devices (" + vfs + " VFs), " + dirs + " dirs, " + files
                    + " files, " + links + " symlinks, " + placeholders.size() + " placeholders");
            lines.add("# line kinds: DEVICE (one per PCI device), DEVNODE (/dev/vfio), PLACEHOLDER <path> <reason> "
                    + "(empty file, content not captured), SKIPPED <path> <reason>");
            lines.addAll(deviceLines);
            lines.addAll(devNodes);
            for (String p : placeholders) {
                lines.add("PLACEHOLDER " + p);
            }
            for (String s : skipped) {
                lines.add("SKIPPED " + s);
            }
            Files.write(out.resolve(MANIFEST), lines, StandardCharsets.ISO_8859_1);
        }

        // -------------------------------------------------------------- reading

        /** Reads and stores an attribute; on failure lists it as skipped. */
        private @Nullable String attribute(String path) throws IOException {
            String value;
            try {
                value = sysfs.read(path);
            } catch (SysfsIoException e) {
                skip(path, "read error " + reason(e));
                return null;
            }
            file(path, value);
            return value;
        }

        /** A write-only control: stored empty (placeholder) when the read is refused, as is when it is readable. */
        private void control(String path) throws IOException {
            String value;
            try {
                value = sysfs.read(path);
            } catch (SysfsIoException e) {
                if (e.errno().orElse(null) == Errno.EACCES) {
                    file(path, "");
                    setMode(path, "-w-------");
                    placeholders.add(path + " write-only (read: " + reason(e) + ")");
                } else {
                    skip(path, "read error " + reason(e));
                }
                return;
            }
            file(path, value);
        }

        private @Nullable String linkOrNull(String path) {
            try {
                return sysfs.readLink(path);
            } catch (SysfsIoException e) {
                if (e.errno().orElse(null) != Errno.EINVAL) {
                    skip(path, "readlink error " + reason(e));
                }
                return null;
            }
        }

        private @Nullable String readLinkOrSkip(String path) {
            try {
                return sysfs.readLink(path);
            } catch (SysfsIoException e) {
                skip(path, "readlink error " + reason(e));
                return null;
            }
        }

        private @Nullable List<String> listOrSkip(String dir) {
            try {
                return sysfs.list(dir);
            } catch (SysfsIoException e) {
                skip(dir, "list error " + reason(e));
                return null;
            }
        }

        private List<String> listOrSkip(String dir, List<String> fallback) {
            List<String> names = listOrSkip(dir);
            return names == null ? fallback : names;
        }

        private void skip(String path, String reason) {
            skipped.add(path + " " + reason);
        }

        // -------------------------------------------------------------- writing

        private Path target(String path) {
            return out.resolve(path);
        }

        private void mkdirs(String path) throws IOException {
            Deque<Path> missing = new ArrayDeque<>();
            for (Path p = target(path); p != null && !p.equals(out) && !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
                    p = p.getParent()) {
                missing.push(p);
            }
            for (Path p : missing) {
                Files.createDirectory(p);
                dirs++;
            }
        }

        private void file(String path, String content) throws IOException {
            Path p = target(path);
            mkdirs(parent(path));
            Files.write(p, content.getBytes(StandardCharsets.ISO_8859_1));
            files++;
        }

        private void symlink(String path, String linkTarget) throws IOException {
            Path p = target(path);
            mkdirs(parent(path));
            Files.createSymbolicLink(p, p.getFileSystem().getPath(linkTarget));
            links++;
        }

        private void setMode(String path, String mode) throws IOException {
            Path p = target(path);
            if (Files.getFileAttributeView(p, PosixFileAttributeView.class) != null) {
                Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /**
     * Resolves a relative link target against the directory holding the link, without touching any file system.
     *
     * @return the path relative to the root, or null if it climbs above the root or is absolute
     */
    static @Nullable String resolve(String dir, String target) {
        if (target.startsWith("/")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String c : (dir + "/" + target).split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(c);
            }
        }
        return String.join("/", parts);
    }

    private static String reason(SysfsIoException e) {
        return e.errno().map(n -> n.name() + " (" + n.message() + ")").orElse("(" + e.getMessage() + ")");
    }

    private static String value(@Nullable String raw) {
        if (raw == null) {
            return "-";
        }
        String s = raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
        return s.isEmpty() ? "-" : s.replace(' ', '_').replace('\n', '_');
    }

    private static String stripHex(@Nullable String raw) {
        String s = value(raw);
        return s.startsWith("0x") ? s.substring(2) : s;
    }

    private static String lastComponent(@Nullable String target) {
        if (target == null) {
            return "-";
        }
        String t = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        return t.substring(t.lastIndexOf('/') + 1);
    }
}
