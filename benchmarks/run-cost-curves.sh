#!/usr/bin/env bash
# Cost curves (issue 15, item 5): discovery, lease + release of a named VF, pool lease (every VF but one leased
# elsewhere, and idle), and recover against a ledger of every VF but one, on generated sysfs trees of 8, 64, 256,
# 1,024 and 2,048 VFs (CostCurveBenchmark, JMH), then a Markdown table (with the growth exponent between sizes: 1 is
# linear) and an SVG chart (log-log) from CostCurveReport.
#
# Each point is the median of ROUNDS JMH runs made one after the other (the load of a shared machine changes
# between the sizes of one run), the table shows the rounds' range.
#
#   benchmarks/run-cost-curves.sh                 build if needed, run (~3 minutes a round), print the table
#   benchmarks/run-cost-curves.sh -p vfs=8,2048   extra arguments go to JMH (default: -f 1 -wi 2 -w 1s -i 3 -r 1s)
#
# Environment: ROUNDS (3), JAVA (java), MVN (mvn), MVN_FLAGS (-o), CPUS (0-1: taskset), OUT
# (benchmarks/target/cost-curves: round-N.csv, table.md, cost-curves.svg), SRIOV4J_BENCH_SCRATCH (where the trees are written; default /dev/shm if
# writable). Exit status: 0 when every benchmark produced a score, 1 otherwise.
set -euo pipefail
export LC_NUMERIC=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
java="${JAVA:-java}"
mvn="${MVN:-mvn}"
mvn_flags="${MVN_FLAGS--o}"
cpus="${CPUS:-0-1}"
out="${OUT:-$here/target/cost-curves}"
mkdir -p "$out"

needs_build() {
    [[ -n "${REBUILD:-}" ]] && return 0
    [[ -f "$jar" ]] || return 0
    [[ -n "$(find "$top/pom.xml" "$top/bom/pom.xml" "$top/api" "$top/sriov-spi" "$top/test-fixtures" \
        "$here/pom.xml" "$here/src" -newer "$jar" \( -name '*.java' -o -name 'pom.xml' \) -not -path '*/src/test/*' \
        -print -quit)" ]]
}
if needs_build; then
    echo "== building benchmarks.jar"
    (cd "$top" && "$mvn" -q -B $mvn_flags package -pl benchmarks -am -DskipTests)
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
    run_args=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
fi
rounds="${ROUNDS:-3}"
csvs=()
rm -f "$out"/round-*.csv
for r in $(seq "$rounds"); do
    echo "== JMH round $r of $rounds (CostCurveBenchmark${pin:+, pinned to CPUs $cpus})"
    "${pin[@]}" "$java" -Duser.language=en -Duser.country=US -jar "$jar" \
        'org\.sriov4j\.benchmarks\.CostCurveBenchmark\.' -rf csv -rff "$out/round-$r.csv" "${jmh_props[@]}" \
        "${run_args[@]}"
    csvs+=("$out/round-$r.csv")
done
echo
echo "== cost curves (microseconds per operation, median of $rounds rounds (range); growth exponent 1 = linear)"
"$java" -cp "$jar" org.sriov4j.benchmarks.CostCurveReport "$out/cost-curves.svg" \
    "sriov4j cost curves, $(date -u +%Y-%m-%d): µs per operation (log-log), median of $rounds rounds" "${csvs[@]}" \
    | tee "$out/table.md"
echo "chart: $out/cost-curves.svg"
