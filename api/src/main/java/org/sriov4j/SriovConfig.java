package org.sriov4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * How to open a {@link SriovHost}. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * SriovConfig config = SriovConfig.builder()
 *         .sysfsRoot(Path.of("/host/sys"))   // the host's /sys mounted into a container
 *         .build();
 * }</pre>
 *
 * <p>{@link #builder()} and {@link #defaults()} start from the documented defaults and nothing else. Nothing in
 * sriov4j reads a system property or an environment variable except {@link #fromEnvironment()}, which reads this
 * list (the property wins over the variable; a blank value counts as unset):
 *
 * <table>
 *   <caption>Settings read by {@link #fromEnvironment()}</caption>
 *   <tr><th>system property</th><th>environment variable</th><th>sets</th></tr>
 *   <tr><td>{@value #SYSFS_ROOT_PROPERTY}</td><td>{@value #SYSFS_ROOT_ENV}</td>
 *       <td>{@link Builder#sysfsRoot(Path)}</td></tr>
 *   <tr><td>{@value #DEV_ROOT_PROPERTY}</td><td>{@value #DEV_ROOT_ENV}</td>
 *       <td>{@link Builder#devRoot(Path)}</td></tr>
 *   <tr><td>{@value #STATE_DIR_PROPERTY}</td><td>{@value #STATE_DIR_ENV}</td>
 *       <td>{@link Builder#stateDir(Path)}</td></tr>
 *   <tr><td>{@value #PROC_ROOT_PROPERTY}</td><td>{@value #PROC_ROOT_ENV}</td>
 *       <td>{@link Builder#procRoot(Path)}</td></tr>
 *   <tr><td>{@value #BACKEND_PROPERTY}</td><td>{@value #BACKEND_ENV}</td>
 *       <td>{@link Builder#backend(String)}</td></tr>
 *   <tr><td>{@value #XEN_PERMISSIVE_PROPERTY}</td><td>{@value #XEN_PERMISSIVE_ENV}</td>
 *       <td>{@link Builder#xenPermissive()} when {@code true} ({@code false} leaves it off)</td></tr>
 * </table>
 *
 * @see #builder()
 */
public final class SriovConfig {

    /** System property that sets the sysfs root in {@link #fromEnvironment()}. */
    public static final String SYSFS_ROOT_PROPERTY = "sriov4j.sysfs.root";
    /** Environment variable that sets the sysfs root in {@link #fromEnvironment()} (the system property wins). */
    public static final String SYSFS_ROOT_ENV = "SRIOV4J_SYSFS_ROOT";
    /** System property that sets the device-node root in {@link #fromEnvironment()}. */
    public static final String DEV_ROOT_PROPERTY = "sriov4j.dev.root";
    /** Environment variable that sets the device-node root in {@link #fromEnvironment()} (the property wins). */
    public static final String DEV_ROOT_ENV = "SRIOV4J_DEV_ROOT";
    /** System property that sets the state directory in {@link #fromEnvironment()}. */
    public static final String STATE_DIR_PROPERTY = "sriov4j.state.dir";
    /** Environment variable that sets the state directory in {@link #fromEnvironment()} (the property wins). */
    public static final String STATE_DIR_ENV = "SRIOV4J_STATE_DIR";
    /** System property that sets the {@code /proc} root in {@link #fromEnvironment()}. */
    public static final String PROC_ROOT_PROPERTY = "sriov4j.proc.root";
    /** Environment variable that sets the {@code /proc} root in {@link #fromEnvironment()} (the property wins). */
    public static final String PROC_ROOT_ENV = "SRIOV4J_PROC_ROOT";
    /** Default of {@link #plugTimeLimit()}. */
    public static final Duration DEFAULT_PLUG_TIME_LIMIT = Duration.ofSeconds(60);
    /** System property that chooses the backend by id in {@link #fromEnvironment()}. */
    public static final String BACKEND_PROPERTY = "sriov4j.backend";
    /** Environment variable that chooses the backend by id in {@link #fromEnvironment()} (the property wins). */
    public static final String BACKEND_ENV = "SRIOV4J_BACKEND";
    /** System property that turns on Xen's permissive attachment in {@link #fromEnvironment()}. */
    public static final String XEN_PERMISSIVE_PROPERTY = "sriov4j.xen.permissive";
    /** Environment variable that turns on Xen's permissive attachment in {@link #fromEnvironment()}. */
    public static final String XEN_PERMISSIVE_ENV = "SRIOV4J_XEN_PERMISSIVE";

    private final Path sysfsRoot;
    private final Path devRoot;
    private final Path stateDir;
    private final boolean allowUnsafeNoIommu;
    private final boolean writableTree;
    private final boolean recoverOnOpen;
    private final @Nullable String backend;
    private final boolean xenPermissive;
    private final Path procRoot;
    private final Duration holderWait;
    private final List<GuestHook> hooks;
    private final boolean loadGuestHooks;
    private final @Nullable GuestPlugActuator plugActuator;
    private final Duration plugTimeLimit;

    private SriovConfig(Builder b) {
        this.recoverOnOpen = b.recoverOnOpen;
        this.procRoot = b.procRoot;
        this.holderWait = b.holderWait;
        this.hooks = List.copyOf(b.hooks);
        this.loadGuestHooks = b.loadGuestHooks;
        this.plugActuator = b.plugActuator;
        this.plugTimeLimit = b.plugTimeLimit;
        this.sysfsRoot = b.sysfsRoot;
        this.devRoot = b.devRoot;
        this.stateDir = b.stateDir;
        this.allowUnsafeNoIommu = b.allowUnsafeNoIommu;
        this.writableTree = b.writableTree;
        this.backend = b.backend;
        this.xenPermissive = b.xenPermissive;
    }

    /**
     * The configuration with every default ({@code /sys}, {@code /dev}, {@code /run/sriov4j}, the automatic backend
     * choice, nothing unsafe): see {@link Builder}. Reads no system property or environment variable.
     *
     * @return the default configuration
     */
    public static SriovConfig defaults() {
        return builder().build();
    }

    /**
     * A builder with every default set; reads no system property or environment variable.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults, changed by the system properties and environment variables in the list of the class
     * description: for command lines and services configured from outside (the {@code sriov4j} command uses it,
     * then applies its options). A blank value counts as unset.
     *
     * @return the configuration
     * @throws IllegalArgumentException if a value is not valid (the message names the property or variable)
     */
    public static SriovConfig fromEnvironment() {
        return fromEnvironment(System.getProperties(), System.getenv());
    }

    /** {@link #fromEnvironment()} on the given properties and variables. */
    static SriovConfig fromEnvironment(Properties properties, Map<String, String> env) {
        Builder b = builder();
        setting(properties, env, SYSFS_ROOT_PROPERTY, SYSFS_ROOT_ENV).ifPresent(v -> b.sysfsRoot(path(v)));
        setting(properties, env, DEV_ROOT_PROPERTY, DEV_ROOT_ENV).ifPresent(v -> b.devRoot(path(v)));
        setting(properties, env, STATE_DIR_PROPERTY, STATE_DIR_ENV).ifPresent(v -> {
            try {
                b.stateDir(path(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(v.name() + ": " + e.getMessage(), e);
            }
        });
        setting(properties, env, PROC_ROOT_PROPERTY, PROC_ROOT_ENV).ifPresent(v -> b.procRoot(path(v)));
        setting(properties, env, BACKEND_PROPERTY, BACKEND_ENV).ifPresent(v -> {
            try {
                b.backend(v.value());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(v.name() + ": " + e.getMessage(), e);
            }
        });
        setting(properties, env, XEN_PERMISSIVE_PROPERTY, XEN_PERMISSIVE_ENV).ifPresent(v -> {
            switch (v.value()) {
                case "true" -> b.xenPermissive();
                case "false" -> { }
                default -> throw new IllegalArgumentException(v.name() + ": expected true or false, not \""
                        + v.value() + "\"");
            }
        });
        return b.build();
    }

    /** A value read from a system property or an environment variable, with its name for messages. */
    private record Setting(String name, String value) {
    }

    private static java.util.Optional<Setting> setting(Properties properties, Map<String, String> env,
            String property, String variable) {
        @Nullable String v = properties.getProperty(property);
        if (v != null && !v.isBlank()) {
            return java.util.Optional.of(new Setting("system property " + property, v));
        }
        v = env.get(variable);
        if (v != null && !v.isBlank()) {
            return java.util.Optional.of(new Setting("environment variable " + variable, v));
        }
        return java.util.Optional.empty();
    }

    private static Path path(Setting s) {
        try {
            return Path.of(s.value());
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(s.name() + ": not a path: " + e.getMessage(), e);
        }
    }

    /**
     * The directory that stands for {@code /sys}.
     *
     * @return the sysfs root
     */
    public Path sysfsRoot() {
        return sysfsRoot;
    }

    /**
     * The directory that stands for {@code /dev}.
     *
     * @return the device-node root
     */
    public Path devRoot() {
        return devRoot;
    }

    /**
     * The directory where sriov4j keeps its ledger and lock files, shared by every process on the host that uses
     * sriov4j: what each process changed and must undo, and which process holds which function. Always an absolute
     * path (two processes must not find two directories for one name).
     *
     * <p>What the engine requires of it (and refuses with an {@link SriovException} naming the path otherwise): the
     * directory and its {@code ledger/} and {@code locks/} subdirectories are real directories, not symbolic links,
     * owned by the user the process runs as, and not writable by group or others (they are created with mode 0700);
     * nothing inside is followed if it is a symbolic link. Another user's directory would let that user forge the
     * records that {@link SriovHost#recover()} acts on as root.
     *
     * @return the state directory, absolute
     */
    public Path stateDir() {
        return stateDir;
    }

    /**
     * Whether functions may be handed to guests on a host without an IOMMU. Such a guest can read and write all
     * of the host's memory through the device's DMA.
     *
     * @return true only if {@link Builder#allowUnsafeAssignmentWithoutIommu()} was called
     */
    public boolean allowUnsafeAssignmentWithoutIommu() {
        return allowUnsafeNoIommu;
    }

    /**
     * Whether sriov4j may change a sysfs root that is not a sysfs mount (a captured or copied tree). A real sysfs,
     * including a container's bind mount of the host's {@code /sys}, is writable either way; any other tree is
     * read-only unless this is set, and a write to it fails with {@link Errno#EROFS}.
     *
     * @return true only if {@link Builder#writableTree()} was called
     */
    public boolean writableTree() {
        return writableTree;
    }

    /**
     * Whether {@link SriovHost#open(SriovConfig)} runs {@link SriovHost#recover()} before it returns. Off by default:
     * opening a host then writes nothing, needs no access to the state directory, and an explicit {@code recover()}
     * reports what it did. When on, a report that is not {@linkplain RecoveryReport#clean() clean} is logged
     * (logger {@code org.sriov4j.spi.internal.EngineHost}, {@code WARNING}), and an unsafe state directory makes
     * {@code open} fail. Live leases (a live taker, a process-tied lease whose process runs, durable leases) are never
     * touched.
     *
     * @return true only if {@link Builder#recoverOnOpen(boolean)} set it
     */
    public boolean recoverOnOpen() {
        return recoverOnOpen;
    }

    /**
     * The hypervisor backend asked for by id ({@code kvm-vfio}, {@code xen-pciback}); when empty, the available
     * backend of highest priority is used.
     *
     * @return the backend id, or empty for the automatic choice
     */
    public java.util.Optional<String> backend() {
        return java.util.Optional.ofNullable(backend);
    }

    /**
     * Whether the Xen backend attaches functions to guests in pciback's permissive mode ({@code xl pci-attach}
     * with {@code permissive=1}), where the guest may write any of its device's PCI configuration space. The
     * kvm-vfio backend does not use it (VFIO virtualises configuration space).
     *
     * @return true only if {@link Builder#xenPermissive()} was called
     */
    public boolean xenPermissive() {
        return xenPermissive;
    }

    /**
     * The directory that stands for {@code /proc}: where sriov4j looks for the processes that hold a VFIO device
     * open before it unbinds a function from vfio-pci (see {@link DeviceInUseException}).
     *
     * @return the proc root
     */
    public Path procRoot() {
        return procRoot;
    }

    /**
     * How long an unbind from vfio-pci waits for the processes holding the function's VFIO device to close it
     * before it is refused with {@link DeviceInUseException}.
     *
     * @return the wait; {@link Duration#ZERO} (the default) refuses at once
     */
    public Duration holderWait() {
        return holderWait;
    }

    /**
     * The {@link GuestHook}s registered with {@link Builder#hook(GuestHook)}, in registration order (the engine adds
     * those found through {@link java.util.ServiceLoader} and sorts them all by {@link GuestHook#order()}).
     *
     * @return the hooks
     */
    public List<GuestHook> hooks() {
        return hooks;
    }

    /**
     * Whether the engine adds the {@link GuestHook}s found through {@link java.util.ServiceLoader}.
     *
     * @return true unless {@link Builder#loadGuestHooks(boolean)} turned it off
     */
    public boolean loadGuestHooks() {
        return loadGuestHooks;
    }

    /**
     * How the VMM plugs functions into its guests and unplugs them, for backends that do not (kvm-vfio).
     *
     * @return the actuator, or empty if none was given
     */
    public Optional<GuestPlugActuator> plugActuator() {
        return Optional.ofNullable(plugActuator);
    }

    /**
     * How long a {@link GuestPlugActuator} call may take before it counts as failed.
     *
     * @return the limit; default {@link #DEFAULT_PLUG_TIME_LIMIT}
     */
    public Duration plugTimeLimit() {
        return plugTimeLimit;
    }

    /**
     * A builder initialised from this configuration.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = builder();
        b.sysfsRoot = sysfsRoot;
        b.devRoot = devRoot;
        b.stateDir = stateDir;
        b.allowUnsafeNoIommu = allowUnsafeNoIommu;
        b.writableTree = writableTree;
        b.recoverOnOpen = recoverOnOpen;
        b.backend = backend;
        b.xenPermissive = xenPermissive;
        b.procRoot = procRoot;
        b.holderWait = holderWait;
        b.hooks.addAll(hooks);
        b.loadGuestHooks = loadGuestHooks;
        b.plugActuator = plugActuator;
        b.plugTimeLimit = plugTimeLimit;
        return b;
    }

    @Override
    public String toString() {
        return "SriovConfig[sysfsRoot=" + sysfsRoot + ", devRoot=" + devRoot + ", stateDir=" + stateDir
                + ", procRoot=" + procRoot + (holderWait.isZero() ? "" : ", holderWait=" + holderWait)
                + (hooks.isEmpty() ? "" : ", hooks=" + hooks.stream().map(GuestHook::name).toList())
                + (plugActuator != null ? ", plugActuator" : "")
                + (backend != null ? ", backend=" + backend : "") + (writableTree ? ", writableTree" : "")
                + (xenPermissive ? ", Xen permissive attachment" : "") + (recoverOnOpen ? ", recoverOnOpen" : "")
                + (allowUnsafeNoIommu ? ", UNSAFE: assignment without IOMMU allowed" : "") + "]";
    }

    /** Builds a {@link SriovConfig}. Not thread-safe. */
    public static final class Builder {
        private Path sysfsRoot;
        private Path devRoot;
        private Path stateDir;
        private boolean allowUnsafeNoIommu;
        private boolean writableTree;
        private boolean recoverOnOpen;
        private @Nullable String backend;
        private boolean xenPermissive;
        private Path procRoot = Path.of("/proc");
        private Duration holderWait = Duration.ZERO;
        private final List<GuestHook> hooks = new ArrayList<>();
        private boolean loadGuestHooks = true;
        private @Nullable GuestPlugActuator plugActuator;
        private Duration plugTimeLimit = DEFAULT_PLUG_TIME_LIMIT;

        private Builder() {
            this.sysfsRoot = Path.of("/sys");
            this.devRoot = Path.of("/dev");
            this.stateDir = Path.of("/run/sriov4j");
        }

        /**
         * Sets the directory that stands for {@code /sys}. Default: {@code /sys}. Use it when the host's sysfs is mounted elsewhere (containers) or to read a captured
         * tree.
         *
         * @param root the directory
         * @return this builder
         * @throws NullPointerException if {@code root} is null
         */
        public Builder sysfsRoot(Path root) {
            this.sysfsRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * Sets the directory that stands for {@code /dev}. Default: {@code /dev}.
         *
         * @param root the directory
         * @return this builder
         * @throws NullPointerException if {@code root} is null
         */
        public Builder devRoot(Path root) {
            this.devRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * Sets the state directory (ledger and lock files). Default: {@code /run/sriov4j}. Every process that manages
         * the same host must use the same directory, so it must be absolute: a relative path would name a different
         * directory from each working directory, and two processes could then lease the same function. See
         * {@link SriovConfig#stateDir()} for what it must look like.
         *
         * @param dir the directory, absolute; created (mode 0700) when first needed
         * @return this builder
         * @throws NullPointerException if {@code dir} is null
         * @throws IllegalArgumentException if {@code dir} is not absolute (an empty path included)
         */
        public Builder stateDir(Path dir) {
            this.stateDir = checkStateDir(Objects.requireNonNull(dir, "dir"));
            return this;
        }

        private static Path checkStateDir(Path dir) {
            if (!dir.isAbsolute()) {
                throw new IllegalArgumentException("the state directory must be an absolute path, not \"" + dir
                        + "\": every process that manages the host must find the same directory");
            }
            return dir.normalize();
        }

        /**
         * Runs {@link SriovHost#recover()} when the host is opened (see {@link SriovConfig#recoverOnOpen()}). Default:
         * off.
         *
         * @param recover whether to recover on open
         * @return this builder
         */
        public Builder recoverOnOpen(boolean recover) {
            this.recoverOnOpen = recover;
            return this;
        }

        /**
         * <b>Unsafe.</b> Allows handing functions to guests on a host without an IOMMU (no {@code iommu_group}
         * link), where a guest can read and write all of the host's memory through the device. Off by default;
         * every such assignment is logged as a warning.
         *
         * @return this builder
         */
        public Builder allowUnsafeAssignmentWithoutIommu() {
            this.allowUnsafeNoIommu = true;
            return this;
        }

        /**
         * Lets sriov4j change a sysfs root that is not a sysfs mount, e.g. a captured tree a test detaches functions
         * in. Off by default: such a tree is read-only (discovery works, every write fails with {@link Errno#EROFS}),
         * so that a tree captured for reading is never changed by mistake. The kernel's sysfs, a container's bind
         * mount of it included, is writable either way. Writes to such a tree replace a file's whole content (the
         * file is truncated), as a write to a sysfs attribute replaces its value.
         *
         * @return this builder
         */
        public Builder writableTree() {
            this.writableTree = true;
            return this;
        }

        /**
         * Chooses the hypervisor backend by id instead of the available one of highest priority. Default: none
         * (the automatic choice).
         *
         * @param id e.g. {@code kvm-vfio} or {@code xen-pciback}
         * @return this builder
         * @throws IllegalArgumentException if {@code id} is not 1 to 64 of {@code [a-z0-9-]}
         */
        public Builder backend(String id) {
            Objects.requireNonNull(id, "id");
            if (!id.matches("[a-z0-9-]{1,64}")) {
                throw new IllegalArgumentException("not a backend id: \"" + id + "\" (e.g. kvm-vfio, xen-pciback)");
            }
            this.backend = id;
            return this;
        }

        /**
         * <b>Loosens isolation.</b> Makes the Xen backend attach functions to guests in pciback's permissive mode
         * ({@code permissive=1}): the guest may write any of its device's PCI configuration space, which some
         * devices' drivers need. Off by default; each such attachment is logged as a warning. The kvm-vfio backend
         * does not use it.
         *
         * @return this builder
         */
        public Builder xenPermissive() {
            this.xenPermissive = true;
            return this;
        }

        /**
         * Sets the directory that stands for {@code /proc}, where the holders of VFIO devices are looked for. Default:
         * {@code /proc}. In a container, mount the host's {@code /proc} (with the host's PID namespace) for the check
         * to see the host's processes.
         *
         * @param root the directory
         * @return this builder
         * @throws NullPointerException if {@code root} is null
         */
        public Builder procRoot(Path root) {
            this.procRoot = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * Lets an unbind from vfio-pci (release, reattach, disabling VFs, recover) wait up to {@code wait} for the
         * processes that hold the function's VFIO device to close it, before it is refused with
         * {@link DeviceInUseException}. Where this process holds the device through
         * {@code org.sriov4j.vfio.DeviceRequests}, the wait starts by asking the guest for it, as the kernel's VFIO
         * request would. Default: {@link Duration#ZERO} (refuse at once).
         *
         * @param wait the longest wait, zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code wait} is negative
         */
        public Builder holderWait(Duration wait) {
            Objects.requireNonNull(wait, "wait");
            if (wait.isNegative()) {
                throw new IllegalArgumentException("holder wait must not be negative: " + wait);
            }
            this.holderWait = wait;
            return this;
        }

        /**
         * Registers a {@link GuestHook} that runs around every plug and unplug of this host. Default: none (besides
         * those found through {@link java.util.ServiceLoader}).
         *
         * @param hook the hook
         * @return this builder
         * @throws NullPointerException if {@code hook} is null
         */
        public Builder hook(GuestHook hook) {
            this.hooks.add(Objects.requireNonNull(hook, "hook"));
            return this;
        }

        /**
         * Whether the engine adds the {@link GuestHook}s that modules declare as {@link java.util.ServiceLoader}
         * providers. Default: true.
         *
         * @param load false to use only the hooks registered with {@link #hook(GuestHook)}
         * @return this builder
         */
        public Builder loadGuestHooks(boolean load) {
            this.loadGuestHooks = load;
            return this;
        }

        /**
         * Gives the VMM's way of plugging functions into its guests and unplugging them, for backends that do not do
         * it themselves (kvm-vfio). Default: none ({@link Lease#attachToGuest(String)} is then refused on kvm-vfio and
         * {@link SriovHost#backendFeatures()} has no {@link BackendFeature#HOT_PLUG}). Backends with their own
         * toolstack (Xen's {@code xl}) do not use it.
         *
         * @param actuator the actuator
         * @return this builder
         * @throws NullPointerException if {@code actuator} is null
         */
        public Builder plugActuator(GuestPlugActuator actuator) {
            this.plugActuator = Objects.requireNonNull(actuator, "actuator");
            return this;
        }

        /**
         * Sets how long a {@link GuestPlugActuator} call may take. Default: {@link SriovConfig#DEFAULT_PLUG_TIME_LIMIT}.
         *
         * @param limit a positive duration
         * @return this builder
         * @throws IllegalArgumentException if {@code limit} is not positive
         */
        public Builder plugTimeLimit(Duration limit) {
            Objects.requireNonNull(limit, "limit");
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("plug time limit must be positive: " + limit);
            }
            this.plugTimeLimit = limit;
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return an immutable configuration
         */
        public SriovConfig build() {
            return new SriovConfig(this);
        }
    }
}
