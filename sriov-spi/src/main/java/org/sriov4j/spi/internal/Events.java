package org.sriov4j.spi.internal;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.sriov4j.SriovEvent;
import org.sriov4j.Subscription;

/** The subscribers of one host object; delivers on the caller's thread, isolating listener failures. */
final class Events {

    private static final System.Logger LOG = System.getLogger(Events.class.getName());

    private final List<Consumer<? super SriovEvent>> listeners = new CopyOnWriteArrayList<>();

    Subscription subscribe(Consumer<? super SriovEvent> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void emit(SriovEvent event) {
        for (Consumer<? super SriovEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "an sriov4j event listener failed on " + event, e);
            }
        }
    }
}
