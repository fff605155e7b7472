package org.sriov4j;

/**
 * A VF's traffic counters as its PF reports them ({@code IFLA_VF_STATS}), for monitoring. Counters only grow while
 * the VF exists; they start from 0 when the VFs are enabled.
 *
 * @param rxPackets packets received
 * @param txPackets packets sent
 * @param rxBytes bytes received
 * @param txBytes bytes sent
 * @param broadcast broadcast packets received
 * @param multicast multicast packets received
 * @param rxDropped received packets dropped (0 where the driver does not count them)
 * @param txDropped packets to send that were dropped (0 where the driver does not count them)
 */
public record VfStats(long rxPackets, long txPackets, long rxBytes, long txBytes, long broadcast, long multicast,
        long rxDropped, long txDropped) {

    /** All zero. */
    public static final VfStats ZERO = new VfStats(0, 0, 0, 0, 0, 0, 0, 0);
}
