package org.sriov4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sriov4j.it.ChildJvms.awaitLine;
import static org.sriov4j.it.GuestSysfs.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sriov4j.Errno;
import org.sriov4j.Lease;
import org.sriov4j.MacAddress;
import org.sriov4j.PciAddress;
import org.sriov4j.SriovConfig;
import org.sriov4j.SriovException;
import org.sriov4j.SriovHost;
import org.sriov4j.VfEnableOptions;
import org.sriov4j.VfNetConfig;
import org.sriov4j.VfNetConfigException;
import org.sriov4j.spi.RtNetlink;
import org.sriov4j.testing.contract.IpLink;

/**
 * Issue 11 on the real 6.12 kernel and igb: every VF setting made through the library and read back with
 * {@code ip -d link show} (iproute2, an independent reader); igb's refusals with the kernel's own errnos, asked
 * through the netlink seam directly (no vendor pre-check) and through the library (pre-checked, same errno); a lease
 * with MAC and VLAN held by a CLI process, {@code kill -9}, {@code recover}, and {@code ip link} shows the saved values
 * again; a renamed PF netdev found again by PCI address. Leaves the PF as it found it (link down, named as before, no
 * VFs).
 */
class RealVfNetIT {

    static final PciAddress PF = PciAddress.parse("0000:01:00.0");
    static final Path SYS = Path.of("/sys/bus/pci/devices");
    static final MacAddress MAC = MacAddress.parse("02:5a:11:00:00:01");

    SriovHost host;
    String netdev;
    final ChildJvms jvms = new ChildJvms();

    @BeforeEach
    void open() throws IOException {
        host = SriovHost.open(SriovConfig.defaults());
        host.recover();
        netdev = netdevOfPf();
    }

    @AfterEach
    void putBack() throws IOException, InterruptedException {
        jvms.close();
        host.recover().keptDetached().forEach(host::reattach);
        String now = netdevOfPf();
        IpLink.ip("link", "set", now, "down");
        if (!now.equals(netdev)) {
            IpLink.ip("link", "set", now, "name", netdev);
        }
        host.disableVfs(PF);
        Files.writeString(SYS.resolve(PF.toString()).resolve("sriov_drivers_autoprobe"), "1");
        host.close();
    }

    static String netdevOfPf() throws IOException {
        try (var s = Files.list(SYS.resolve(PF.toString()).resolve("net"))) {
            return s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        }
    }

    Map<Integer, VfNetConfig> ipLink() throws IOException {
        return IpLink.parse(IpLink.ip("-d", "link", "show", netdevOfPf()));
    }


    @Test
    void everySettingMadeThroughTheLibraryIsWhatIpLinkShows() throws IOException {
        List<PciAddress> vfs = host.enableVfs(PF, 3, VfEnableOptions.builder().driversAutoprobe(false).build()).vfs();
        Map<Integer, VfNetConfig> before = ipLink();
        assertEquals(3, before.size(), before.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(before.get(i), host.vfNetConfig(vfs.get(i)).only(before.get(i).settings()),
                    "the library reads VF " + i + " as ip does");
            assertEquals(Optional.of(MacAddress.ZERO), before.get(i).mac());
            assertEquals(Optional.of(true), before.get(i).spoofCheck());
            assertEquals(Optional.of(false), before.get(i).trust());
            assertEquals(Optional.of(VfNetConfig.LinkState.AUTO), before.get(i).linkState());
        }
        new IpLink().setLinkUp(netdev, true);
        VfNetConfig change = VfNetConfig.builder().mac(MAC).vlan(100, 3).spoofCheck(false).trust(true)
                .maxTxRateMbps(100).build();
        VfNetConfig returned = host.configureVf(vfs.get(1), change);
        VfNetConfig seen = ipLink().get(1);
        assertEquals(seen, returned.only(seen.settings()), "what configureVf returns (not read again) is what ip shows");
        assertEquals(Optional.of(MAC), seen.mac());
        assertEquals(Optional.of(new VfNetConfig.Vlan(100, 3, VfNetConfig.VlanProtocol.IEEE_802_1Q)), seen.vlan());
        assertEquals(Optional.of(false), seen.spoofCheck());
        assertEquals(Optional.of(true), seen.trust());
        assertEquals(100, seen.maxTxRateMbps().orElse(0));
        assertEquals(before.get(0), ipLink().get(0), "VF 0 untouched");
        assertEquals(before.get(2), ipLink().get(2), "VF 2 untouched");
        Map<PciAddress, VfNetConfig> all = host.vfNetConfigs(PF);
        assertEquals(seen, all.get(vfs.get(1)).only(seen.settings()));
        assertTrue(host.vfStats(vfs.get(1)).rxPackets() >= 0);

        host.configureVf(vfs.get(1), VfNetConfig.builder().mac(MacAddress.ZERO).vlan(VfNetConfig.Vlan.NONE)
                .spoofCheck(true).trust(false).maxTxRateMbps(0).build());
        assertEquals(before.get(1), ipLink().get(1), "everything back, the all-zero MAC included");
    }

    private static Errno kernelErrno(RtNetlink n, int ifindex, int vf, VfNetConfig setting) {
        SriovException e = assertThrows(SriovException.class, () -> n.setVf(ifindex, vf, setting));
        return e.errno().orElseThrow(() -> new AssertionError("no errno: " + e.getMessage()));
    }

    @Test
    void igbsRefusalsAreTheKernelsErrnosAndTheLibraryRaisesTheSameBeforeAnyChange() throws IOException {
        PciAddress vf = host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(false).build()).vfs()
                .get(0);
        try (RtNetlink n = org.sriov4j.spi.netlink.SocketRtNetlink.system()) {
            int ifindex = n.link(netdev).index();
            assertEquals(Errno.EOPNOTSUPP, kernelErrno(n, ifindex, 0, VfNetConfig.builder()
                    .linkState(VfNetConfig.LinkState.DISABLE).build()));
            assertEquals(Errno.EINVAL, kernelErrno(n, ifindex, 0, VfNetConfig.builder().minTxRateMbps(10)
                    .maxTxRateMbps(0).build()));
            assertEquals(Errno.EPROTONOSUPPORT, kernelErrno(n, ifindex, 0, VfNetConfig.builder()
                    .vlan(new VfNetConfig.Vlan(5, 0, VfNetConfig.VlanProtocol.IEEE_802_1AD)).build()));
            assertEquals(Errno.EINVAL, kernelErrno(n, ifindex, 0, VfNetConfig.builder().minTxRateMbps(0)
                    .maxTxRateMbps(100).build()), "max_tx_rate while the PF link is down");
            assertEquals(Errno.EINVAL, kernelErrno(n, ifindex, 2, VfNetConfig.builder().trust(true).build()),
                    "VF index 2 of 2");
            // (max_tx_rate 0 while down: accepted on a PF never brought up since igb probed it, EINVAL once it has
            // been up and down again; not asserted either way)
            new IpLink().setLinkUp(netdev, true);
            assertEquals(Errno.EINVAL, kernelErrno(n, ifindex, 0, VfNetConfig.builder().minTxRateMbps(0)
                    .maxTxRateMbps(100_000).build()), "above the link speed");
            n.setVf(ifindex, 0, VfNetConfig.builder().minTxRateMbps(0).maxTxRateMbps(100).build());
            n.setVf(ifindex, 0, VfNetConfig.builder().minTxRateMbps(0).maxTxRateMbps(0).build());
            IpLink.ip("link", "set", netdev, "down");
        }
        Map<Integer, VfNetConfig> before = ipLink();
        VfNetConfig[] refused = {VfNetConfig.builder().mac(MAC).linkState(VfNetConfig.LinkState.DISABLE).build(),
            VfNetConfig.builder().mac(MAC).minTxRateMbps(10).build(),
            VfNetConfig.builder().mac(MAC).vlan(new VfNetConfig.Vlan(5, 0, VfNetConfig.VlanProtocol.IEEE_802_1AD))
                .build(),
            VfNetConfig.builder().mac(MAC).maxTxRateMbps(100).build()};
        Errno[] errnos = {Errno.EOPNOTSUPP, Errno.EINVAL, Errno.EPROTONOSUPPORT, Errno.EINVAL};
        for (int i = 0; i < refused.length; i++) {
            VfNetConfig change = refused[i];
            VfNetConfigException e = assertThrows(VfNetConfigException.class, () -> host.configureVf(vf, change));
            assertEquals(Optional.of(errnos[i]), e.errno(), e.getMessage());
            assertEquals(before, ipLink(), "nothing changed: " + e.getMessage());
        }
    }



    @Test
    void aLeaseWithMacAndVlanKilledWithSignal9IsUndoneByRecoverAndIpLinkShowsTheSavedValuesAgain()
            throws Exception {
        PciAddress vf = host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(true).build()).vfs().get(1);
        // on igbvf, as a host would have it
        assertEquals(Optional.of("igbvf"), driver(vf));
        VfNetConfig before = ipLink().get(1);
        System.out.println("RealVfNetIT: VF 1 on igbvf before the lease, as ip shows it: " + before);
        Process holder = jvms.cli("lease", vf.toString(), "--guest", "vm-net", "--hold", "--mac", MAC.toString(),
                "--vlan", "100:2");
        String held = awaitLine(holder, "holding until stopped");
        assertTrue(held.contains("mac " + MAC), held);
        assertEquals(Optional.of("vfio-pci"), driver(vf));
        VfNetConfig leased = ipLink().get(1);
        assertEquals(Optional.of(MAC), leased.mac());
        assertEquals(Optional.of(new VfNetConfig.Vlan(100, 2, VfNetConfig.VlanProtocol.IEEE_802_1Q)), leased.vlan());
        assertEquals(Optional.of(true), leased.spoofCheck(), "secure default");
        assertEquals(Optional.of(false), leased.trust(), "secure default");

        holder.destroyForcibly().waitFor();
        assertEquals(Optional.of(MAC), ipLink().get(1).mac(), "a killed holder restores nothing itself");
        Process status = jvms.cli("status", "--json");
        String json = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(status.waitFor(120, TimeUnit.SECONDS));
        assertTrue(json.contains("\"savedNetConfig\": {") && json.contains("\"mac\": \"" + before.mac().orElseThrow()
                + "\""), json);
        Process recover = jvms.cli("recover");
        String report = new String(recover.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(recover.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, recover.exitValue(), report);
        assertTrue(report.contains("restored " + vf), report);
        assertEquals(before, ipLink().get(1), "ip link shows the saved values again");
        assertEquals(Optional.of("igbvf"), driver(vf));
        assertEquals(List.of(), host.assignments());
    }

    /** Binds a function to a driver through {@code driver_override}, as a guest's or the host's probe would. */
    static void bind(PciAddress f, String to) throws IOException {
        Path dev = SYS.resolve(f.toString());
        Optional<String> now = driver(f);
        if (now.isPresent()) {
            Files.writeString(dev.resolve("driver").resolve("unbind"), f.toString());
        }
        Files.writeString(dev.resolve("driver_override"), to);
        Files.writeString(Path.of("/sys/bus/pci/drivers_probe"), f.toString());
        assertEquals(Optional.of(to), driver(f));
    }

    /** Waits until ip shows VF {@code index} with a MAC other than {@code not}, or 10 s; returns what it shows. */
    Optional<MacAddress> macOtherThan(int index, MacAddress not) throws Exception {
        Optional<MacAddress> m = Optional.empty();
        for (int i = 0; i < 100; i++) {
            m = ipLink().get(index).mac();
            if (m.isPresent() && !m.get().equals(not)) {
                break;
            }
            Thread.sleep(100);
        }
        return m;
    }

    @Test
    void aMacTheVfDriverChoseDuringALeaseGoesBackToTheAllZeroAdministrativeMac() throws Exception {
        // the PF up: igb answers the VF driver's mailbox (reset, MAC) only then
        new IpLink().setLinkUp(netdev, true);
        PciAddress vf = host.enableVfs(PF, 2, VfEnableOptions.builder().driversAutoprobe(false).build()).vfs()
                .get(1);
        host.detach(vf);
        VfNetConfig detached = ipLink().get(1);
        System.out.println("RealVfNetIT: VF 1 detached (vfio-pci), no administrative MAC, ip shows: " + detached);
        try (Lease lease = host.lease(vf, "vm-mac", VfNetConfig.none())) {
            assertEquals(detached.mac(), host.savedVfNetConfig(vf).orElseThrow().mac(), "the MAC before is saved");
            // the guest's igbvf: with no administrative MAC it picks a random one and tells the PF (mailbox)
            bind(vf, "igbvf");
            String vfNetdev;
            try (var l = Files.list(SYS.resolve(vf.toString()).resolve("net"))) {
                vfNetdev = l.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
            }
            IpLink.ip("link", "set", vfNetdev, "up");
            Optional<MacAddress> chosen = macOtherThan(1, detached.mac().orElseThrow());
            System.out.println("RealVfNetIT: VF 1 on igbvf, up, ip shows MAC " + chosen);
            IpLink.ip("link", "set", vfNetdev, "down");
            bind(vf, "vfio-pci"); // the guest is gone
            System.out.println("RealVfNetIT: VF 1 back on vfio-pci, ip shows MAC " + ipLink().get(1).mac());
        }
        VfNetConfig after = ipLink().get(1);
        System.out.println("RealVfNetIT: VF 1 after the lease ended (restored), ip shows: " + after);
        assertEquals(detached.mac(), after.mac(), "the administrative MAC as it was");
        host.reattach(vf);
        System.out.println("RealVfNetIT: VF 1 reattached (no driver), ip shows MAC " + ipLink().get(1).mac());
        IpLink.ip("link", "set", netdev, "down");
    }

    @Test
    void aRenamedPfNetdevIsFoundAgainByPciAddressWhenTheLeaseEnds() throws IOException {
        PciAddress vf = host.enableVfs(PF, 1, VfEnableOptions.builder().driversAutoprobe(false).build()).vfs()
                .get(0);
        VfNetConfig before = ipLink().get(0);
        Lease lease = host.lease(vf, "vm-net", VfNetConfig.builder().mac(MAC).vlan(12).build());
        IpLink.ip("link", "set", netdev, "name", "sriov4jpf0");
        assertEquals("sriov4jpf0", netdevOfPf());
        assertEquals(Optional.of(MAC), host.vfNetConfig(vf).mac());
        lease.close();
        assertEquals(before, ipLink().get(0));
    }
}
