package org.sriov4j;

import java.util.Objects;

/**
 * A {@link GuestHook}'s answer to {@link GuestHook#prepare}: go on, or veto with a reason.
 *
 * @param vetoed true to stop the operation
 * @param reason why (empty when it proceeds)
 */
public record HookVerdict(boolean vetoed, String reason) {

    private static final HookVerdict PROCEED = new HookVerdict(false, "");

    /**
     * Checks the values.
     *
     * @param vetoed true to stop the operation
     * @param reason why; must not be blank for a veto
     * @throws IllegalArgumentException if a veto has no reason
     */
    public HookVerdict {
        Objects.requireNonNull(reason, "reason");
        if (vetoed && reason.isBlank()) {
            throw new IllegalArgumentException("a veto needs a reason");
        }
    }

    /**
     * Go on.
     *
     * @return the verdict
     */
    public static HookVerdict proceed() {
        return PROCEED;
    }

    /**
     * Stop the operation; nothing is changed and the caller gets a {@link HotplugException} of kind
     * {@link HotplugException.Kind#VETOED} naming the hook and this reason.
     *
     * @param reason why, for the caller and the log
     * @return the verdict
     */
    public static HookVerdict veto(String reason) {
        return new HookVerdict(true, reason);
    }
}
