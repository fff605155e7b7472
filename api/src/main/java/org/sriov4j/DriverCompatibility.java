package org.sriov4j;

/** What a vendor's PF/VF driver compatibility matrix says about a pair of drivers. */
public enum DriverCompatibility {
    /** The matrix says the VF driver works with the PF driver. */
    COMPATIBLE,
    /** The matrix says it does not: refused. */
    INCOMPATIBLE,
    /** No entry covers the pair: reported, refused only by a strict check. */
    UNKNOWN
}
