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

    private final Path sysfsRoot;
    private final Path devRoot;

    private SriovConfig(Builder b) {
        this.sysfsRoot = b.sysfsRoot;
        this.devRoot = b.devRoot;
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
     * A builder initialised from this configuration.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = builder();
        b.sysfsRoot = sysfsRoot;
        b.devRoot = devRoot;
        return b;
    }

    @Override
    public String toString() {
        return "SriovConfig[sysfsRoot=" + sysfsRoot + ", devRoot=" + devRoot + "]";
    }

    /** Builds a {@link SriovConfig}. Not thread-safe. */
    public static final class Builder {
        private Path sysfsRoot;
        private Path devRoot;

        Builder(Properties properties, Map<String, String> env) {
            this.sysfsRoot = defaultRoot(properties, env, SYSFS_ROOT_PROPERTY, SYSFS_ROOT_ENV, "/sys");
            this.devRoot = defaultRoot(properties, env, DEV_ROOT_PROPERTY, DEV_ROOT_ENV, "/dev");
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
         * Builds the configuration.
         *
         * @return an immutable configuration
         */
        public SriovConfig build() {
            return new SriovConfig(this);
        }
    }
}
