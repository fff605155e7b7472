package org.sriov4j;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What keeps a {@link Lease} alive: the process that took it, another process (typically the guest's own VMM
 * process, e.g. QEMU), or nothing but an explicit release.
 *
 * <pre>{@code
 * Lease a = host.lease(vf, "vm-42");                                              // TAKER: ends with this JVM
 * Lease b = host.lease(vf2, "vm-42", LeaseHolder.process(qemu.pid()));             // PROCESS: ends with QEMU
 * Lease c = host.lease(vf3, "vm-42", LeaseHolder.durable());                      // DURABLE: until released
 * }</pre>
 *
 * <table>
 *   <caption>Lease kinds</caption>
 *   <tr><th>kind</th><th>held while</th><th>ends when</th></tr>
 *   <tr><td>{@link Kind#TAKER}</td><td>the taking process holds the function's lock file</td>
 *       <td>{@link Lease#close()}, {@link SriovHost#close()} or the death of the taking process</td></tr>
 *   <tr><td>{@link Kind#PROCESS}</td><td>the process {@link #pid()} runs and still has the start time
 *       {@link #processStart()} (a reused pid does not keep the lease)</td>
 *       <td>{@link Lease#close()} (from any process, e.g. after {@link SriovHost#adopt(String)}) or the exit of that
 *       process</td></tr>
 *   <tr><td>{@link Kind#DURABLE}</td><td>always</td><td>{@link Lease#close()} only, from any process (e.g. after
 *       {@link SriovHost#adopt(String)}, or {@code sriov4j release BDF})</td></tr>
 * </table>
 *
 * <p>{@link SriovHost#recover()} never gives back a function whose lease is alive by these rules. A lease whose
 * holder is gone is over: {@code recover} gives a managed function back to its host driver.
 *
 * @param kind what keeps the lease alive
 * @param pid the holding process: for {@link Kind#PROCESS} always; for {@link Kind#TAKER} when known (in
 *     {@link Assignment#lease()}: the process the kernel names as the owner of the function's lock); never for
 *     {@link Kind#DURABLE}
 * @param processStart when that process started, as the kernel reports it ({@link ProcessHandle.Info#startInstant()});
 *     for {@link Kind#PROCESS} always, otherwise when known
 */
public record LeaseHolder(Kind kind, OptionalLong pid, Optional<Instant> processStart) {

    /** What keeps a lease alive. */
    public enum Kind {
        /** The process that took the lease (the default of {@link SriovHost#lease(PciAddress, String)}). */
        TAKER,
        /** Another process, named by pid and start time: the lease ends when it exits. */
        PROCESS,
        /** Nothing: the lease is held until it is explicitly released, whatever process dies. */
        DURABLE
    }

    /**
     * Checks the values.
     *
     * @param kind what keeps the lease alive
     * @param pid the holding process
     * @param processStart when it started
     * @throws IllegalArgumentException if a {@link Kind#PROCESS} holder has no pid or start time, a durable one has a
     *     pid, or a pid is not positive
     */
    public LeaseHolder {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pid, "pid");
        Objects.requireNonNull(processStart, "processStart");
        if (pid.isPresent() && pid.getAsLong() <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid.getAsLong());
        }
        if (kind == Kind.PROCESS && (pid.isEmpty() || processStart.isEmpty())) {
            throw new IllegalArgumentException("a PROCESS lease holder needs a pid and its start time");
        }
        if (kind == Kind.DURABLE && (pid.isPresent() || processStart.isPresent())) {
            throw new IllegalArgumentException("a DURABLE lease holder names no process");
        }
    }

    /**
     * The process that takes the lease: the lease ends with it (the default).
     *
     * @return a {@link Kind#TAKER} holder without a pid
     */
    public static LeaseHolder taker() {
        return new LeaseHolder(Kind.TAKER, OptionalLong.empty(), Optional.empty());
    }

    /**
     * A lease held until it is explicitly released ({@link Lease#close()}, from this or any later process).
     *
     * @return a {@link Kind#DURABLE} holder
     */
    public static LeaseHolder durable() {
        return new LeaseHolder(Kind.DURABLE, OptionalLong.empty(), Optional.empty());
    }

    /**
     * A lease tied to a running process, e.g. the guest's QEMU: it ends when that process exits. The process's start
     * time is looked up now and recorded with its pid, so that a later process that gets the same pid does not keep
     * the lease alive.
     *
     * @param pid the process id
     * @return a {@link Kind#PROCESS} holder
     * @throws IllegalArgumentException if no such process runs, or this platform does not report its start time
     */
    public static LeaseHolder process(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive: " + pid);
        }
        return process(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new IllegalArgumentException("no process with pid " + pid)));
    }

    /**
     * A lease tied to a running process (see {@link #process(long)}).
     *
     * @param process the process
     * @return a {@link Kind#PROCESS} holder
     * @throws IllegalArgumentException if the process is not alive, or its start time is not reported
     */
    public static LeaseHolder process(ProcessHandle process) {
        Objects.requireNonNull(process, "process");
        Instant start = process.info().startInstant().orElseThrow(() -> new IllegalArgumentException(
                "the start time of pid " + process.pid() + " is not known (is it alive?)"));
        if (!process.isAlive()) {
            throw new IllegalArgumentException("process " + process.pid() + " is not alive");
        }
        return new LeaseHolder(Kind.PROCESS, OptionalLong.of(process.pid()), Optional.of(start));
    }

    /**
     * For messages: {@code taker (pid 4711)}, {@code process 4711}, {@code durable}.
     *
     * @return a short description
     */
    @Override
    public String toString() {
        return switch (kind) {
            case TAKER -> "taker" + (pid.isPresent() ? " (pid " + pid.getAsLong() + ")" : "");
            case PROCESS -> "process " + pid.getAsLong();
            case DURABLE -> "durable";
        };
    }
}
