package org.sriov4j;

import java.util.List;

/**
 * A {@link VfPool} has no VF to lease: every member is leased (or being changed) by this or another process,
 * {@link Errno#EBUSY}; or no VF matches its selectors at all, {@link Errno#ENODEV}. The message names the selectors
 * and the counts, e.g. {@code lease from pool failed: EBUSY (Device or resource busy); all 4 VFs matching
 * [eth0#0-3] are leased or being changed}.
 */
public final class PoolExhaustedException extends SriovException {
    private static final long serialVersionUID = 1L;

    /** The operation named in the message. */
    static final String OPERATION = "lease from pool";

    /** The pool's selectors. */
    private final List<VfSelector> selectors;
    /** How many VFs matched. */
    private final int matched;
    /** How many of them were taken. */
    private final int busy;

    /**
     * Creates the exception.
     *
     * @param selectors the pool's selectors
     * @param matched how many VFs matched them
     * @param busy how many of those were leased or being changed; the others disappeared while the pool tried them
     * @throws IllegalArgumentException if {@code busy} is negative or more than {@code matched}
     */
    public PoolExhaustedException(List<VfSelector> selectors, int matched, int busy) {
        super(OPERATION, null, matched == 0 ? Errno.ENODEV : Errno.EBUSY, null, detail(selectors, matched, busy),
                null);
        if (busy < 0 || busy > matched) {
            throw new IllegalArgumentException("busy must be 0.." + matched + ": " + busy);
        }
        this.selectors = List.copyOf(selectors);
        this.matched = matched;
        this.busy = busy;
    }

    private static String detail(List<VfSelector> selectors, int matched, int busy) {
        if (matched == 0) {
            return "no VF matches " + selectors;
        }
        if (busy == matched) {
            return (matched == 1 ? "the one VF" : "all " + matched + " VFs") + " matching " + selectors
                    + (matched == 1 ? " is" : " are") + " leased or being changed";
        }
        return busy + " of " + matched + " VFs matching " + selectors + " are leased or being changed, "
                + (matched - busy) + " disappeared meanwhile";
    }

    /**
     * The selectors of the pool.
     *
     * @return the selectors
     */
    public List<VfSelector> selectors() {
        return selectors;
    }

    /**
     * How many VFs matched the selectors when the pool looked.
     *
     * @return the count; 0 when nothing matched
     */
    public int matched() {
        return matched;
    }

    /**
     * How many of the matching VFs were leased or being changed; the rest disappeared (fewer VFs were enabled)
     * while the pool tried them.
     *
     * @return the count, 0 to {@link #matched()}
     */
    public int busy() {
        return busy;
    }
}
