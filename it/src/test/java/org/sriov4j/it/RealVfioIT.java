package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.GuestSysfs.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovHost;
import org.sriov4j.vfio.AssignedDevice;
import org.sriov4j.vfio.BarMapping;
import org.sriov4j.vfio.DeviceNotification;
import org.sriov4j.vfio.DeviceNotifications;
import org.sriov4j.vfio.DmaAccess;
import org.sriov4j.vfio.DmaMapping;
import org.sriov4j.vfio.EventFd;
import org.sriov4j.vfio.HostMemory;
import org.sriov4j.vfio.HotResetInfo;
import org.sriov4j.vfio.IommuApi;
import org.sriov4j.vfio.IommuDomain;
import org.sriov4j.vfio.IrqInfo;
import org.sriov4j.vfio.VfioError;
import org.sriov4j.vfio.VfioException;
import org.sriov4j.vfio.VfioSystem;

/**
 * Issue 5 on the real kernel: the KVM-VFIO backend drives a leased 82576 VF through sriov4j (lease, domain, device,
 * 2 MiB DMA map/unmap, config space, BAR0, MSI-X eventfds, reset, close in order, VF back on igbvf), the documented
 * refusals ({@link VfioError}: overlapping, unaligned and out-of-range maps, the same group twice, a non-viable group,
 * a function not on vfio-pci), the ERR/REQ notifications (an unbind of a leased VF reaches the watcher as REQUEST and
 * the listener releases it), the hot-reset info of a VF, and {@code sriov4j vfio-check} in a child JVM. The expectations are the ones the fake
 * kernel is held to in vfio-impl's {@code VfioErrorTest}: one table, {@link VfioError}, for both.
 *
 * <p>Kernel fact: a VF must never be unbound, nor its PF's VFs disabled, while a VFIO device descriptor of it is
 * open (the unbind blocks uninterruptibly): every device and domain is closed in a finally block (try-with-resources)
 * before the lease is released and before {@link #cleanUp()} disables the VFs.
 */
class RealVfioIT {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final PciAddress NIC1 = PciAddress.parse("0000:04:01.0");
    static final PciAddress NIC2 = PciAddress.parse("0000:04:02.0");
    static final Path SYS = Path.of("/sys/bus/pci");
    static final long IOVA = 0x1000_0000L;
    static final long MIB2 = 2L << 20;

    SriovHost host;
    VfioSystem vfio;

    @BeforeEach
    void twoVfsOnIgbvf() {
        host = SriovHost.open(SriovConfig.defaults());
        host.recover();
        host.enableVfs(PF, 2);
        vfio = VfioSystem.open();
    }

    @AfterEach
    void cleanUp() {
        host.recover().keptDetached().forEach(host::reattach);
        host.disableVfs(PF);
        host.close();
    }

    PciAddress vf(int i) {
        return host.topology().physicalFunction(PF).orElseThrow().vfs().get(i);
    }


    /** The IOMMU group of any function, from sysfs (whatever its driver). */
    static int iommuGroup(PciAddress f) throws IOException {
        Path link = SYS.resolve("devices").resolve(f.toString()).resolve("iommu_group");
        return Integer.parseInt(Files.readSymbolicLink(link).getFileName().toString());
    }

    static void expect(VfioError error, Runnable r) {
        VfioException e = assertThrows(VfioException.class, r::run);
        System.out.println("  " + error + ": " + e.getMessage());
        assertTrue(error.matches(e), error + " expected, got " + e.kind() + " (errno " + e.errnoNumber()
                + ", before kernel " + e.rejectedBeforeKernel() + "): " + e.getMessage());
        error.errno().ifPresent(n -> assertEquals(n, e.errno().orElseThrow(), e.getMessage()));
    }

    @Test
    void aLeasedVfThroughTheBackendAndBackToIgbvf() throws IOException {
        PciAddress vf0 = vf(0);
        assertEquals(Optional.of("igbvf"), driver(vf0));
        try (Lease lease = host.lease(vf0, "vm-vfio")) {
            assertEquals(Optional.of("vfio-pci"), driver(vf0), "a managed lease detaches to vfio-pci");
            try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
                try (AssignedDevice dev = domain.openDevice(lease)) {
                    assertEquals(vf0, dev.address());
                    assertEquals(List.of(dev.iommuGroup()), domain.groups());
                    ram.buffer().putLong(0, 0x1122_3344_5566_7788L);
                    DmaMapping m = domain.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
                    assertEquals(List.of(m), domain.mappings());
                    assertEquals(MIB2, domain.unmap(IOVA, MIB2), "the kernel reports the size unmapped");
                    assertTrue(domain.mappings().isEmpty());

                    assertEquals(0x10ca8086, dev.readConfig32(0), "vendor 8086, device 10ca (82576 VF)");

                    try (BarMapping bar0 = dev.mapRegion(0)) {
                        assertFalse(bar0.parts().isEmpty());
                        int status = bar0.at(0x8).getInt();
                        System.out.printf("  BAR0 of %s: %d part(s), VTSTATUS (0x8) = 0x%08x%n", vf0,
                                bar0.parts().size(), status);
                    }

                    int vectors = dev.irq(IrqInfo.MSIX).count();
                    assertTrue(vectors >= 1, "MSI-X vectors: " + vectors);
                    List<EventFd> fds = new ArrayList<>();
                    try {
                        for (int i = 0; i < vectors; i++) {
                            fds.add(vfio.newEventFd());
                        }
                        dev.enableInterrupts(IrqInfo.MSIX, fds);
                        dev.triggerInterrupt(IrqInfo.MSIX, 0);
                        assertEquals(1, fds.get(0).read(), "the loopback trigger signals eventfd 0");
                        dev.disableInterrupts(IrqInfo.MSIX);
                    } finally {
                        fds.forEach(EventFd::close);
                    }

                    assertTrue(dev.info().resetSupported());
                    dev.reset();
                    assertEquals(0x10ca8086, dev.readConfig32(0), "config space readable after the reset");

                    expect(VfioError.NOT_BOUND_TO_VFIO_PCI, () -> domain.openDevice(vf(1)));
                }
                assertTrue(domain.devices().isEmpty());
            }
            assertTrue(lease.isHeld());
        }
        assertEquals(Optional.of("igbvf"), driver(vf0), "the released VF is back on igbvf");
        assertEquals(List.of(), host.assignments());
    }

    /**
     * The host takes the VF back while a guest holds it: an administrator writes its BDF to vfio-pci's {@code unbind}
     * (which blocks in the kernel until the device descriptor is closed); vfio-pci signals the REQ eventfd; the
     * watcher's listener gets REQUEST and closes the device; the unbind completes. Also the ERR/REQ IRQ info, an ERR
     * loopback through the watcher, and what VFIO_DEVICE_GET_PCI_HOT_RESET_INFO says for a VF. Afterwards the VF is
     * driverless with driver_override still vfio-pci: a probe puts it back on vfio-pci, and the lease's release then
     * restores igbvf as usual.
     */
    @Test
    void anUnbindOfALeasedVfReachesTheWatcherAsRequestAndTheListenerReleasesIt() throws Exception {
        PciAddress vf0 = vf(0);
        assertEquals(Optional.of("igbvf"), driver(vf0));
        try (Lease lease = host.lease(vf0, "vm-vfio")) {
            assertEquals(Optional.of("vfio-pci"), driver(vf0));
            Thread unbinder = null;
            AtomicReference<Throwable> unbindFailure = new AtomicReference<>();
            try (IommuDomain domain = vfio.newDomain()) {
                AssignedDevice dev = domain.openDevice(lease);
                int group = dev.iommuGroup();
                try {
                    IrqInfo err = dev.irq(IrqInfo.ERR);
                    IrqInfo req = dev.irq(IrqInfo.REQ);
                    System.out.printf("  ERR: count %d flags 0x%x; REQ: count %d flags 0x%x%n", err.count(),
                            err.flags(), req.count(), req.flags());
                    assertEquals(1, err.count(), "a VF behind a PCIe root port is PCI Express: one ERR vector");
                    assertEquals(1, req.count(), "one REQ vector");
                    assertTrue(err.eventfd() && req.eventfd());
                    assertTrue(err.noResize() && req.noResize());

                    HotResetInfo reset = dev.hotResetInfo();
                    System.out.println("  IOMMU API " + domain.api() + "; hot reset of " + vf0 + ": resettable " + reset.resettable() + ", flags "
                            + reset.flags() + ", devices " + reset.devices() + ", groups " + reset.iommuGroups()
                            + " (" + reset.reason() + ")");
                    // 6.12: no slot reset for a VF, but a bus reset of bus 01 (below the root port): it resets the
                    // PF and every VF; on the group path the ids are the IOMMU groups (flags 0)
                    assertTrue(reset.resettable(), reset.reason());
                    assertEquals(0, reset.flags());
                    assertEquals(List.of(new HotResetInfo.Dependent(PF, iommuGroup(PF)),
                            new HotResetInfo.Dependent(vf0, dev.iommuGroup()),
                            new HotResetInfo.Dependent(vf(1), iommuGroup(vf(1)))), reset.devices());

                    BlockingQueue<DeviceNotification> got = new LinkedBlockingQueue<>();
                    DeviceNotifications watch = dev.watch(n -> {
                        got.add(n);
                        if (n.kind() == DeviceNotification.Kind.REQUEST) {
                            dev.close(); // lets the host's unbind finish
                        }
                    });
                    System.out.println("  watching " + watch.enabled() + ", unavailable " + watch.unavailable());
                    assertEquals(java.util.Set.of(DeviceNotification.Kind.ERROR, DeviceNotification.Kind.REQUEST),
                            watch.enabled());

                    dev.triggerInterrupt(IrqInfo.ERR, 0); // loopback: the kernel signals the ERR eventfd
                    DeviceNotification loop = got.poll(10, TimeUnit.SECONDS);
                    assertEquals(new DeviceNotification(vf0, DeviceNotification.Kind.ERROR, 1), loop);

                    long t0 = System.nanoTime();
                    unbinder = new Thread(() -> {
                        try {
                            Files.writeString(SYS.resolve("drivers/vfio-pci/unbind"), vf0.toString());
                        } catch (Throwable t) {
                            unbindFailure.set(t);
                        }
                    }, "unbind " + vf0);
                    unbinder.start();
                    DeviceNotification n = got.poll(30, TimeUnit.SECONDS);
                    System.out.printf("  unbind -> %s after %d ms%n", n, (System.nanoTime() - t0) / 1_000_000);
                    assertEquals(new DeviceNotification(vf0, DeviceNotification.Kind.REQUEST, 1), n);
                    unbinder.join(30_000);
                    assertFalse(unbinder.isAlive(), "the unbind finished once the listener closed the device");
                    System.out.printf("  unbind finished after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                    assertEquals(null, unbindFailure.get());
                    assertFalse(dev.isOpen());
                    assertFalse(watch.isOpen());
                    assertEquals(Optional.empty(), driver(vf0), "unbound from vfio-pci");
                } finally {
                    dev.close(); // never leave the unbind blocked: it waits, unkillable, for this descriptor
                }
                // the kernel detached the group from the container when its last device left vfio-pci: the
                // domain still closes cleanly (GROUP_UNSET_CONTAINER's EINVAL is recognised as that)
                assertEquals(List.of(group), domain.groups());
            }
            if (unbinder != null) {
                unbinder.join(30_000);
            }
            Path override = SYS.resolve("devices").resolve(vf0.toString()).resolve("driver_override");
            assertEquals("vfio-pci", Files.readString(override).strip(), "vfio-pci/unbind keeps the override");
            Files.writeString(SYS.resolve("drivers_probe"), vf0.toString());
            assertEquals(Optional.of("vfio-pci"), driver(vf0), "back on vfio-pci, as the lease left it");
        }
        assertEquals(Optional.of("igbvf"), driver(vf0), "the released VF is back on igbvf");
        assertEquals(List.of(), host.assignments());
    }

    @Test
    void overlappingUnalignedAndOutOfRangeMapsAreRefusedAsDocumented() {
        try (Lease lease = host.lease(vf(0), "vm-vfio");
                IommuDomain domain = vfio.newDomain();
                HostMemory ram = vfio.allocate(MIB2)) {
            try (AssignedDevice dev = domain.openDevice(lease)) {
                System.out.printf("  IOMMU page sizes 0x%x, IOVA ranges %s%n", domain.pageSizes(),
                        domain.iovaRanges());
                assertEquals(4096, domain.minPageSize());
                domain.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
                expect(VfioError.OVERLAPPING_MAP, () -> domain.map(IOVA + 0x10_0000L, ram.address(), 4096,
                        DmaAccess.READ_WRITE));
                expect(VfioError.UNALIGNED_MAP, () -> domain.map(0x2000_0800L, ram.address(), 4096,
                        DmaAccess.READ_WRITE));
                expect(VfioError.MAP_OUTSIDE_IOVA_RANGES, () -> domain.map(0xfee0_0000L, ram.address(), 4096,
                        DmaAccess.READ_WRITE));
                assertEquals(MIB2, domain.unmap(IOVA, MIB2));
            }
        }
    }

    @Test
    void theSameGroupTwiceIsBusyUntilTheFirstDomainCloses() {
        try (Lease lease = host.lease(vf(0), "vm-vfio"); IommuDomain second = vfio.newDomain()) {
            try (IommuDomain first = vfio.newDomain(); AssignedDevice dev = first.openDevice(lease)) {
                expect(VfioError.GROUP_ALREADY_OPEN, () -> second.openDevice(lease));
                assertTrue(second.groups().isEmpty());
                assertTrue(dev.isOpen());
            }
            try (AssignedDevice again = second.openDevice(lease)) {
                assertEquals(0x10ca8086, again.readConfig32(0), "free again once the first domain closed");
            }
        }
    }

    @Test
    void aNonViableGroupIsRefusedAsDocumented() throws IOException {
        Assumptions.assumeTrue(Files.exists(SYS.resolve("devices").resolve(NIC2.toString())),
                "no pcie-pci-bridge with two e1000 NICs in this machine (dual only)");
        assertEquals(Optional.of("e1000"), driver(NIC1));
        assertEquals(Optional.of("e1000"), driver(NIC2));
        Path nic1 = SYS.resolve("devices").resolve(NIC1.toString());
        try {
            // raw sysfs, as an administrator would: the engine itself refuses this detach (RealNonViableGroupIT)
            Files.writeString(nic1.resolve("driver_override"), "vfio-pci");
            Files.writeString(SYS.resolve("drivers/e1000/unbind"), NIC1.toString());
            Files.writeString(SYS.resolve("drivers_probe"), NIC1.toString());
            assertEquals(Optional.of("vfio-pci"), driver(NIC1));
            assertEquals(Optional.of("e1000"), driver(NIC2));
            int group = vfio.iommuGroup(NIC1);
            assertTrue(Files.exists(Path.of("/dev/vfio/" + group)), "/dev/vfio/" + group);
            try (IommuDomain domain = vfio.newDomain()) {
                expect(VfioError.GROUP_NOT_VIABLE, () -> domain.openDevice(NIC1));
                expect(VfioError.GROUP_NOT_VIABLE, () -> domain.openDevice(NIC1, group));
                assertTrue(domain.groups().isEmpty());
            }
        } finally {
            Files.writeString(nic1.resolve("driver_override"), "\n");
            if (driver(NIC1).equals(Optional.of("vfio-pci"))) {
                Files.writeString(SYS.resolve("drivers/vfio-pci/unbind"), NIC1.toString());
            }
            if (driver(NIC1).isEmpty()) {
                Files.writeString(SYS.resolve("drivers_probe"), NIC1.toString());
            }
        }
        assertEquals(Optional.of("e1000"), driver(NIC1), "restored");
        assertEquals(Optional.of("e1000"), driver(NIC2));
    }

    record Run(int status, String out, String err) {
    }

    /** {@code sriov4j ARGS} in a child JVM (the CLI's Main on this JVM's class path). */
    static Run cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.sriov4j.cli.Main");
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("vfio-check", ".out");
        Path err = Files.createTempFile("vfio-check", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the CLI did not finish in 300 s");
            Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            System.out.println("  sriov4j " + String.join(" ", args) + " -> " + r.status() + "\n" + r.out() + r.err());
            return r;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void vfioCheckReportsEveryStepOfALeasedVfAndFailsOnOneOnIgbvf() throws Exception {
        PciAddress vf0 = vf(0);
        try (Lease lease = host.lease(vf0, "vm-vfio")) {
            Run ok = cli("vfio-check", vf0.toString(), "--json");
            assertEquals(0, ok.status(), ok.out() + ok.err());
            assertTrue(ok.out().contains("\"ok\": true"), ok.out());
            assertTrue(ok.out().contains("\"deviceId\": \"10ca\""), ok.out());
            assertTrue(ok.out().contains("\"unmapped\": 2097152"), ok.out());
            assertTrue(ok.out().contains("\"groupViable\": true"), ok.out());
            assertTrue(ok.out().contains("\"iommuApi\": \"LEGACY_CONTAINER\""), ok.out()); // 6.12: no iommufd
            assertTrue(ok.out().contains("\"name\": \"MSI-X\""), ok.out());
            assertTrue(ok.out().contains("\"step\": \"close\""), ok.out());
            assertTrue(ok.out().contains("\"notifications\": {\n    \"ERR\": true,\n    \"REQ\": true"), ok.out());
            assertTrue(ok.out().contains("\"resettable\": true"), ok.out());
            assertTrue(ok.out().contains("\"address\": \"" + vf0 + "\""), ok.out());
            assertTrue(lease.isHeld());
        }
        Run refused = cli("vfio-check", vf(1).toString());
        assertEquals(1, refused.status(), refused.out() + refused.err());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertTrue(refused.err().contains("device failed") && refused.err().contains("igbvf, not vfio-pci"),
                refused.err());
    }

    /**
     * Which IOMMU interface the backend picks here. Debian 12's 6.12 kernel is built without {@code CONFIG_IOMMUFD}
     * and {@code CONFIG_VFIO_DEVICE_CDEV}: no {@code /dev/iommu}, and a function on vfio-pci gets a
     * {@code vfio-dev/vfioN} entry without a {@code dev} attribute (no cdev node). sriov4j must pick the legacy
     * container by itself and refuse an explicit iommufd request naming the kernel option. What a kernel with
     * iommufd would have to prove is the fake's {@code IommufdDomainTest} scenario on real nodes (it/README.md).
     */
    @Test
    void withoutIommufdTheBackendPicksTheLegacyContainerAndRefusesIommufdNamingTheOption() throws IOException {
        PciAddress vf = vf(0);
        assertFalse(Files.exists(Path.of("/dev/iommu")), "Debian's 6.12 has no iommufd");
        try (Lease lease = host.lease(vf, "vm-api")) {
            Path vfioDev = Path.of("/sys/bus/pci/devices", vf.toString(), "vfio-dev");
            List<Path> entries;
            try (Stream<Path> s = Files.list(vfioDev)) {
                entries = s.toList();
            }
            System.out.println("  " + vfioDev + ": " + entries);
            assertEquals(1, entries.size(), "the vfio-dev class device exists without CONFIG_VFIO_DEVICE_CDEV");
            assertFalse(Files.exists(entries.get(0).resolve("dev")), "but it has no dev attribute: no cdev node");
            assertFalse(Files.isDirectory(Path.of("/dev/vfio/devices")));

            assertEquals(IommuApi.LEGACY_CONTAINER, vfio.preferredApi());
            VfioException e = assertThrows(VfioException.class, () -> vfio.newDomain(IommuApi.IOMMUFD));
            System.out.println("  newDomain(IOMMUFD): " + e.getMessage());
            assertEquals(Errno.ENOENT.number(), e.errnoNumber().orElseThrow());
            assertTrue(e.getMessage().contains("CONFIG_IOMMUFD"), e.getMessage());

            try (IommuDomain domain = vfio.newDomain(); HostMemory ram = vfio.allocate(MIB2)) {
                assertEquals(IommuApi.LEGACY_CONTAINER, domain.api());
                try (AssignedDevice dev = domain.openDevice(lease)) {
                    assertEquals(0x10ca8086, dev.readConfig32(0));
                    domain.map(IOVA, ram.address(), MIB2, DmaAccess.READ_WRITE);
                    assertEquals(MIB2, domain.unmap(IOVA, MIB2));
                }
            }
        }
    }
}
