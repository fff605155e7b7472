package org.sriov4j.testing.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sriov4j.MacAddress;
import org.sriov4j.VfNetConfig;

/**
 * The independent reader of VF settings on a real host: runs iproute2's {@code ip -d link show DEV} and parses its
 * {@code vf N} lines, as iproute2 6.1 prints them ({@code print_vfinfo}): {@code vf 0 link/ether MAC brd ..., vlan
 * ID, qos Q, vlan protocol 802.1ad, tx rate R (Mbps), max_tx_rate RMbps, min_tx_rate RMbps, spoof checking on|off,
 * link-state auto|enable|disable, trust on|off}, each part present only when iproute2 prints it (no VLAN, no QoS,
 * rate 0 and settings the driver reports as -1 are left out).
 */
public final class IpLink implements NetInspector {

    private static final Pattern VF = Pattern.compile("^\\s*vf (\\d+)\\s+link/ether ([0-9a-f:]{17})(.*)$");

    /** Creates the reader. */
    public IpLink() {
    }

    /**
     * Parses the output of {@code ip -d link show DEV}.
     *
     * @param output the output
     * @return each VF's settings by index
     * @throws IllegalArgumentException on a {@code vf} line it cannot read
     */
    public static Map<Integer, VfNetConfig> parse(String output) {
        Map<Integer, VfNetConfig> out = new TreeMap<>();
        for (String line : output.split("\n")) {
            Matcher m = VF.matcher(line);
            if (!m.matches()) {
                continue;
            }
            VfNetConfig.Builder b = VfNetConfig.builder().mac(MacAddress.parse(m.group(2)));
            int vlan = 0;
            int qos = 0;
            VfNetConfig.VlanProtocol proto = VfNetConfig.VlanProtocol.IEEE_802_1Q;
            int min = 0;
            int max = 0;
            for (String part : m.group(3).split(",")) {
                String p = part.strip();
                if (p.startsWith("vlan protocol ")) {
                    proto = VfNetConfig.VlanProtocol.parse(p.substring("vlan protocol ".length()));
                } else if (p.startsWith("vlan ")) {
                    vlan = Integer.parseInt(p.substring(5));
                } else if (p.startsWith("qos ")) {
                    qos = Integer.parseInt(p.substring(4));
                } else if (p.startsWith("max_tx_rate ")) {
                    max = Integer.parseInt(p.substring(12, p.length() - "Mbps".length()));
                } else if (p.startsWith("min_tx_rate ")) {
                    min = Integer.parseInt(p.substring(12, p.length() - "Mbps".length()));
                } else if (p.startsWith("spoof checking ")) {
                    b.spoofCheck(onOff(p.substring("spoof checking ".length())));
                } else if (p.startsWith("trust ")) {
                    b.trust(onOff(p.substring(6)));
                } else if (p.startsWith("link-state ")) {
                    b.linkState(VfNetConfig.LinkState.valueOf(p.substring(11).toUpperCase(java.util.Locale.ROOT)));
                }
            }
            b.vlan(new VfNetConfig.Vlan(vlan, qos, proto)).maxTxRateMbps(max).minTxRateMbps(min);
            out.put(Integer.parseInt(m.group(1)), b.build());
        }
        return out;
    }

    private static boolean onOff(String v) {
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("not on/off: " + v);
        };
    }

    /**
     * Runs {@code ip} with arguments and returns its standard output.
     *
     * @param args the arguments after {@code ip}
     * @return the output
     * @throws IllegalStateException if {@code ip} fails (with its standard error)
     */
    public static String ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + ": no answer in 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + ": exit " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(String.join(" ", cmd) + ": interrupted", e);
        }
    }

    @Override
    public Map<Integer, VfNetConfig> vfs(String pfNetdev) {
        return parse(ip("-d", "link", "show", Objects.requireNonNull(pfNetdev, "pfNetdev")));
    }

    /**
     * Brings a netdev up or down; up, waits (at most 60 s) until it has a carrier ({@code /sys/class/net/DEV/carrier}
     * reads 1): igb sets its link speed, which bounds a VF's rate, only then (seconds under emulation).
     *
     * @param netdev the netdev
     * @param up up or down
     * @throws IllegalStateException if {@code ip} fails or no carrier comes
     */
    @Override
    public void setLinkUp(String netdev, boolean up) {
        ip("link", "set", netdev, up ? "up" : "down");
        if (!up) {
            return;
        }
        java.nio.file.Path carrier = java.nio.file.Path.of("/sys/class/net", netdev, "carrier");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (java.nio.file.Files.readString(carrier).strip().equals("1")) {
                    return;
                }
            } catch (IOException e) {
                // EINVAL while the device is not up yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for a carrier on " + netdev, e);
            }
        }
        throw new IllegalStateException(netdev + " has no carrier 60 s after ip link set up");
    }
}
