package org.sriov4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.DeviceInfo;
import org.sriov4j.vfio.DmaAccess;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.HotResetInfo;
import org.sriov4j.vfio.IommuApi;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.IovaRange;
import org.sriov4j.vfio.IrqInfo;
import org.sriov4j.vfio.RegionInfo;
import org.sriov4j.vfio.VfioException;
import org.sriov4j.vfio.VfioSystem;

/**
 * {@code sriov4j vfio-check BDF [--json]}: opens a function that is on vfio-pci (detached or leased) through the
 * KVM-VFIO backend and reports each step: the function and its IOMMU group, the container, the group (viability,
 * attach), the device info, regions and IRQs, whether the ERR and REQ notifications exist, what a hot reset would
 * affect, the IOMMU's page sizes and IOVA ranges, and a 2 MiB DMA map/unmap round trip. Everything opened is
 * closed again; nothing on the host changes.
 */
final class VfioCheck {
    /** The IOVA of the round trip (inside the IOVA ranges of an Intel IOMMU). */
    static final long ROUND_TRIP_IOVA = 0x1000_0000L;
    /** The size of the round trip. */
    static final long ROUND_TRIP_BYTES = 2L << 20;

    private static final String[] REGION_NAMES = {"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "config",
        "VGA"};
    private static final String[] IRQ_NAMES = {"INTx", "MSI", "MSI-X", "ERR", "REQ"};

    /** One step's outcome. */
    record Step(String name, boolean ok, String detail) {
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Function<SriovConfig, VfioSystem> opener;
    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Object> doc = new LinkedHashMap<>();
    private boolean json;
    private @Nullable VfioSystem system;

    VfioCheck(PrintStream out, PrintStream err, Function<SriovConfig, VfioSystem> opener) {
        this.out = out;
        this.err = err;
        this.opener = opener;
    }

    /** A step that throws: its message is the step's failure. */
    private interface Action {
        String run() throws Exception;
    }

    int run(SriovConfig config, PciAddress device, boolean jsonOutput) {
        this.json = jsonOutput;
        doc.put("device", device.toString());
        doc.put("ok", false);
        try {
            check(config, device);
            doc.put("ok", true);
            finish();
            return Cli.OK;
        } catch (StepFailed e) {
            finish();
            err.println("sriov4j: vfio-check " + device + ": " + e.step + " failed: " + e.getMessage());
            return Cli.FAILED;
        }
    }

    private void finish() {
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Step s : steps) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", s.name());
                m.put("ok", s.ok());
                m.put("detail", s.detail());
                list.add(m);
            }
            doc.put("steps", list);
            out.println(Json.write(doc));
        }
    }

    /** A failed step; its message is one line. */
    private static final class StepFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String step;

        StepFailed(String step, String message) {
            super(message, null, false, false);
            this.step = step;
        }
    }

    private void step(String name, Action action) {
        String detail;
        try {
            detail = action.run();
        } catch (StepFailed e) {
            throw e;
        } catch (Exception | LinkageError e) {
            String message = e instanceof LinkageError l ? Cli.nativeAccessFailed(l)
                    : e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            steps.add(new Step(name, false, message));
            if (!json) {
                out.printf("FAIL %-10s %s%n", name, message);
            }
            throw new StepFailed(name, message);
        }
        steps.add(new Step(name, true, detail));
        if (!json) {
            String[] lines = detail.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                out.printf("%-4s %-10s %s%n", i == 0 ? "ok" : "", i == 0 ? name : "", lines[i]);
            }
        }
    }

    private void check(SriovConfig config, PciAddress device) {
        VfioSystem[] vfio = new VfioSystem[1];
        int[] group = new int[1];
        step("backend", () -> {
            vfio[0] = opener.apply(config);
            system = vfio[0];
            return "KVM-VFIO (sysfs " + config.sysfsRoot() + ", devices " + config.devRoot() + "), page size "
                    + vfio[0].pageSize();
        });
        step("device", () -> {
            group[0] = vfio[0].iommuGroup(device);
            doc.put("iommuGroup", group[0]);
            return device + " is on vfio-pci, IOMMU group " + group[0];
        });
        List<Object> members = groupMembers(config.sysfsRoot(), group[0]);
        doc.put("groupDevices", members);
        IommuDomain[] domain = new IommuDomain[1];
        step("container", () -> {
            domain[0] = vfio[0].newDomain();
            doc.put("iommuApi", domain[0].api().name());
            return domain[0].api() == IommuApi.IOMMUFD ? "iommufd (/dev/iommu, device cdevs): IO address space allocated"
                    : "legacy container /dev/vfio/vfio: API version 0, type1v2 IOMMU offered (no iommufd: "
                    + "/dev/iommu or /dev/vfio/devices/ missing)";
        });
        try (IommuDomain d = domain[0]) {
            AssignedDevice[] dev = new AssignedDevice[1];
            step("group", () -> {
                dev[0] = d.openDevice(device, group[0]);
                doc.put("groupViable", true);
                StringBuilder b = new StringBuilder("group " + group[0] + (d.api() == IommuApi.IOMMUFD
                        ? " viable, device cdev bound to the iommufd and attached to the IOAS; members:"
                        : " viable, attached to the container (type1v2 set); members:"));
                for (Object m : members) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> mm = (Map<String, Object>) m;
                    b.append(' ').append(mm.get("address")).append(" (").append(mm.get("driver") == null ? "no driver"
                            : mm.get("driver")).append(')');
                }
                return b.toString();
            });
            deviceSteps(d, dev[0], device);
        } catch (StepFailed e) {
            throw e;
        } catch (RuntimeException e) {
            steps.add(new Step("close", false, String.valueOf(e.getMessage())));
            throw new StepFailed("close", String.valueOf(e.getMessage()));
        }
        String closed = domain[0].api() == IommuApi.IOMMUFD ? "device, mappings, IOAS and iommufd closed"
                : "device, mappings, group and container closed";
        steps.add(new Step("close", true, closed));
        if (!json) {
            out.printf("%-4s %-10s %s%n", "ok", "close", closed);
        }
    }

    private void deviceSteps(IommuDomain d, AssignedDevice dev, PciAddress device) {
        step("info", () -> {
            DeviceInfo i = dev.info();
            int ids = dev.readConfig32(0);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("flags", i.flags());
            m.put("pci", i.pci());
            m.put("reset", i.resetSupported());
            m.put("regions", i.regionCount());
            m.put("irqs", i.irqCount());
            m.put("vendor", String.format("%04x", ids & 0xffff));
            m.put("deviceId", String.format("%04x", ids >>> 16));
            doc.put("deviceInfo", m);
            return String.format("%04x:%04x, flags 0x%x (%s%s), %d regions, %d IRQ indexes", ids & 0xffff,
                    ids >>> 16, i.flags(), i.pci() ? "PCI" : "not PCI", i.resetSupported() ? ", reset" : "",
                    i.regionCount(), i.irqCount());
        });
        step("regions", () -> {
            List<Object> list = new ArrayList<>();
            StringBuilder b = new StringBuilder();
            for (int index = 0; index < dev.info().regionCount(); index++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", index);
                m.put("name", index < REGION_NAMES.length ? REGION_NAMES[index] : "region" + index);
                String line;
                try {
                    RegionInfo r = dev.region(index);
                    m.put("size", r.size());
                    m.put("flags", r.flags());
                    m.put("read", r.readable());
                    m.put("write", r.writable());
                    m.put("mmap", r.mappable());
                    List<Object> areas = new ArrayList<>();
                    for (RegionInfo.Area a : r.sparseAreas()) {
                        areas.add(Map.of("offset", a.offset(), "size", a.size()));
                    }
                    m.put("sparseAreas", areas);
                    line = r.size() == 0 ? "not implemented" : String.format("0x%x bytes%s%s%s%s", r.size(),
                            r.readable() ? " read" : "", r.writable() ? " write" : "", r.mappable() ? " mmap" : "",
                            r.sparseAreas().isEmpty() ? "" : " sparse " + r.sparseAreas().stream()
                                    .map(a -> String.format("0x%x+0x%x", a.offset(), a.size())).toList());
                } catch (VfioException e) {
                    m.put("error", e.errno().map(Enum::name).orElse("error"));
                    line = "not present (" + e.errno().map(Enum::name).orElse("error") + ")";
                }
                list.add(m);
                b.append(b.length() == 0 ? "" : "\n").append(String.format("%-6s %s", m.get("name"), line));
            }
            doc.put("regions", list);
            return b.toString();
        });
        step("irqs", () -> {
            List<Object> list = new ArrayList<>();
            StringBuilder b = new StringBuilder();
            for (int index = 0; index < dev.info().irqCount(); index++) {
                String name = index < IRQ_NAMES.length ? IRQ_NAMES[index] : "irq" + index;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", index);
                m.put("name", name);
                try {
                    IrqInfo q = dev.irq(index);
                    m.put("count", q.count());
                    m.put("flags", q.flags());
                    b.append(b.length() == 0 ? "" : ", ").append(name).append(' ').append(q.count());
                } catch (VfioException e) { // vfio-pci: ERR is EINVAL on a device that is not PCI Express
                    m.put("count", 0);
                    m.put("error", e.errno().map(Enum::name).orElse("error"));
                    b.append(b.length() == 0 ? "" : ", ").append(name).append(" none (")
                            .append(e.errno().map(Enum::name).orElse("error")).append(')');
                }
                list.add(m);
            }
            doc.put("irqs", list);
            return b.toString();
        });
        step("notify", () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            StringBuilder b = new StringBuilder();
            for (int index : new int[] {IrqInfo.ERR, IrqInfo.REQ}) {
                boolean available;
                try {
                    IrqInfo q = dev.irq(index);
                    available = q.count() > 0 && q.eventfd();
                } catch (VfioException e) {
                    available = false;
                }
                m.put(IRQ_NAMES[index], available);
                b.append(b.length() == 0 ? "" : ", ").append(IRQ_NAMES[index])
                        .append(index == IrqInfo.ERR ? " (AER errors) " : " (host wants the device back) ")
                        .append(available ? "available" : "not available");
            }
            doc.put("notifications", m);
            return b.toString();
        });
        step("hotreset", () -> {
            HotResetInfo h = dev.hotResetInfo();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("resettable", h.resettable());
            m.put("flags", h.flags());
            List<Object> devices = new ArrayList<>();
            for (HotResetInfo.Dependent x : h.devices()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("address", x.address().toString());
                dm.put(h.iommufdDeviceIds() ? "devId" : "iommuGroup", x.id());
                devices.add(dm);
            }
            m.put("devices", devices);
            m.put("reason", h.reason());
            doc.put("hotReset", m);
            if (!h.resettable()) {
                return "no bus or slot reset: " + h.reason();
            }
            return "a bus or slot reset affects " + h.devices().size() + " function(s): " + String.join(", ",
                    h.devices().stream().map(x -> x.address() + (h.iommufdDeviceIds() ? " (dev id " : " (group ")
                            + x.id() + ")").toList());
        });
        step("iommu", () -> {
            long sizes = d.pageSizes();
            List<Object> pages = new ArrayList<>();
            for (long bits = sizes; bits != 0; bits &= bits - 1) {
                pages.add(Long.lowestOneBit(bits));
            }
            List<Object> ranges = new ArrayList<>();
            for (IovaRange r : d.iovaRanges()) {
                ranges.add(Map.of("start", r.start(), "end", r.end()));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pageSizes", sizes);
            m.put("pageSizeList", pages);
            m.put("iovaRanges", ranges);
            m.put("dmaMappingsAvailable", d.dmaMappingsAvailable());
            doc.put("iommu", m);
            return String.format("page sizes 0x%x (%s), IOVA ranges %s, %d DMA mappings available", sizes,
                    String.join(" ", pages.stream().map(p -> human((Long) p)).toList()), d.iovaRanges(),
                    d.dmaMappingsAvailable());
        });
        step("dma", () -> {
            try (HostMemory ram = openMemory()) {
                long t0 = System.nanoTime();
                d.map(ROUND_TRIP_IOVA, ram.address(), ram.length(), DmaAccess.READ_WRITE);
                long unmapped = d.unmap(ROUND_TRIP_IOVA, ram.length());
                long micros = (System.nanoTime() - t0) / 1000;
                if (unmapped != ROUND_TRIP_BYTES) {
                    throw new IllegalStateException("the kernel unmapped 0x" + Long.toHexString(unmapped)
                            + " bytes, 0x" + Long.toHexString(ROUND_TRIP_BYTES) + " were mapped");
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("iova", ROUND_TRIP_IOVA);
                m.put("length", ROUND_TRIP_BYTES);
                m.put("unmapped", unmapped);
                m.put("micros", micros);
                doc.put("dma", m);
                return String.format("mapped 2 MiB at IOVA 0x%x and unmapped it (kernel: 0x%x bytes) in %d us",
                        ROUND_TRIP_IOVA, unmapped, micros);
            }
        });
    }

    private HostMemory openMemory() {
        VfioSystem v = system;
        if (v == null) {
            throw new IllegalStateException("no backend");
        }
        return v.allocate(ROUND_TRIP_BYTES);
    }

    private static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "G";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "M";
        }
        return bytes >= 1024 && bytes % 1024 == 0 ? (bytes >> 10) + "K" : String.valueOf(bytes);
    }

    /** The functions in an IOMMU group and their drivers, from sysfs. */
    static List<Object> groupMembers(Path sysfsRoot, int group) {
        List<Object> list = new ArrayList<>();
        Path dir = sysfsRoot.resolve("kernel/iommu_groups").resolve(String.valueOf(group)).resolve("devices");
        if (!Files.isDirectory(dir)) {
            return list;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", p.getFileName().toString());
                Path drv = sysfsRoot.resolve("bus/pci/devices").resolve(p.getFileName().toString()).resolve("driver");
                String driver = null;
                if (Files.exists(drv, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        driver = Files.readSymbolicLink(drv).getFileName().toString();
                    } catch (IOException e) {
                        driver = null;
                    }
                }
                m.put("driver", driver);
                list.add(m);
            }
        } catch (IOException e) {
            return list;
        }
        return list;
    }
}
