package org.sriov4j;

/** Which PCI functions a topology scan describes in detail. */
public enum ScanScope {
    /** Physical and virtual functions only (the default; cheapest). */
    SRIOV,
    /** Every PCI function on the host, including bridges and devices without SR-IOV. */
    ALL_FUNCTIONS
}
