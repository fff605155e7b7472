#!/usr/bin/env bash
# Runs the lease benchmarks (LeaseBenchmark: lease + release of one VF on the simulated kernel, managed and
# unmanaged, directly and through a VfPool; and unmanaged on a captured sysfs tree on disk, without the simulator)
# in a short run and prints the scores in microseconds per lease+release.
#
#   benchmarks/run-lease.sh                    build if needed, then run (about a minute)
#   REBUILD=1 benchmarks/run-lease.sh          force a rebuild first
#   benchmarks/run-lease.sh -f 1 -wi 5 -w 2s -i 5 -r 2s
#                                              arguments go to JMH instead of the short defaults
#                                              (-f 1 -wi 3 -w 2s -i 3 -r 2s)
#
# Environment: JAVA (java), MVN (mvn), MVN_FLAGS (-o: offline; set to "" to allow downloads), CPUS (the CPU list
# the benchmark JVM is pinned to with taskset when taskset exists, default 0-1: two cores),
# SRIOV4J_BENCH_SCRATCH (where the state directory is made; default /dev/shm if writable, else java.io.tmpdir).
# Exit status: 0 if every benchmark produced a score, 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
java="${JAVA:-java}"
mvn="${MVN:-mvn}"
mvn_flags="${MVN_FLAGS--o}"
cpus="${CPUS:-0-1}"

needs_build() {
    [[ -n "${REBUILD:-}" ]] && return 0
    [[ -f "$jar" ]] || return 0
    # any source or POM of the modules the benchmarks run, newer than the jar
    [[ -n "$(find "$top/pom.xml" "$top/bom/pom.xml" "$top/api" "$top/sriov-spi" \
        "$top/test-fixtures" "$here/pom.xml" "$here/src" -newer "$jar" \
        \( -name '*.java' -o -name 'pom.xml' -o -path '*/META-INF/services/*' \) -not -path '*/src/test/*' \
        -print -quit)" ]]
}

if needs_build; then
    echo "== building benchmarks.jar"
    # package in the reactor: nothing is installed into the local repository
    if ! (cd "$top" && "$mvn" -q -B $mvn_flags package -pl benchmarks -am -DskipTests); then
        echo "FAIL: the build failed (try MVN_FLAGS= to let Maven download what is missing)" >&2
        exit 1
    fi
fi

pin=()
if command -v taskset > /dev/null 2>&1 && taskset -c "$cpus" true 2> /dev/null; then
    pin=(taskset -c "$cpus")
fi

jmh_props=()
if [[ -n "${SRIOV4J_BENCH_SCRATCH:-}" ]]; then
    jmh_props=(-jvmArgsAppend "-Dsriov4j.bench.scratch=$SRIOV4J_BENCH_SCRATCH")
fi

run_args=("$@")
if [[ ${#run_args[@]} -eq 0 ]]; then
    run_args=(-f 1 -wi 3 -w 2s -i 3 -r 2s)
fi

results="$(mktemp "${TMPDIR:-/tmp}/sriov4j-lease.XXXXXX.csv")"
trap 'rm -f "$results"' EXIT

echo "== JMH (LeaseBenchmark${pin:+, pinned to CPUs $cpus})"
if ! "${pin[@]}" "$java" -Duser.language=en -Duser.country=US -jar "$jar" \
    'org\.sriov4j\.benchmarks\.LeaseBenchmark\.' \
    -rf csv -rff "$results" "${jmh_props[@]}" "${run_args[@]}"; then
    echo "FAIL: JMH failed (see above)" >&2
    exit 1
fi

# CSV columns: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
echo
echo "== result (lease + release of one VF, lower is better)"
status=0
for b in managed unmanaged poolManaged poolUnmanaged treeUnmanaged treePoolUnmanaged; do
    line="$(awk -F, -v name="$b" \
        'NR > 1 { n = $1; gsub(/"/, "", n); if (n ~ ("\\." name "$")) { s = $5; e = $6; u = $7; gsub(/"/, "", s);
            gsub(/"/, "", e); gsub(/"/, "", u); printf "%-18s %10.1f ± %.1f %s", name, s, e, u; exit } }' \
        "$results")"
    if [[ -z "$line" ]]; then
        echo "$b: no score" >&2
        status=1
    else
        echo "$line"
    fi
done
exit "$status"
