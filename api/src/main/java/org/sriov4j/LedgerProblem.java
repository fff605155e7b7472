package org.sriov4j;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A file in the state directory's ledger that is not a usable record, listed by {@link SriovHost#ledgerProblems()}
 * until an operator deals with it. Such a file may be all that is left of what sriov4j changed on a function (its
 * original driver): sriov4j never acts on it and never deletes it, except a temporary file whose writer is gone,
 * which never replaced a record.
 *
 * <p>What an operator does: read the file (it is text), put the function it names back by hand if needed
 * ({@code sriov4j reattach BDF} gives a function on the stub driver to whatever driver the host prefers when there
 * is no record), then delete the file.
 *
 * @param file the file
 * @param device the function its name refers to, if any
 * @param kind what is wrong
 * @param reason what is wrong, for people
 */
public record LedgerProblem(Path file, Optional<PciAddress> device, Kind kind, String reason) {

    /** What is wrong with a ledger file. */
    public enum Kind {
        /** Truncated, edited or damaged; {@link SriovHost#recover()} sets it aside as {@link #QUARANTINED}. */
        CORRUPT,
        /** A record of a newer sriov4j: left in place and never acted on (that version can read it). */
        UNKNOWN_VERSION,
        /** It cannot be read (permissions, a symbolic link, a directory...). */
        UNREADABLE,
        /** A temporary file of a write that did not finish and whose writer may still run. */
        STRAY_TEMP,
        /** A file whose name is not that of a record. */
        FOREIGN,
        /** A corrupt record set aside by {@link SriovHost#recover()}: its function was not given back. */
        QUARANTINED
    }

    /**
     * Checks the values.
     *
     * @param file the file
     * @param device the function its name refers to
     * @param kind what is wrong
     * @param reason what is wrong, for people
     */
    public LedgerProblem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return file + ": " + kind + ": " + reason;
    }
}
