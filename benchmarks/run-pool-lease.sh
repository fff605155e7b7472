#!/usr/bin/env bash
# Pool lease against a direct lease of a known VF, side by side (issue 15, item 4): PoolLeaseRatio on a generated
# tree of 8 PFs x 128 VFs (1,024 VFs, all on vfio-pci), RUNS times (each in its own JVM); prints each run's ratio
# pool/direct (ratio of the totals of alternating blocks; goal <= 1.2) and the spread of its groups of blocks.
#
#   benchmarks/run-pool-lease.sh              build if needed, run (~1 minute a run)
#
# Environment: RUNS (3), PFS (8), VFS_PER_PF (128), ROUNDS (400 blocks), BATCH (10 leases a block), JAVA (java),
# MVN (mvn), MVN_FLAGS (-o), CPUS (0-1), SRIOV4J_BENCH_SCRATCH. Exit status: 0 when every run's ratio is within
# MAX_RATIO (1.2), 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
java="${JAVA:-java}"
if [[ -n "${REBUILD:-}" || ! -f "$jar" || -n "$(find "$top/api" "$top/sriov-spi" "$here/src" -newer "$jar" \
        -name '*.java' -not -path '*/src/test/*' -print -quit)" ]]; then
    echo "== building benchmarks.jar"
    (cd "$top" && "${MVN:-mvn}" -q -B ${MVN_FLAGS--o} package -pl benchmarks -am -DskipTests)
fi
pin=()
if command -v taskset > /dev/null 2>&1 && taskset -c "${CPUS:-0-1}" true 2> /dev/null; then
    pin=(taskset -c "${CPUS:-0-1}")
fi
props=()
[[ -n "${SRIOV4J_BENCH_SCRATCH:-}" ]] && props=("-Dsriov4j.bench.scratch=$SRIOV4J_BENCH_SCRATCH")
status=0
for r in $(seq "${RUNS:-3}"); do
    line="$("${pin[@]}" "$java" "${props[@]}" -cp "$jar" org.sriov4j.benchmarks.PoolLeaseRatio "${PFS:-8}" \
        "${VFS_PER_PF:-128}" "${ROUNDS:-400}" "${BATCH:-10}")"
    echo "run $r: $line"
    ratio="$(sed -n 's/^pool-ratio.* ratio=\([0-9.]*\) .*/\1/p' <<< "$line")"
    awk -v r="$ratio" -v m="${MAX_RATIO:-1.2}" 'BEGIN { exit !(r <= m) }' || status=1
done
exit "$status"
