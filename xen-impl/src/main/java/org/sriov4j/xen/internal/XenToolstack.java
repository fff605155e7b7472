package org.sriov4j.xen.internal;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sriov4j.PciAddress;
import org.sriov4j.xen.XenToolstackException;

/**
 * The seam to Xen's toolstack in the control domain: {@code xl} and the xenstore tools. {@link XlToolstack} runs
 * the real commands; tests give the backend a fake {@code xl} through the host commands. Every method throws
 * {@link XenToolstackException} when the toolstack refuses.
 */
interface XenToolstack {

    /** xenstore directory where libxl keeps what it knows of an assignable device. */
    static String recordDir(PciAddress f) {
        return String.format("/libxl/pci/%04x-%02x-%02x-%x", f.domain(), f.bus(), f.device(), f.function());
    }

    /** The xenstore key libxl reads the original driver from ({@code xl pci-assignable-remove -r}). */
    static String driverPathKey(PciAddress f) {
        return recordDir(f) + "/driver_path";
    }

    /** {@code xl pci-attach DOMAIN BDF[,options]}. */
    void pciAttach(String domain, PciAddress f, List<String> options);

    /** {@code xl pci-detach DOMAIN BDF}. */
    void pciDetach(String domain, PciAddress f);

    /** {@code xl pci-list DOMAIN}: the devices attached to it. */
    List<PciAddress> pciList(String domain);

    /** {@code xl pci-assignable-add BDF}. */
    void assignableAdd(PciAddress f);

    /** {@code xl pci-assignable-remove [-r] BDF}. */
    void assignableRemove(PciAddress f, boolean rebind);

    /** {@code xl pci-assignable-list}. */
    List<PciAddress> assignableList();

    /** Whether a domain exists ({@code xl list DOMAIN}: a name or a domid). */
    boolean domainExists(String domain);

    /** {@code virt_caps} of {@code xl info}, e.g. {@code pv_directio}. */
    Set<String> virtCaps();

    /** {@code xenstore-read PATH}; empty if absent. */
    Optional<String> xenstoreRead(String path);

    /** {@code xenstore-write PATH VALUE}. */
    void xenstoreWrite(String path, String value);

    /** {@code xenstore-rm PATH}; absent is not an error. */
    void xenstoreRm(String path);
}
