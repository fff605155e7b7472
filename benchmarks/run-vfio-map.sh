#!/usr/bin/env bash
# VFIO DMA map benchmark (issue 5, item 8): VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA pairs per second through
# sriov4j (IommuDomain.map/unmap: validation, mapping table, JNA) against a minimal C program making the same
# ioctls (vfio-map/vfio_map_bench.c), both in the same boot of the real-kernel guest (it/scripts/run-in-guest.sh,
# machine single: Linux 6.12 under QEMU TCG, emulated 82576, virtual Intel IOMMU). One VF is bound to vfio-pci by
# raw sysfs; per size the C program runs, then Java, then C again; the ratio is C's mean rate over Java's.
#
#   benchmarks/run-vfio-map.sh                 build (reactor package, no install), compile, run (~2-3 minutes)
#
# Environment: MVN (mvn), MVN_FLAGS (-o), CC (gcc), SIZES ("4096 2097152": bytes per mapping), WARMUP (5) and
# MEASURE (5) seconds per run (the same for both), TIMEOUT (900: the guest run), OUT (benchmarks/target/vfio-map).
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
for size in $sizes; do
    "$out/vfio_map_bench" \$group \$size $warmup $measure || status=1
    java -cp "$out/classes:$cp_libs" VfioMapBench \$vf \$size $warmup $measure || status=1
    "$out/vfio_map_bench" \$group \$size $warmup $measure || status=1
done
echo \$vf > /sys/bus/pci/drivers/vfio-pci/unbind
echo > /sys/bus/pci/devices/\$vf/driver_override
echo 0 > \$pf/sriov_numvfs
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

echo "== results (pairs per second; ratio = C / sriov4j, target <= 1.3)"
awk '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    $1 == "c"    { c[v["size"]] += v["pairs_per_s"]; cn[v["size"]]++ }
    $1 == "java" { j[v["size"]] = v["pairs_per_s"]; ju[v["size"]] = v["us_per_pair"] }
    END {
        bad = 0
        for (s in j) {
            if (cn[s] == 0 || j[s] == 0) { bad = 1; continue }
            cm = c[s] / cn[s]
            printf "size %8d  C %10.1f/s (%.2f us)  sriov4j %10.1f/s (%.2f us)  ratio %.2fx%s\n", s, cm, 1e6 / cm,
                j[s], ju[s], cm / j[s], (cm / j[s] <= 1.3 ? "" : "  (above the 1.3x target)")
        }
        exit bad
    }' "$out/guest/stdout.log" | tee "$out/summary.txt"
