package org.sriov4j.it;

import org.sriov4j.LeaseHolder;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;

/**
 * A VMM manager stand-in for {@link RealLeaseKindsIT}: {@code LeaseTakerChild BDF GUEST durable} takes a durable
 * lease through the library, prints {@code LEASED} and sleeps until it is killed (with the lease never closed).
 */
public final class LeaseTakerChild {

    private LeaseTakerChild() {
    }

    /**
     * Runs the child.
     *
     * @param args the function, the guest, and {@code durable}
     * @throws InterruptedException never in practice
     */
    public static void main(String[] args) throws InterruptedException {
        SriovHost host = SriovHost.open(SriovConfig.defaults());
        host.lease(PciAddress.parse(args[0]), args[1], args[2].equals("durable") ? LeaseHolder.durable()
                : LeaseHolder.taker());
        System.out.println("LEASED");
        System.out.flush();
        while (true) {
            Thread.sleep(60_000);
        }
    }
}
