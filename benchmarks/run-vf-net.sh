#!/usr/bin/env bash
# VF network settings benchmark (issue 11, item 8), in one boot of the real-kernel guest (it/scripts/run-in-guest.sh,
# machine single: Linux 6.12 under QEMU TCG, emulated 82576 on igb, 7 VFs):
#   cycle = set MAC + VLAN 100 QoS 3 + spoof checking off + trust on on VF 0, then set them back
#   - through sriov4j (SriovHost.configureVf twice: VF lock, RTM_GETLINK, 4 RTM_SETLINK with acks, RTM_GETLINK;
#     vf-net/VfNetBench.java), after a JIT warm-up;
#   - through iproute2, one `ip link set eth0 vf 0 mac .. vlan .. qos .. spoofchk .. trust ..` process to set and one
#     to set back (each process sends all four attributes in one RTM_SETLINK: the cheapest use of ip);
#   and reading every VF of the 7-VF PF (SriovHost.vfNetConfigs: one RTM_GETLINK, parsing, sysfs look-ups).
# The ip loop runs before and after Java; the ratio is ip's mean time per cycle over sriov4j's. The guest's console log
# level is lowered (dmesg -n 1) so that igb's info lines do not go to the slow serial console during the calls.
#
#   benchmarks/run-vf-net.sh                   build (reactor package, no install), compile, run (~2 minutes)
#
# Environment: MVN (mvn), MVN_FLAGS (-o), WARMUP (300 cycles), CYCLES (1000 Java cycles and reads), IP_CYCLES (30
# per ip run), TIMEOUT (900: the guest run), OUT (benchmarks/target/vf-net). Needs root (the guest harness).
# Targets: ratio >= 10, reading 7 VFs < 1000 us. Exit status: 0 when every run produced a figure, 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
mvn="${MVN:-mvn}"
mvn_flags="${MVN_FLAGS--o}"
warmup="${WARMUP:-300}"
cycles="${CYCLES:-1000}"
ip_cycles="${IP_CYCLES:-30}"
out="${OUT:-$here/target/vf-net}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

echo "== building sriov4j-vfio (package in the reactor, nothing installed)"
(cd "$top" && "$mvn" -q -B $mvn_flags package dependency:build-classpath -pl vfio-impl -am -DskipTests \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/classpath.txt")
# a snapshot: a jar another build rewrites while the guest's JVM runs would break it
rm -rf "$out/lib" "$out/classes" && mkdir -p "$out/lib" "$out/classes"
cp "$top"/vfio-impl/target/sriov4j-vfio-*.jar "$out/lib/"
tr ':' '\n' < "$out/classpath.txt" | while read -r jar; do [[ -n "$jar" ]] && cp "$jar" "$out/lib/"; done
cp_libs="$(ls "$out"/lib/*.jar | tr '\n' ':')"

echo "== compiling the Java program"
javac -d "$out/classes" -cp "$cp_libs" "$here/vf-net/VfNetBench.java"

cat > "$out/guest.sh" <<GUEST
#!/bin/bash
set -euo pipefail
for m in igb vfio-pci; do modprobe \$m; done
# igb logs 2-3 info lines per VF MAC/VLAN/trust change; at the guest's serial console (115200 baud, TCG) each costs
# milliseconds inside the kernel call, for ip and sriov4j alike: keep them in the ring buffer only
dmesg -n 1
pf=0000:01:00.0
echo 0 > /sys/bus/pci/devices/\$pf/sriov_drivers_autoprobe
echo 7 > /sys/bus/pci/devices/\$pf/sriov_numvfs
dev=\$(ls /sys/bus/pci/devices/\$pf/net | head -1)
echo "guest: kernel \$(uname -r), \$(nproc) CPUs, PF \$pf = \$dev, \$(cat /sys/bus/pci/devices/\$pf/sriov_numvfs) VFs, \$(ip -V)"
ip_run() {
    local s e
    ip link set \$dev vf 0 mac 02:5a:00:00:00:01 vlan 100 qos 3 spoofchk off trust on
    ip link set \$dev vf 0 mac 00:00:00:00:00:00 vlan 0 spoofchk on trust off
    s=\$(date +%s%N)
    for i in \$(seq $ip_cycles); do
        ip link set \$dev vf 0 mac 02:5a:00:00:00:01 vlan 100 qos 3 spoofchk off trust on
        ip link set \$dev vf 0 mac 00:00:00:00:00:00 vlan 0 spoofchk on trust off
    done
    e=\$(date +%s%N)
    echo "ip-cycle cycles=$ip_cycles us_per_cycle=\$(( (e - s) / 1000 / $ip_cycles ))"
}
ip_read() {
    local s e
    s=\$(date +%s%N)
    for i in \$(seq $ip_cycles); do ip -d link show \$dev > /dev/null; done
    e=\$(date +%s%N)
    echo "ip-read reads=$ip_cycles us_per_read=\$(( (e - s) / 1000 / $ip_cycles ))"
}
status=0
ip_run || status=1
ip_read || status=1
java -cp "$out/classes:$cp_libs" VfNetBench \$pf 0000:01:10.0 $warmup $cycles || status=1
ip_run || status=1
ip -d link show \$dev | grep "vf 0 "
echo 0 > /sys/bus/pci/devices/\$pf/sriov_numvfs
echo 1 > /sys/bus/pci/devices/\$pf/sriov_drivers_autoprobe
exit \$status
GUEST
chmod +x "$out/guest.sh"

echo "== running in the guest (machine single)"
set +e
"$top/it/scripts/run-in-guest.sh" --machine single --timeout "${TIMEOUT:-900}" --out "$out/guest" --quiet \
    --script "$out/guest.sh"
rc=$?
set -e
cat "$out/guest/stdout.log"
[[ -s "$out/guest/stderr.log" ]] && sed 's/^/stderr: /' "$out/guest/stderr.log"
if [[ $rc -ne 0 ]]; then
    echo "FAIL: the guest run exited $rc (see $out/guest/)" >&2
    exit 1
fi

echo "== results (ratio = ip / sriov4j per cycle, target >= 10; reading 7 VFs, target < 1000 us)"
awk '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    $1 == "ip-cycle"   { ip += v["us_per_cycle"]; ipn++ }
    $1 == "ip-read"    { ipr = v["us_per_read"] }
    $1 == "java-cycle" { j = v["us_per_cycle"] }
    $1 == "java-read"  { jr = v["us_per_read"]; jb = v["best_us"]; jv = v["vfs"] }
    END {
        if (ipn == 0 || j == 0 || jr == 0) { exit 1 }
        m = ip / ipn
        printf "set+restore MAC, VLAN/QoS, spoofchk, trust on one VF: ip %.0f us/cycle (2 processes), sriov4j %.1f us/cycle, ratio %.1fx%s\n",
            m, j, m / j, (m / j >= 10 ? "" : "  (below the 10x target)")
        printf "read all %d VFs of the PF: sriov4j %.1f us mean, %.1f us best%s; ip -d link show %.0f us\n",
            jv, jr, jb, (jr < 1000 ? "" : "  (above the 1 ms target)"), ipr
    }' "$out/guest/stdout.log" | tee "$out/summary.txt"
