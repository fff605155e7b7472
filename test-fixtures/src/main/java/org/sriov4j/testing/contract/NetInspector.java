package org.sriov4j.testing.contract;

import java.util.Map;
import org.sriov4j.VfNetConfig;

/**
 * Looks at VF network settings without the library, for the contract kits to check what the library did: the
 * simulated kernel's netlink on a simulated host, {@code ip -d link show} ({@link IpLink}) on a real one.
 */
public interface NetInspector {

    /**
     * The VFs of a PF as its netdev reports them.
     *
     * @param pfNetdev the PF's netdev, e.g. {@code eth0}
     * @return each VF's settings by index
     */
    Map<Integer, VfNetConfig> vfs(String pfNetdev);

    /**
     * Brings a netdev up or down ({@code ip link set DEV up|down}).
     *
     * @param netdev the netdev
     * @param up up or down
     */
    void setLinkUp(String netdev, boolean up);
}
