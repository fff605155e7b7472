package org.sriov4j;

/**
 * A listener's subscription to a host's events, returned by {@link SriovHost#subscribe(java.util.function.Consumer)}.
 * Its {@link #close()} throws nothing, so it fits try-with-resources without a {@code catch (Exception)}:
 *
 * <pre>{@code
 * try (Subscription s = host.subscribe(event -> log.info(event.toString()))) {
 *     host.enableVfs(pf, 4);
 * }   // no more events for this listener
 * }</pre>
 */
public interface Subscription extends AutoCloseable {

    /**
     * Ends the subscription: the listener hears no event that starts after this returns. Idempotent; throws
     * nothing.
     */
    @Override
    void close();
}
