package org.sriov4j.vfio;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.sriov4j.PciAddress;
import org.sriov4j.vfio.kernel.LinuxSyscalls;
import org.sriov4j.vfio.kernel.VfioAbi;

/**
 * A manual check of the JNA implementation against a real kernel (run in the it/ guest as root, with the VF on
 * vfio-pci). Not a unit test: {@code java -cp ... org.sriov4j.vfio.GuestVfioCheck 0000:01:10.0}. Prints each step;
 * exits 1 on the first unexpected result.
 */
public final class GuestVfioCheck {
    private GuestVfioCheck() {
    }

    private static int failures;

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "OK   " : "FAIL ") + what);
        if (!ok) {
            failures++;
        }
    }

    private static void expectError(String what, Runnable r) {
        try {
            r.run();
            check(false, what + ": no error");
        } catch (VfioException e) {
            check(true, what + ": " + e.getMessage() + " errno=" + e.errnoNumber().orElse(0) + " before="
                    + e.rejectedBeforeKernel());
        }
    }

    /**
     * Runs the check.
     *
     * @param args the VF's address (default 0000:01:10.0)
     * @throws Exception on unexpected failures
     */
    public static void main(String[] args) throws Exception {
        PciAddress bdf = PciAddress.parse(args.length > 0 ? args[0] : "0000:01:10.0");
        int group = Integer.parseInt(Files.readSymbolicLink(Path.of("/sys/bus/pci/devices/" + bdf + "/iommu_group"))
                .getFileName().toString());
        System.out.println("device " + bdf + " group " + group);
        JnaLinuxSyscalls sys = JnaLinuxSyscalls.INSTANCE;
        check(sys.open("/nonexistent/x", LinuxSyscalls.O_RDWR) == -2, "open of a missing path is -ENOENT");
        check(sys.pageSize() == 4096, "page size " + sys.pageSize());
        VfioSystem vfio = VfioSystem.open();
        long t0 = System.nanoTime();
        try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(2 << 20)) {
            AssignedDevice dev = domain.openDevice(bdf, group);
            System.out.println("info " + dev.info() + " reset=" + dev.info().resetSupported() + " pci="
                    + dev.info().pci());
            System.out.printf("iommu page sizes 0x%x ranges %s dma avail %d%n", domain.pageSizes(),
                    domain.iovaRanges(), domain.dmaMappingsAvailable());
            ram.buffer().putLong(0, 0x1122334455667788L);
            DmaMapping m = domain.map(0x10000000L, ram.address(), ram.length(), DmaAccess.READ_WRITE);
            check(domain.mappings().equals(List.of(m)), "mapped " + m);
            expectError("overlapping map (validated)", () -> domain.map(0x10100000L, ram.address(), 4096,
                    DmaAccess.READ_WRITE));
            expectError("overlapping map (kernel)", () -> domain.backing().map(0x10100000L, ram.address(),
                    4096, true, true));
            expectError("unaligned map (kernel)", () -> domain.backing().map(0x20000800L, ram.address(), 4096,
                    true, true));
            expectError("map outside IOVA ranges (kernel)", () -> domain.backing().map(0xfee00000L,
                    ram.address(), 4096, true, true));
            expectError("map above 48 bits (kernel)", () -> domain.backing().map(0x1000000000000L,
                    ram.address(), 4096, true, true));
            expectError("wrapping map (kernel)", () -> domain.backing().map(-4096L, ram.address(), 8192, true,
                    true));
            expectError("zero-size map (kernel)", () -> domain.backing().map(0x30000000L, ram.address(), 0, true,
                    true));
            expectError("map without access (kernel)", () -> domain.backing().map(0x30000000L, ram.address(),
                    4096, false, false));
            expectError("split unmap (kernel)", () -> domain.backing().unmap(0x10001000L, 4096));
            check(domain.backing().unmap(0x40000000L, 4096) == 0, "unmap of nothing reports 0");
            long unmapped = domain.unmap(0x10000000L, 2 << 20);
            check(unmapped == 0x200000, "unmap returned 0x" + Long.toHexString(unmapped));
            int ids = dev.readConfig32(0);
            check(ids == 0x10ca8086, String.format("config space ids 0x%08x", ids));
            for (int i = 0; i < dev.info().regionCount(); i++) {
                try {
                    System.out.println("region " + dev.region(i));
                } catch (VfioException e) {
                    System.out.println("region " + i + ": " + e.getMessage());
                }
            }
            for (int i = 0; i < dev.info().irqCount(); i++) {
                System.out.println("irq " + dev.irq(i));
            }
            try (BarMapping bar0 = dev.mapRegion(0)) {
                ByteBuffer regs = bar0.at(0x8);
                System.out.printf("BAR0 parts %d, STATUS(0x8) = 0x%08x%n", bar0.parts().size(), regs.getInt());
            }
            int msix = dev.irq(IrqInfo.MSIX).count();
            List<EventFd> fds = new java.util.ArrayList<>();
            for (int i = 0; i < msix; i++) {
                fds.add(vfio.newEventFd());
            }
            dev.enableInterrupts(IrqInfo.MSIX, fds);
            dev.triggerInterrupt(IrqInfo.MSIX, 0);
            check(fds.get(0).read() == 1, "MSI-X loopback trigger signalled eventfd 0");
            expectError("mask MSI-X (validated)", () -> dev.mask(IrqInfo.MSIX, 0));
            expectError("mask MSI-X (kernel)", () -> dev.fd().setIrqs("mask", VfioAbi.IRQ_SET_DATA_NONE
                    | VfioAbi.IRQ_SET_ACTION_MASK, IrqInfo.MSIX, 0, 1, null, null));
            expectError("MSI while MSI-X enabled (kernel)", () -> dev.enableInterrupts(IrqInfo.MSI,
                    List.of(fds.get(0))));
            dev.disableInterrupts(IrqInfo.MSIX);
            fds.forEach(EventFd::close);
            MigrationSupport mig = dev.migration();
            System.out.println("migration " + mig);
            long r0 = System.nanoTime();
            dev.reset();
            System.out.printf("reset ok in %.1f ms%n", (System.nanoTime() - r0) / 1e6);
            expectError("second domain opens the same group",
                    () -> vfio.newDomain().openDevice(bdf, group));
            try (IommuDomain other = vfio.newDomain()) {
                expectError("group that does not exist", () -> other.openDevice(bdf, 999));
            }
            expectError("device not in the group", () -> domain.openDevice(PciAddress.parse("0000:01:10.2"), group));
        }
        System.out.printf("elapsed %.1f ms; %d failure(s)%n", (System.nanoTime() - t0) / 1e6, failures);
        System.exit(failures == 0 ? 0 : 1);
    }
}
