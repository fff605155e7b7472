#!/usr/bin/env bash
# VFIO DMA map benchmark (issue 5 item 8, issue 15 item 3): VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA pairs per second
# through sriov4j (IommuDomain.map/unmap: validation, mapping table, JNA) against C making the same ioctls, in one
# boot of the real-kernel guest (it/scripts/run-in-guest.sh, machine single: Linux 6.12 under QEMU TCG, emulated
# 82576, virtual Intel IOMMU). One VF is bound to vfio-pci by raw sysfs. Per size, two measurements:
#
#   alternating (the ratio that counts)  one JVM opens the domain and the device, then alternates SLICES short time
#       slices of SLICE seconds of the C loop (vfio-map/vfio_map_loop.c, a shared library called through JNA on the
#       same container descriptor, once per slice) and of sriov4j, in both orders. Slices of tens of milliseconds
#       see the same load from the rest of a shared machine, which two separate processes seconds apart do not.
#       Reported: the ratio of the total rates C/sriov4j, and the spread of the ratios of blocks of slices
#       (20 blocks: median, quartiles, extremes). Sizes of 1 MiB and more use slices 10 times longer and 10 times fewer.
#   separate processes  the C program (vfio-map/vfio_map_bench.c), then Java, then C again, ROUNDS times; the ratio
#       is the mean of the two C runs over Java's (the measurement of issue 5; noisier).
#
#   benchmarks/run-vfio-map.sh                 build (reactor package, no install), compile, run (~4 minutes)
#
# Environment: QEMU_LOCK (a lock file: only the guest boot runs under `flock QEMU_LOCK`, not the build), MVN (mvn),
# MVN_FLAGS (-o), CC (gcc), SIZES ("4096 2097152": bytes per mapping), SLICES (1000) of
# SLICE (0.02) seconds, WARMUP (5) and MEASURE (5) seconds per separate run, ROUNDS (1), TIMEOUT (900: the guest run),
# OUT (benchmarks/target/vfio-map), PROFILE (0; 1: then, for the first size, perf (cpu-clock, call graphs, the
# JIT's perf map) records PROFILE_SECONDS (8) of the warmed-up sriov4j loop and of the C program, and JFR a whole
# sriov4j run; reports in OUT/guest/out/: perf-java-self.txt, perf-java-children.txt, perf-c-self.txt,
# perf-c-children.txt, jfr-java.txt, with the perf data, the guest's kallsyms and the JIT's perf map).
# Needs root (the guest harness). Exit status: 0 when every run produced a rate, 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
mvn="${MVN:-mvn}"
mvn_flags="${MVN_FLAGS--o}"
cc="${CC:-gcc}"
sizes="${SIZES:-4096 2097152}"
warmup="${WARMUP:-5}"
measure="${MEASURE:-5}"
slices="${SLICES:-1000}"
slice="${SLICE:-0.02}"
out="${OUT:-$here/target/vfio-map}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

echo "== building sriov4j-vfio (package in the reactor, nothing installed)"
(cd "$top" && "$mvn" -q -B $mvn_flags package dependency:build-classpath -pl vfio-impl -am -DskipTests \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/classpath.txt")
# a snapshot: a jar another build rewrites while the guest's JVM runs would break it
rm -rf "$out/lib" && mkdir -p "$out/lib" "$out/classes"
cp "$top"/vfio-impl/target/sriov4j-vfio-*.jar "$out/lib/"
tr ':' '\n' < "$out/classpath.txt" | while read -r jar; do [[ -n "$jar" ]] && cp "$jar" "$out/lib/"; done
cp_libs="$(ls "$out"/lib/*.jar | tr '\n' ':')"

echo "== compiling the C program and the Java program"
"$cc" -O2 -Wall -Wextra -o "$out/vfio_map_bench" "$here/vfio-map/vfio_map_bench.c"
"$cc" -O2 -Wall -Wextra -shared -fPIC -o "$out/libvfiomaploop.so" "$here/vfio-map/vfio_map_loop.c"
javac -d "$out/classes" -cp "$cp_libs" "$here/vfio-map/VfioMapBench.java"

cat > "$out/guest.sh" <<GUEST
#!/bin/bash
set -euo pipefail
for m in igb igbvf vfio-pci; do modprobe \$m; done
pf=/sys/bus/pci/devices/0000:01:00.0
echo 1 > \$pf/sriov_numvfs
vf=0000:01:10.0
for i in \$(seq 50); do [[ -e /sys/bus/pci/devices/\$vf/driver ]] && break; sleep 0.1; done
echo vfio-pci > /sys/bus/pci/devices/\$vf/driver_override
[[ -e /sys/bus/pci/devices/\$vf/driver ]] && echo \$vf > /sys/bus/pci/devices/\$vf/driver/unbind
echo \$vf > /sys/bus/pci/drivers_probe
group=\$(basename \$(readlink /sys/bus/pci/devices/\$vf/iommu_group))
echo "guest: kernel \$(uname -r), \$(nproc) CPUs, VF \$vf on \$(basename \$(readlink /sys/bus/pci/devices/\$vf/driver)), group \$group"
status=0
jcp="$out/classes:$cp_libs"
for size in $sizes; do
    # a slice holds at least ~40 pairs: 20 ms at 4 KiB; at 2 MiB (~0.3-0.5 ms a pair) 10x longer and 10x fewer
    if (( size >= 1048576 )); then sl=\$(awk -v s=$slice 'BEGIN { print s * 10 }'); n=\$(( $slices / 10 ));
    else sl=$slice; n=$slices; fi
    java -Dvfio.map.loop="$out/libvfiomaploop.so" -cp "\$jcp" VfioMapBench \$vf \$size $warmup \$sl \$n \$(( n / 20 )) \\
        || status=1
done
for round in \$(seq ${ROUNDS:-1}); do
    for size in $sizes; do
        "$out/vfio_map_bench" \$group \$size $warmup $measure || status=1
        java -cp "\$jcp" VfioMapBench \$vf \$size $warmup $measure || status=1
        "$out/vfio_map_bench" \$group \$size $warmup $measure || status=1
    done
done
if [[ "${PROFILE:-0}" == 1 ]]; then
    size=\$(echo $sizes | cut -d' ' -f1)
    o=\$SRIOV4J_IT_OUT
    ps=${PROFILE_SECONDS:-8}
    cd /tmp
    # perf attaches after the warm-up, for PROFILE_SECONDS of the steady loop only
    report() { # data, name: self time by command/library/symbol, and with children by symbol; the data, the
        # guest's kallsyms and the JIT's perf maps are kept too (perf report --kallsyms on the host)
        perf report -i \$1 --no-children --sort comm,dso,sym -g none --percent-limit 0.2 --stdio \\
            > \$o/\$2-self.txt 2> \$o/\$2-report.err || true
        perf report -i \$1 --children --sort comm,sym -g none --percent-limit 1 --stdio \\
            > \$o/\$2-children.txt 2>> \$o/\$2-report.err || true
        cp \$1 \$o/ || true
    }
    cat /proc/kallsyms > \$o/kallsyms.txt || true
    # system-wide (attaching to the JVM's threads races with threads that come and go), reported for the command
    java -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -cp "\$jcp" \\
        VfioMapBench \$vf \$size $warmup \$((ps + 6)) > \$o/profiled-java.txt &
    pid=\$!
    sleep \$(( ${warmup%.*} + 5 ))
    perf record -q -a -e cpu-clock -F 1999 -g -o /tmp/perf-java.data -- sleep \$ps || status=1
    wait \$pid || status=1
    report /tmp/perf-java.data perf-java
    "$out/vfio_map_bench" \$group \$size 2 \$((ps + 4)) > \$o/profiled-c.txt &
    pid=\$!
    sleep 3
    perf record -q -a -e cpu-clock -F 1999 -g -o /tmp/perf-c.data -- sleep \$ps || status=1
    wait \$pid || status=1
    report /tmp/perf-c.data perf-c
    cp /tmp/perf-*.map \$o/ 2> /dev/null || true
    java -XX:StartFlightRecording=filename=\$o/java.jfr,settings=profile -cp "\$jcp" VfioMapBench \\
        \$vf \$size $warmup $measure || status=1
    jfr print --events jdk.ExecutionSample --stack-depth 12 \$o/java.jfr > \$o/jfr-java.txt || true
    cd "$out"
fi
echo \$vf > /sys/bus/pci/drivers/vfio-pci/unbind
echo > /sys/bus/pci/devices/\$vf/driver_override
echo 0 > \$pf/sriov_numvfs
exit \$status
GUEST
chmod +x "$out/guest.sh"

echo "== running in the guest (machine single)${QEMU_LOCK:+, under flock $QEMU_LOCK}"
lock=()
[[ -n "${QEMU_LOCK:-}" ]] && lock=(flock "$QEMU_LOCK")
set +e
"${lock[@]}" "$top/it/scripts/run-in-guest.sh" --machine single --timeout "${TIMEOUT:-900}" --out "$out/guest" --quiet \
    --script "$out/guest.sh"
rc=$?
set -e
cat "$out/guest/stdout.log"
[[ -s "$out/guest/stderr.log" ]] && sed 's/^/stderr: /' "$out/guest/stderr.log"
if [[ $rc -ne 0 ]]; then
    echo "FAIL: the guest run exited $rc (see $out/guest/)" >&2
    exit 1
fi

echo "== results (pairs per second; ratio = C / sriov4j, goal <= 1.1)"
summary="$(awk '
    { delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    $1 == "alt" { s = v["size"]; n[s]++; r[s, n[s]] = v["ratio"]; next }
    $1 == "altsum" { s = v["size"]; tot[s] = sprintf("%d slices of %s s each: C %.0f pairs/s, sriov4j %.0f pairs/s, " \
        "ratio %.3fx", v["slices"], v["slice_s"], v["c_pairs_per_s"], v["java_pairs_per_s"], v["ratio"]); next }
    # separate processes: per round and size the lines come as c, java, c (profiling runs come after)
    $1 == "c" && st[v["size"]] == 0 { c1[v["size"]] = v["pairs_per_s"]; st[v["size"]] = 1; next }
    $1 == "java" && st[v["size"]] == 1 { jv[v["size"]] = v["pairs_per_s"]; st[v["size"]] = 2; next }
    $1 == "c" && st[v["size"]] == 2 {
        s = v["size"]; cm = (c1[s] + v["pairs_per_s"]) / 2; m[s]++; sep[s] = sep[s] sprintf(" %.2f", cm / jv[s])
        sc[s] = sc[s] sprintf(" %.0f/%.0f", cm, jv[s]); st[s] = 0; next
    }
    function sort(s, k, a,    i, j, t) { for (i = 1; i <= k; i++) a[i] = r[s, i]
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
    function q(a, k, p,    x, f) { x = 1 + (k - 1) * p; f = int(x); return f >= k ? a[k] : a[f] + (x - f) * (a[f + 1] - a[f]) }
    END {
        for (s in tot) {
            sort(s, n[s], a)
            printf "size %8d  alternating: %s; %d blocks: median %.3fx, quartiles %.3f-%.3f, " \
                "range %.3f-%.3f\n", s, tot[s], n[s], q(a, n[s], 0.5), q(a, n[s], 0.25), q(a, n[s], 0.75), a[1], a[n[s]]
        }
        for (s in m) printf "size %8d  separate processes: %d round(s), C/sriov4j pairs/s%s, ratio%s\n", s, m[s],
            sc[s], sep[s]
        if (length(tot) == 0) exit 1
    }' "$out/guest/stdout.log")" || { echo "FAIL: no alternating results" >&2; exit 1; }
echo "$summary" | tee "$out/summary.txt"
