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
 * @see #builder()
 */
public final class SriovConfig {

    /** System property that overrides the default sysfs root. */
    public static final String SYSFS_ROOT_PROPERTY = "sriov4j.sysfs.root";
    /** Environment variable that overrides the default sysfs root (the system property wins). */
    public static final String SYSFS_ROOT_ENV = "SRIOV4J_SYSFS_ROOT";
    /** System property that overrides the default device-node root. */
    public static final String DEV_ROOT_PROPERTY = "sriov4j.dev.root";
    /** Environment variable that overrides the default device-node root (the system property wins). */
    public static final String DEV_ROOT_ENV = "SRIOV4J_DEV_ROOT";
    /** System property that overrides the default state directory. */
    public static final String STATE_DIR_PROPERTY = "sriov4j.state.dir";
    /** Environment variable that overrides the default state directory (the system property wins). */
    public static final String STATE_DIR_ENV = "SRIOV4J_STATE_DIR";

    private final Path sysfsRoot;
    private final Path devRoot;
    private final Path stateDir;
    private final boolean allowUnsafeNoIommu;
    private final @Nullable String backend;

    private SriovConfig(Builder b) {
        this.sysfsRoot = b.sysfsRoot;
        this.devRoot = b.devRoot;
        this.stateDir = b.stateDir;
        this.allowUnsafeNoIommu = b.allowUnsafeNoIommu;
        this.backend = b.backend;
    }

    /**
     * The configuration with every default: see {@link Builder}.
     *
     * @return the default configuration
     */
    public static SriovConfig defaults() {
        return builder().build();
    }

    /**
     * A builder with every default set.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder(System.getProperties(), System.getenv());
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
     * The hypervisor backend asked for by id ({@code kvm-vfio}, {@code xen-pciback}); when empty, the system
     * property {@code sriov4j.backend} names it, and without that the available backend of highest priority is used.
     *
     * @return the backend id, or empty for the default choice
     */
    public java.util.Optional<String> backend() {
        return java.util.Optional.ofNullable(backend);
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
        b.backend = backend;
        return b;
    }

    @Override
    public String toString() {
        return "SriovConfig[sysfsRoot=" + sysfsRoot + ", devRoot=" + devRoot + ", stateDir=" + stateDir
                + (backend != null ? ", backend=" + backend : "")
                + (allowUnsafeNoIommu ? ", UNSAFE: assignment without IOMMU allowed" : "") + "]";
    }

    /** Builds a {@link SriovConfig}. Not thread-safe. */
    public static final class Builder {
        private Path sysfsRoot;
        private Path devRoot;
        private Path stateDir;
        private boolean allowUnsafeNoIommu;
        private @Nullable String backend;

        Builder(Properties properties, Map<String, String> env) {
            this.sysfsRoot = defaultRoot(properties, env, SYSFS_ROOT_PROPERTY, SYSFS_ROOT_ENV, "/sys");
            this.devRoot = defaultRoot(properties, env, DEV_ROOT_PROPERTY, DEV_ROOT_ENV, "/dev");
            this.stateDir = defaultRoot(properties, env, STATE_DIR_PROPERTY, STATE_DIR_ENV, "/run/sriov4j");
        }

        static Path defaultRoot(Properties properties, Map<String, String> env, String property, String variable,
                String fallback) {
            @Nullable String v = properties.getProperty(property);
            if (v == null || v.isBlank()) {
                v = env.get(variable);
            }
            if (v == null || v.isBlank()) {
                v = fallback;
            }
            return Path.of(v);
        }

        /**
         * Sets the directory that stands for {@code /sys}. Default: the system property
         * {@value SriovConfig#SYSFS_ROOT_PROPERTY}, else the environment variable {@value SriovConfig#SYSFS_ROOT_ENV},
         * else {@code /sys}. Use it when the host's sysfs is mounted elsewhere (containers) or to read a captured
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
         * Sets the directory that stands for {@code /dev}. Default: the system property
         * {@value SriovConfig#DEV_ROOT_PROPERTY}, else the environment variable {@value SriovConfig#DEV_ROOT_ENV},
         * else {@code /dev}.
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
         * Sets the state directory (ledger and lock files). Default: the system property
         * {@value SriovConfig#STATE_DIR_PROPERTY}, else the environment variable {@value SriovConfig#STATE_DIR_ENV},
         * else {@code /run/sriov4j}. Every process that manages the same host must use the same directory.
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
         * Chooses the hypervisor backend by id instead of the available one of highest priority. Default: none
         * (the system property {@code sriov4j.backend}, else the automatic choice).
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
         * Builds the configuration.
         *
         * @return an immutable configuration
         */
        public SriovConfig build() {
            return new SriovConfig(this);
        }
    }
}
