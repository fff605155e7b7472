package org.sriov4j;

/** Which way a device moves between the host and a running guest (see {@link GuestHook}). */
public enum HotplugOperation {
    /** The device is added to a running guest ({@code xl pci-attach}, QMP {@code device_add}). */
    PLUG,
    /** The device is taken out of a running guest ({@code xl pci-detach}, QMP {@code device_del}). */
    UNPLUG
}
