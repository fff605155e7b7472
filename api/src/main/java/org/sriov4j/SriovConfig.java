package org.sriov4j;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
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
    private final @Nullable String backend;
    private final boolean xenPermissive;

    private SriovConfig(Builder b) {
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
        setting(properties, env, STATE_DIR_PROPERTY, STATE_DIR_ENV).ifPresent(v -> b.stateDir(path(v)));
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
     * sriov4j: what each process changed and must undo, and which process holds which function.
     *
     * @return the state directory
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
        b.backend = backend;
        b.xenPermissive = xenPermissive;
        return b;
    }

    @Override
    public String toString() {
        return "SriovConfig[sysfsRoot=" + sysfsRoot + ", devRoot=" + devRoot + ", stateDir=" + stateDir
                + (backend != null ? ", backend=" + backend : "") + (writableTree ? ", writableTree" : "")
                + (xenPermissive ? ", Xen permissive attachment" : "")
                + (allowUnsafeNoIommu ? ", UNSAFE: assignment without IOMMU allowed" : "") + "]";
    }

    /** Builds a {@link SriovConfig}. Not thread-safe. */
    public static final class Builder {
        private Path sysfsRoot;
        private Path devRoot;
        private Path stateDir;
        private boolean allowUnsafeNoIommu;
        private boolean writableTree;
        private @Nullable String backend;
        private boolean xenPermissive;

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
         * Sets the state directory (ledger and lock files). Default: {@code /run/sriov4j}. Every process that manages the same host must use the same directory.
         *
         * @param dir the directory; created (mode 0700) when first needed
         * @return this builder
         * @throws NullPointerException if {@code dir} is null
         */
        public Builder stateDir(Path dir) {
            this.stateDir = Objects.requireNonNull(dir, "dir");
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
         * Builds the configuration.
         *
         * @return an immutable configuration
         */
        public SriovConfig build() {
            return new SriovConfig(this);
        }
    }
}
