package org.sriov4j.testing;

/**
 * One entry of a driver's id table ({@code struct pci_device_id}): vendor, device, subsystem ids ({@link #ANY} for
 * any) and a class with a mask, matched as {@code pci_match_one_device} does.
 */
record IdMatch(long vendor, long device, long subvendor, long subdevice, int classCode, int classMask) {

    /** {@code PCI_ANY_ID}. */
    static final long ANY = 0xffff_ffffL;

    static IdMatch of(int vendor, int device) {
        return new IdMatch(vendor, device, ANY, ANY, 0, 0);
    }

    static IdMatch ofVendor(int vendor) {
        return new IdMatch(vendor, ANY, ANY, ANY, 0, 0);
    }

    static IdMatch ofClass(int classCode, int mask) {
        return new IdMatch(ANY, ANY, ANY, ANY, classCode, mask);
    }

    boolean matches(long devVendor, long devDevice, long devSubvendor, long devSubdevice, int devClass) {
        return (vendor == ANY || vendor == devVendor)
                && (device == ANY || device == devDevice)
                && (subvendor == ANY || subvendor == devSubvendor)
                && (subdevice == ANY || subdevice == devSubdevice)
                && ((classCode ^ devClass) & classMask) == 0;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(vendor == ANY ? "*" : String.format("%04x", vendor)).append(':')
                .append(device == ANY ? "*" : String.format("%04x", device));
        if (subvendor != ANY || subdevice != ANY) {
            b.append(" sub ").append(subvendor == ANY ? "*" : String.format("%04x", subvendor)).append(':')
                    .append(subdevice == ANY ? "*" : String.format("%04x", subdevice));
        }
        if (classMask != 0) {
            b.append(String.format(" class %06x/%06x", classCode, classMask));
        }
        return b.toString();
    }
}
