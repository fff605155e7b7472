package org.sriov4j;

/** What role a PCI function plays in SR-IOV. */
public enum FunctionKind {
    /** A physical function: it has the SR-IOV capability ({@code sriov_totalvfs} exists). */
    PF,
    /** A virtual function: it has a {@code physfn} link to its physical function. */
    VF,
    /** Any other PCI function (bridges, NICs without SR-IOV, ...). Listed only by {@link ScanScope#ALL_FUNCTIONS}. */
    OTHER
}
