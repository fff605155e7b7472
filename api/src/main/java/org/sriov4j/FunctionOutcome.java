package org.sriov4j;

import java.util.Objects;
import java.util.Optional;

/**
 * What a change of many functions in one call ({@link SriovHost#detachAll(java.util.List)},
 * {@link SriovHost#reattachAll(java.util.List)}) did to one of them: the function as it is afterwards, or why it was
 * refused or failed. A failed function is left exactly as the single-function call would leave it (its completed
 * steps undone, or its ledger record kept for a retry); the others are not affected by its failure.
 *
 * <pre>{@code
 * for (FunctionOutcome o : host.detachAll(List.of(vf0, vf1, vf2))) {
 *     o.failure().ifPresent(e -> log.warn(o.function() + ": " + e.getMessage()));
 * }
 * }</pre>
 *
 * @param function the function asked for
 * @param result the function as it is afterwards, when the change succeeded
 * @param failure what refused or failed the change, otherwise
 */
public record FunctionOutcome(PciAddress function, Optional<PciFunction> result, Optional<SriovException> failure) {

    /**
     * Creates an outcome.
     *
     * @param function the function asked for
     * @param result the function afterwards, when the change succeeded
     * @param failure what refused or failed it, otherwise
     * @throws IllegalArgumentException unless exactly one of {@code result} and {@code failure} is present, and a
     *     result describes {@code function}
     */
    public FunctionOutcome {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(failure, "failure");
        if (result.isPresent() == failure.isPresent()) {
            throw new IllegalArgumentException("exactly one of result and failure: " + result + ", " + failure);
        }
        if (result.isPresent() && !result.get().address().equals(function)) {
            throw new IllegalArgumentException("the result describes " + result.get().address() + ", not "
                    + function);
        }
    }

    /**
     * A function changed.
     *
     * @param result the function as it is afterwards
     * @return the outcome
     */
    public static FunctionOutcome succeeded(PciFunction result) {
        return new FunctionOutcome(result.address(), Optional.of(result), Optional.empty());
    }

    /**
     * A function refused or failed.
     *
     * @param function the function
     * @param failure why
     * @return the outcome
     */
    public static FunctionOutcome failed(PciAddress function, SriovException failure) {
        return new FunctionOutcome(function, Optional.empty(), Optional.of(failure));
    }

    /**
     * Whether the change succeeded.
     *
     * @return true when {@link #result()} is present
     */
    public boolean succeeded() {
        return result.isPresent();
    }
}
