#!/usr/bin/env bash
# VF network settings benchmark (issue 11, item 8), in one boot of the real-kernel guest (it/scripts/run-in-guest.sh,
# machine single: Linux 6.12 under QEMU TCG, emulated 82576 on igb, 7 VFs):
#   cycle = set MAC + VLAN 100 QoS 3 + spoof checking off + trust on on VF 0, then set them back
#   - through sriov4j (SriovHost.configureVf twice: VF lock, ledger look-up, RTM_GETLINK, vendor checks, 4 RTM_SETLINK
#     each with its ack; vf-net/VfNetBench.java): the first cycle of a fresh JVM (cold), then after a warm-up (warm);
#   - the same kernel requests through the bare netlink seam (the kernel's and JNA's share of the library's time);
#   - through iproute2, one `ip link set eth0 vf 0 mac .. vlan .. qos .. spoofchk .. trust ..` process to set and one
#     to set back (each process sends all four attributes in one RTM_SETLINK: the cheapest use of ip);
#   - with the save and restore: a lease of the detached VF with the four settings (saved durably in the ledger first,
#     then set) closed again (restored);
#   and reading every VF of the 7-VF PF (SriovHost.vfNetConfigs: one RTM_GETLINK), cold and warm.
# Each round starts a fresh JVM (cold cycle, warm-up), then alternates BLOCKS blocks of ip cycles and of Java cycles
# (the JVM waits on a pipe between its blocks), so that both see the same load of the shared, emulated machine; RUNS
# rounds in the one boot. The ratio is ip's mean time per cycle over sriov4j's, per round, with the per-block ratios'
# median and range. The guest's console log level is lowered (dmesg -n 1) so that igb's info lines do not go to
# the slow serial console during the calls.
#
#   benchmarks/run-vf-net.sh                   build (reactor package, no install), compile, run (~5 minutes)
#
# Environment: MVN (mvn), MVN_FLAGS (-o), RUNS (3 rounds), WARMUP (300 cycles), BLOCKS (30), CYCLES (600 Java cycles
# in all blocks, and reads), LEASES (100 measured leases after as many for warm-up), IP_CYCLES (60 in all blocks),
# TIMEOUT (1500: the guest run), BASELINE (unset; a directory with another checkout of sriov4j, e.g. from
# `git worktree add /tmp/base <commit>`: its library is built the same way and each round runs two JVMs, the
# baseline's and this checkout's, in alternating order, each interleaved with its own ip blocks, so that an A/B
# comparison of two library versions sees the same boot and load),
# OUT (benchmarks/target/vf-net; not under /tmp or /run, which the guest sees as a fresh tmpfs), PROFILE (0; 1: one more JVM under JFR, its samples summarised in
# $OUT/guest/jfr-top.txt). Needs root (the guest harness); wrap it in flock /tmp/sriov4j-qemu.lock on a shared machine.
# Targets: ratio >= 10, reading 7 VFs < 1000 us. Exit status: 0 when every run produced a figure, 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
mvn="${MVN:-mvn}"
mvn_flags="${MVN_FLAGS--o}"
runs="${RUNS:-3}"
leases="${LEASES:-100}"
warmup="${WARMUP:-300}"
blocks="${BLOCKS:-30}"
cycles="${CYCLES:-600}"
ip_cycles="${IP_CYCLES:-60}"
ip_per_block=$(( ip_cycles / blocks > 0 ? ip_cycles / blocks : 1 ))
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
base_libs=""
if [[ -n "${BASELINE:-}" ]]; then
    echo "== building the baseline's sriov4j-vfio in $BASELINE"
    (cd "$BASELINE" && "$mvn" -q -B $mvn_flags package dependency:build-classpath -pl vfio-impl -am -DskipTests \
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/base-classpath.txt")
    rm -rf "$out/base-lib" && mkdir -p "$out/base-lib"
    cp "$BASELINE"/vfio-impl/target/sriov4j-vfio-*.jar "$out/base-lib/"
    tr ':' '\n' < "$out/base-classpath.txt" | while read -r jar; do [[ -n "$jar" ]] && cp "$jar" "$out/base-lib/"; done
    base_libs="$(ls "$out"/base-lib/*.jar | tr '\n' ':')"
    echo "baseline: $(git -C "$BASELINE" log --oneline -1 2>/dev/null || echo "$BASELINE")"
fi

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
ip_read() {
    local s e
    s=\$(date +%s%N)
    for i in \$(seq $ip_cycles); do ip -d link show \$dev > /dev/null; done
    e=\$(date +%s%N)
    echo "ip-read reads=$ip_cycles us_per_read=\$(( (e - s) / 1000 / $ip_cycles ))"
}
ip_block() {
    local s e
    s=\$(date +%s%N)
    for i in \$(seq \$1); do
        ip link set \$dev vf 0 mac 02:5a:00:00:00:01 vlan 100 qos 3 spoofchk off trust on
        ip link set \$dev vf 0 mac 00:00:00:00:00:00 vlan 0 spoofchk on trust off
    done
    e=\$(date +%s%N)
    echo "ip-block cycles=\$1 us_per_cycle=\$(( (e - s) / 1000 / \$1 ))"
}
status=0
jcp="$out/classes:$cp_libs"
bcp="$out/classes:$base_libs"
libs="current"
[[ -n "$base_libs" ]] && libs="baseline current"
r=0
for round in \$(seq $runs); do
  # with a baseline, the two libraries take turns at going first
  order="\$libs"
  (( round % 2 == 0 )) && [[ -n "$base_libs" ]] && order="current baseline"
  for lib in \$order; do
    r=\$((r + 1))
    echo "round \$r lib=\$lib"
    cp="\$jcp"
    [[ \$lib == baseline ]] && cp="\$bcp"
    ip_read || status=1
    # one JVM per round; after its cold cycle and warm-up, ip blocks and Java blocks alternate $blocks times
    coproc JV { exec java -cp "\$cp" VfNetBench \$pf \$dev 0000:01:10.0 $warmup $cycles $leases $blocks; }
    exec {jout}<&"\${JV[0]}" {jin}>&"\${JV[1]}"
    jpid=\$JV_PID
    ready=0
    while IFS= read -r line <&\$jout; do
        echo "\$line"
        if [[ "\$line" == java-ready* ]]; then ready=1; break; fi
    done
    if [[ \$ready == 1 ]]; then
        for b in \$(seq $blocks); do
            ip_block $ip_per_block || status=1
            echo go >&\$jin
            IFS= read -r line <&\$jout || { status=1; break; }
            echo "\$line"
        done
    else
        status=1
    fi
    exec {jin}>&-
    cat <&\$jout
    exec {jout}<&-
    wait \$jpid || status=1
  done
done
if [[ "${PROFILE:-0}" == 1 ]]; then
    o=\$SRIOV4J_IT_OUT
    java -XX:StartFlightRecording=filename=\$o/java.jfr,settings=profile -cp "\$jcp" VfNetBench \$pf \$dev \
        0000:01:10.0 $warmup $cycles $leases > \$o/profiled-java.txt || status=1
    # the main thread's samples in Java code and in native code (JNA's send/recv: the kernel's time)
    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth 30 \$o/java.jfr \
        > \$o/jfr-java.txt || true
    # per method: samples with it on top (self) and anywhere in the stack (total), the 45 largest totals
    awk '/sampledThread = / { main = (\$0 ~ /"main"/); next }
        main && /stackTrace = \\[/ { inside = 1; first = 1; delete seen; n++; next }
        inside && /^[[:space:]]*\\]/ { inside = 0; next }
        inside { m = \$1; sub(/\\(.*/, "", m); if (first) { self[m]++; first = 0 }
                 if (!(m in seen)) { seen[m] = 1; total[m]++ } }
        END { for (k in total) printf "%6d total %5.1f%%  self %5.1f%%  %s\\n", total[k], 100 * total[k] / n,
                  100 * self[k] / n, k; printf "%6d samples\\n", n }' \$o/jfr-java.txt \
        | sort -rn | head -46 > \$o/jfr-top.txt || true
fi
ip -d link show \$dev | grep "vf 0 "
echo 0 > /sys/bus/pci/devices/\$pf/sriov_numvfs
echo 1 > /sys/bus/pci/devices/\$pf/sriov_drivers_autoprobe
exit \$status
GUEST
chmod +x "$out/guest.sh"

echo "== running in the guest (machine single)"
set +e
"$top/it/scripts/run-in-guest.sh" --machine single --timeout "${TIMEOUT:-1500}" --out "$out/guest" --quiet \
    --script "$out/guest.sh"
rc=$?
set -e
cat "$out/guest/stdout.log"
[[ -s "$out/guest/stderr.log" ]] && sed 's/^/stderr: /' "$out/guest/stderr.log"
if [[ $rc -ne 0 ]]; then
    echo "FAIL: the guest run exited $rc (see $out/guest/)" >&2
    exit 1
fi

echo "== results per round (ratio = ip / sriov4j per cycle, target >= 10; reading 7 VFs, target < 1000 us)"
awk '
    { delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    $1 == "round"      { r = $2; rounds = r; nb[r] = 0; nj[r] = 0; lib[r] = (v["lib"] == "" ? "" : " (" v["lib"] ")") }
    $1 == "ip-block"   { ipb[r, ++nb[r]] = v["us_per_cycle"] }
    $1 == "ip-read"    { ipr[r] = v["us_per_read"] }
    $1 == "java-cold"  { cc[r] = v["first_cycle_us"]; cr[r] = v["first_read_us"] }
    $1 == "java-block" { jbk[r, ++nj[r]] = v["us_per_cycle"] }
    $1 == "java-cycle" { j[r] = v["us_per_cycle"] }
    $1 == "bare-cycle" { b[r] = v["us_per_cycle"] }
    $1 == "bare-getlink" { bg[r] = v["us_per_read"] }
    $1 == "java-read"  { jr[r] = v["us_per_read"]; jb[r] = v["best_us"]; jv = v["vfs"] }
    $1 == "java-lease" { jl[r] = v["us_per_lease"] }
    END {
        bad = 0
        for (r = 1; r <= rounds; r++) {
            n = nb[r] < nj[r] ? nb[r] : nj[r]
            if (n == 0 || j[r] == 0 || jr[r] == 0) { bad = 1; continue }
            si = 0; sj = 0
            for (k = 1; k <= n; k++) {
                si += ipb[r, k]; sj += jbk[r, k]; q[k] = ipb[r, k] / jbk[r, k]
            }
            for (k = 2; k <= n; k++) { x = q[k]; for (m = k - 1; m >= 1 && q[m] > x; m--) q[m + 1] = q[m]; q[m + 1] = x }
            med = (n % 2) ? q[(n + 1) / 2] : (q[n / 2] + q[n / 2 + 1]) / 2
            m = si / n; jm = sj / n
            printf "round %d%s: set+restore MAC, VLAN/QoS, spoofchk, trust on one VF, %d interleaved blocks: ip %.0f us/cycle (2 processes); sriov4j warm %.1f us/cycle; ratio %.1fx%s (per block: median %.1fx, min %.1fx, max %.1fx); cold first cycle %.0f us; bare netlink %.1f us/cycle (%.0f%% of warm); lease+release with save/restore %.1f us (ratio %.1fx)\n",
                r, lib[r], n, m, jm, m / jm, (m / jm >= 10 ? "" : " (below the 10x target)"), med, q[1], q[n], cc[r], b[r],
                100 * b[r] / jm, jl[r], (jl[r] > 0 ? m / jl[r] : 0)
            printf "round %d: read all %d VFs of the PF: sriov4j %.1f us mean, %.1f us best%s, cold first %.0f us; bare RTM_GETLINK %.1f us; ip -d link show %.0f us\n",
                r, jv, jr[r], jb[r], (jr[r] < 1000 ? "" : " (above the 1 ms target)"), cr[r], bg[r], ipr[r]
        }
        if (rounds == 0 || bad) { exit 1 }
    }' "$out/guest/stdout.log" | tee "$out/summary.txt"
