package org.sriov4j.migration;

import java.util.Objects;
import java.util.Optional;

/**
 * One field of a profile as the destination check found it on a candidate VF. Fields that match are not listed.
 *
 * @param field the dotted field name ({@code device.revision}, {@code net.mac}, {@code vendor.x})
 * @param rule its rule
 * @param outcome what was found
 * @param source the profile's value; empty: unknown
 * @param destination the candidate's value (for {@link Outcome#APPLIED}: what will be applied); empty: unknown
 * @param detail a sentence for people
 */
public record Finding(String field, FieldRule rule, Outcome outcome, Optional<String> source,
        Optional<String> destination, String detail) {

    /** What the check found for one field. */
    public enum Outcome {
        /** A {@link FieldRule#MUST_MATCH} field differs: the candidate is refused. */
        DIFFERENT,
        /** A {@link FieldRule#MUST_MATCH} field is unknown on one side or both: refused only when strict. */
        UNVERIFIED,
        /** A {@link FieldRule#CARRIED_OVER} field will be applied on the destination. */
        APPLIED,
        /** A {@link FieldRule#CARRIED_OVER} field cannot be applied on the destination: the candidate is refused. */
        NOT_APPLICABLE,
        /** A {@link FieldRule#IGNORED} field differs (for information). */
        IGNORED
    }

    /**
     * Checks the fields.
     *
     * @param field the field
     * @param rule its rule
     * @param outcome the outcome
     * @param source the profile's value
     * @param destination the candidate's value
     * @param detail a sentence
     * @throws NullPointerException if a field is null
     */
    public Finding {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * Whether this finding refuses the candidate.
     *
     * @param strict whether unverified fields refuse
     * @return true for DIFFERENT and NOT_APPLICABLE, and UNVERIFIED when strict
     */
    public boolean refuses(boolean strict) {
        return outcome == Outcome.DIFFERENT || outcome == Outcome.NOT_APPLICABLE
                || strict && outcome == Outcome.UNVERIFIED;
    }

    /**
     * One line: {@code device.revision MUST_MATCH DIFFERENT: 01 -> 02 (detail)}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        return field + " " + outcome + ": " + source.orElse("unknown") + " -> " + destination.orElse("unknown")
                + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
