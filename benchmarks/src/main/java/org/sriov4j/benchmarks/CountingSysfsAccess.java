package org.sriov4j.benchmarks;

import java.lang.reflect.Method;
import java.util.List;
import org.sriov4j.spi.SysfsAccess;

/**
 * A {@link SysfsAccess} that counts the primitive operations it forwards. Not thread-safe (discovery is
 * single-threaded).
 *
 * <p>{@link SysfsAccess#linkName(String)} is deliberately not overridden: the interface's default runs through this
 * wrapper's {@link #exists(String)} and {@link #readLink(String)}, so it is counted as the operations it makes. That
 * is only what really happens if the delegate does not override {@code linkName} itself, which
 * {@link #CountingSysfsAccess(SysfsAccess)} checks.
 */
public final class CountingSysfsAccess implements SysfsAccess {

    private final SysfsAccess delegate;
    private long reads;
    private long readLinks;
    private long exists;
    private long lists;

    /**
     * Wraps {@code delegate}.
     *
     * @param delegate the accessor doing the work
     * @throws IllegalArgumentException if {@code delegate} overrides {@code linkName} (the counts would be wrong)
     */
    public CountingSysfsAccess(SysfsAccess delegate) {
        this.delegate = delegate;
        try {
            Method m = delegate.getClass().getMethod("linkName", String.class);
            if (m.getDeclaringClass() != SysfsAccess.class) {
                throw new IllegalArgumentException(delegate.getClass().getName() + " overrides linkName; count its "
                        + "operations there (update CountingSysfsAccess and PlainFilesDiscovery)");
            }
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The operations counted so far.
     *
     * @return the counts
     */
    public SysfsOps ops() {
        return new SysfsOps(reads, readLinks, exists, lists);
    }

    @Override
    public String read(String path) {
        reads++;
        return delegate.read(path);
    }

    @Override
    public void write(String path, String value) {
        throw new UnsupportedOperationException("discovery must not write: " + path);
    }

    @Override
    public List<String> list(String dir) {
        lists++;
        return delegate.list(dir);
    }

    @Override
    public String readLink(String path) {
        readLinks++;
        return delegate.readLink(path);
    }

    @Override
    public boolean exists(String path) {
        exists++;
        return delegate.exists(path);
    }

    @Override
    public String describe(String path) {
        return delegate.describe(path);
    }
}
