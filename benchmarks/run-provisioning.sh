#!/usr/bin/env bash
# Provisioning benchmark (issue 15, items 1 and 2): in ONE boot of the real-kernel guest (it/scripts/run-in-guest.sh,
# machine single: Linux 6.12 under QEMU TCG, an emulated 82576 with 7 VFs, virtual Intel IOMMU), per round: enable
# the 7 VFs, move all 7 to vfio-pci, give them back to igbvf, disable them, with
#   library      sriov4j in-process (SriovHost: enableVfs, detach/reattach of each VF, disableVfs; checks + ledger)
#   library-batch the same host, the 7 VFs in one call each way (SriovHost.detachAll / reattachAll)
#   floor-java   the same kernel writes with plain file writes, no checks (same JVM)
#   floor-sh     the same kernel writes from bash (echo), timed inside the script
#   driverctl    `driverctl set-override BDF vfio-pci` / `driverctl unset-override BDF`, one command per VF
#   devbind      `dpdk-devbind.py -b vfio-pci BDF...` / `dpdk-devbind.py -b igbvf BDF...` (one command for all)
#   cli          `./sriov4j detach BDF...` / `./sriov4j reattach BDF...` (one command for all; the launcher,
#                with its class-data-sharing archive when the jar has one)
#   cli-nocds    the same with the archive switched off (SRIOV4J_CDS=off)
#   cli-c1       the same as cli with SRIOV4J_JAVA_OPTS=-XX:TieredStopAtLevel=1 (C1 only)
#   cli-c1s      the same as cli-c1 with -XX:+UseSerialGC
#   cli-int      the same as cli with -Xint (no JIT compiler at all)
# driverctl and dpdk-devbind.py come from Debian's packages `driverctl` and `dpdk` (bookworm: dpdk ships
# /usr/bin/dpdk-devbind.py); when they are not installed the script extracts the two packages into
# $SRIOV4J_IT_CACHE/peers (apt-get download + dpkg-deb -x: nothing is installed, driverctl's dependency on udev is
# not needed to bind). A round runs every tool; the order rotates from round to round; round 0 is a warm-up that is
# printed but not counted. Every figure is wall time of the phase; ratios are per round, side by side.
#
#   benchmarks/run-provisioning.sh            build (reactor package, no install), run (~6-8 minutes)
#
# Environment: QEMU_LOCK (a lock file: only the guest boot runs under `flock QEMU_LOCK`, not the build), MVN (mvn),
# MVN_FLAGS (-o), ROUNDS (3), WARM_ROUNDS (0: that many more rounds of library, floor-java and floor-sh only, to
# show the library once its code is compiled), TOOLS (all of the above), TIMEOUT (1500: the guest run), PROFILE (0;
# 1: a JFR recording of the benchmark JVM in OUT/guest/out/prov.jfr, its samples printed to OUT/prov-samples.txt
# and broken down by provisioning/profile.py into OUT/prov-profile.txt, then in the same boot the CLI's start-up
# alone (--version, status: 3 runs each with the launcher's own options) and one
# detach/reattach of the 7 VFs with -Xlog:class+load, -Xlog:startuptime and JFR:
# OUT/guest/out/cli-PHASE-{classes.txt,startup.txt,.jfr}),
# OUT (benchmarks/target/provisioning), SRIOV4J_IT_CACHE (/var/cache/sriov4j-it). Needs root (the guest harness;
# apt-get download when the peers are missing). Exit status: 0 when every tool ran every round, 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
mvn="${MVN:-mvn}"
mvn_flags="${MVN_FLAGS--o}"
rounds="${ROUNDS:-3}"
warm="${WARM_ROUNDS:-0}"
tools="${TOOLS:-library library-batch floor-java floor-sh driverctl devbind cli cli-nocds cli-c1 cli-c1s cli-int}"
out="${OUT:-$here/target/provisioning}"
cache="${SRIOV4J_IT_CACHE:-/var/cache/sriov4j-it}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# --- the peers: installed, or extracted from Debian's packages into the cache ------------------------------------
peers_path=""
if ! command -v driverctl > /dev/null || ! command -v dpdk-devbind.py > /dev/null; then
    peers="$cache/peers"
    if [[ ! -x "$peers/root/usr/sbin/driverctl" || ! -x "$peers/root/usr/bin/dpdk-devbind.py" ]]; then
        echo "== extracting driverctl and dpdk (dpdk-devbind.py) from Debian's packages into $peers"
        rm -rf "$peers" && mkdir -p "$peers/debs" "$peers/root"
        if ! (cd "$peers/debs" && apt-get download -q driverctl dpdk > /dev/null 2>&1); then
            apt-get update -q > /dev/null
            (cd "$peers/debs" && apt-get download -q driverctl dpdk)
        fi
        for deb in "$peers"/debs/*.deb; do dpkg-deb -x "$deb" "$peers/root"; done
    fi
    peers_path="$peers/root/usr/sbin:$peers/root/usr/bin"
    # what they need at run time: bash, python3, lspci (pciutils), modprobe
    for need in python3 lspci modprobe; do
        command -v "$need" > /dev/null || { echo "FAIL: $need is missing (apt-get install python3 pciutils kmod)" >&2; exit 1; }
    done
fi

echo "== building the command line (package in the reactor, nothing installed; makes the CDS archive)"
(cd "$top" && "$mvn" -q -B $mvn_flags package -pl cli -am -DskipTests)
[[ -f "$top/cli/target/sriov4j.jsa" ]] || echo "note: no cli/target/sriov4j.jsa: the cli tool runs without an archive" >&2
rm -rf "$out/classes" "$out/tools" && mkdir -p "$out/classes" "$out/tools"
# the launcher as is, except that it never rebuilds in the guest (the jar and its archive stay where the build put
# them: the archive is only valid for that path)
sed -e "s|^here=.*|here=\"$top\"|" -e 's|^stale() {|stale() { return 1;|' "$top/sriov4j" > "$out/sriov4j"
chmod +x "$out/sriov4j"
javac -d "$out/classes" -cp "$top/cli/target/sriov4j.jar" "$here/provisioning/ProvisioningBench.java"

# --- the tools' scripts: TOOL.sh detach|reattach BDF... prints seconds=S, timed inside --------------------------
tool_script() { # name, body (uses $phase, "$@" = BDFs, $target = vfio-pci or igbvf)
    cat > "$out/tools/$1.sh" <<EOF
#!/bin/bash
set -euo pipefail
phase=\$1; shift
if [[ \$phase == detach ]]; then target=vfio-pci; else target=igbvf; fi
t0=\$EPOCHREALTIME
$2
t1=\$EPOCHREALTIME
awk -v a="\$t0" -v b="\$t1" 'BEGIN { printf "seconds=%.4f\n", b - a }'
EOF
    chmod +x "$out/tools/$1.sh"
}
tool_script floor-sh '
for vf in "$@"; do
    if [[ $phase == detach ]]; then
        echo vfio-pci > /sys/bus/pci/devices/$vf/driver_override
        echo $vf > /sys/bus/pci/devices/$vf/driver/unbind
        echo $vf > /sys/bus/pci/drivers_probe
    else
        echo $vf > /sys/bus/pci/drivers/vfio-pci/unbind
        echo > /sys/bus/pci/devices/$vf/driver_override
        echo $vf > /sys/bus/pci/drivers/igbvf/bind
    fi
done'
tool_script driverctl '
for vf in "$@"; do
    if [[ $phase == detach ]]; then driverctl set-override $vf vfio-pci; else driverctl unset-override $vf; fi
done'
tool_script devbind 'dpdk-devbind.py -b $target "$@" > /dev/null'
tool_script cli "\"$out/sriov4j\" \$phase \"\$@\" > /dev/null"
tool_script cli-nocds "SRIOV4J_CDS=off \"$out/sriov4j\" \$phase \"\$@\" > /dev/null"
tool_script cli-c1 "SRIOV4J_JAVA_OPTS=-XX:TieredStopAtLevel=1 \"$out/sriov4j\" \$phase \"\$@\" > /dev/null"
tool_script cli-c1s "SRIOV4J_JAVA_OPTS='-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' \"$out/sriov4j\" \$phase \"\$@\" > /dev/null"
tool_script cli-int "SRIOV4J_JAVA_OPTS=-Xint \"$out/sriov4j\" \$phase \"\$@\" > /dev/null"

cat > "$out/guest.sh" <<GUEST
#!/bin/bash
set -euo pipefail
export PATH="${peers_path:+$peers_path:}\$PATH"
for m in igb igbvf vfio-pci; do modprobe \$m; done
pf=0000:01:00.0
echo 0 > /sys/bus/pci/devices/\$pf/sriov_numvfs
export SRIOV4J_STATE_DIR=/run/sriov4j-bench
echo "guest: kernel \$(uname -r), \$(nproc) CPUs; driverctl \$(command -v driverctl), dpdk-devbind \$(command -v dpdk-devbind.py)"
cd "$out"
status=0
jfr=()
[[ "${PROFILE:-0}" == 1 ]] && jfr=(-XX:StartFlightRecording=filename=\$SRIOV4J_IT_OUT/prov.jfr,settings=profile)
WARM_ROUNDS=$warm java "\${jfr[@]}" -cp "$top/cli/target/sriov4j.jar:$out/classes" ProvisioningBench \$pf 7 $rounds "$out/tools" $tools || status=1
if [[ "${PROFILE:-0}" == 1 ]]; then
    # where a CLI command's time goes: start-up alone (--version), then detach/reattach of the 7 VFs with the
    # classes it loads, start-up phases and a JFR profile; each with the launcher's defaults
    echo 7 > /sys/bus/pci/devices/\$pf/sriov_numvfs
    vfs=\$(for i in 0 1 2 3 4 5 6; do basename \$(readlink /sys/bus/pci/devices/\$pf/virtfn\$i); done)
    for opts in ""; do # the launcher's own options (run B of 2026-12-05 compared the JIT's, C1's and -Xint)
        for i in 1 2 3; do
            t0=\$EPOCHREALTIME; SRIOV4J_JAVA_OPTS="\$opts" "$out/sriov4j" --version > /dev/null; t1=\$EPOCHREALTIME
            echo "prov-cli opts='\$opts' command=version seconds=\$(awk -v a=\$t0 -v b=\$t1 'BEGIN{printf "%.3f", b-a}')"
            t0=\$EPOCHREALTIME; SRIOV4J_JAVA_OPTS="\$opts" "$out/sriov4j" status > /dev/null; t1=\$EPOCHREALTIME
            echo "prov-cli opts='\$opts' command=status seconds=\$(awk -v a=\$t0 -v b=\$t1 'BEGIN{printf "%.3f", b-a}')"
        done
    done
    for phase in detach reattach; do
        SRIOV4J_JAVA_OPTS="-Xlog:class+load:file=\$SRIOV4J_IT_OUT/cli-\$phase-classes.txt -Xlog:startuptime:file=\$SRIOV4J_IT_OUT/cli-\$phase-startup.txt -XX:StartFlightRecording=filename=\$SRIOV4J_IT_OUT/cli-\$phase.jfr,settings=profile" \
            "$out/sriov4j" \$phase \$vfs > /dev/null
    done
    echo 0 > /sys/bus/pci/devices/\$pf/sriov_numvfs
fi
echo 0 > /sys/bus/pci/devices/\$pf/sriov_numvfs
exit \$status
GUEST
chmod +x "$out/guest.sh"

echo "== running in the guest (machine single)${QEMU_LOCK:+, under flock $QEMU_LOCK}"
lock=()
[[ -n "${QEMU_LOCK:-}" ]] && lock=(flock "$QEMU_LOCK")
set +e
"${lock[@]}" "$top/it/scripts/run-in-guest.sh" --machine single --timeout "${TIMEOUT:-1500}" --out "$out/guest" --quiet \
    --script "$out/guest.sh"
rc=$?
set -e
grep -v '^prov round' "$out/guest/stdout.log" || true
if [[ -f "$out/guest/out/prov.jfr" ]] && command -v jfr > /dev/null; then
    echo "== JFR of the benchmark JVM: its samples in $out/prov-samples.txt"
    jfr print --stack-depth 96 --events jdk.ExecutionSample,jdk.NativeMethodSample "$out/guest/out/prov.jfr" \
        > "$out/prov-samples.txt" || true
    python3 "$here/provisioning/profile.py" "$out/prov-samples.txt" > "$out/prov-profile.txt" || true
    cat "$out/prov-profile.txt" || true
fi
[[ -s "$out/guest/stderr.log" ]] && sed 's/^/stderr: /' "$out/guest/stderr.log" | tail -30
if [[ $rc -ne 0 ]]; then
    echo "FAIL: the guest run exited $rc (see $out/guest/)" >&2
    exit 1
fi
"$here/provisioning/summarize.sh" "$out/guest/stdout.log" | tee "$out/summary.txt"
