package org.sriov4j.spi.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovException;

/**
 * A multi-step operation that undoes its completed steps, newest first, when a later step fails, and reports
 * what failed, what was restored and what could not be.
 */
final class Transaction {

    /** Undoes one completed step. */
    @FunctionalInterface
    interface Undo {
        void run();
    }

    private record Done(String description, Undo undo) {
    }

    private final String operation;
    private final PciAddress device;
    private final Deque<Done> done = new ArrayDeque<>();

    Transaction(String operation, PciAddress device) {
        this.operation = operation;
        this.device = device;
    }

    /**
     * Records a completed step.
     *
     * @param description what the undo does, e.g. "rebound igbvf"
     * @param undo how to undo it
     */
    void done(String description, Undo undo) {
        done.push(new Done(description, undo));
    }

    /**
     * Undoes every completed step and returns an exception that wraps {@code failure} and says what was restored.
     *
     * @param failure what failed
     * @param step which step failed, e.g. "unbind from igbvf"
     * @return the exception to throw
     */
    SriovException rollback(RuntimeException failure, String step) {
        List<String> restored = new ArrayList<>();
        List<String> notRestored = new ArrayList<>();
        while (!done.isEmpty()) {
            Done d = done.pop();
            try {
                d.undo().run();
                restored.add(d.description());
            } catch (RuntimeException e) {
                notRestored.add(d.description() + " (" + e.getMessage() + ")");
            }
        }
        StringBuilder detail = new StringBuilder(step).append(" failed");
        String cause = failure.getMessage();
        if (cause != null) {
            detail.append(": ").append(cause);
        }
        detail.append(restored.isEmpty() ? "; nothing needed restoring" : "; restored: " + String.join(", ", restored));
        if (!notRestored.isEmpty()) {
            detail.append("; COULD NOT restore: ").append(String.join(", ", notRestored));
        }
        return new SriovException(operation, device, errnoOf(failure), pathOf(failure), detail.toString(), failure);
    }

    private static org.sriov4j.@Nullable Errno errnoOf(RuntimeException e) {
        return e instanceof SriovException s ? s.errno().orElse(null) : null;
    }

    private static @Nullable String pathOf(RuntimeException e) {
        return e instanceof SriovException s ? s.path().orElse(null) : null;
    }
}
