#!/usr/bin/env bash
# sriov4j-it: issue 6 item 8 on a real Xen 4.17 through the sriov4j CLI (--backend xen-pciback):
# one Xen boot (run-in-xen.sh), xen/scenario-dom0.sh in dom0 (main path, interop with xl, crash
# + recover). Ends with "N passed, N failed"; exit 0 only when all passed.
#
#   it/scripts/xen-scenario.sh [--out DIR] [--timeout S] [--jar JAR]
#        default: it/target/xen-scenario, 1200 s, cli/target/sriov4j.jar (build it first:
#        mvn -B -DskipTests package -pl cli -am). The jar is copied to DIR/lib/ first, so that a
#        build rewriting cli/target meanwhile does not change what runs.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
OUT=$ROOT/it/target/xen-scenario
TIMEOUT=1200
JAR=$ROOT/cli/target/sriov4j.jar
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=${2:?}; shift 2 ;;
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        --jar) JAR=${2:?}; shift 2 ;;
        *) echo "usage: xen-scenario.sh [--out DIR] [--timeout S] [--jar JAR]" >&2; exit 2 ;;
    esac
done
[ -f "$JAR" ] || { echo "xen-scenario: no $JAR (mvn -B -DskipTests package -pl cli -am)" >&2; exit 2; }
mkdir -p "$OUT/lib"
OUT=$(cd "$OUT" && pwd -P)
cp "$JAR" "$OUT/lib/sriov4j.jar"
if ! java -jar "$OUT/lib/sriov4j.jar" --help 2>&1 | grep -q 'detach-guest'; then
    echo "xen-scenario: $JAR has no Xen commands (attach, detach-guest)" >&2
    exit 2
fi

"$SCRIPT_DIR/setup-xen.sh" --quiet
rc=0
# The results folder is the dom0's share /run/sriov4j-it/xfer: the jar is read from there.
"$SCRIPT_DIR/run-in-xen.sh" --no-setup --timeout "$TIMEOUT" --out "$OUT" --live \
    --script "$SCRIPT_DIR/xen/scenario-dom0.sh" -- /run/sriov4j-it/xfer/lib/sriov4j.jar < /dev/null || rc=$?
passed=$(grep -c '] ok: ' "$OUT/stdout.log" || true)
failed=$(grep -c '] FAILED: ' "$OUT/stdout.log" || true)
if pgrep -f -- "$OUT/.harness/qemu.pid" >/dev/null; then
    echo "FAILED: a QEMU of this run is still there"; failed=$((failed + 1))
else
    passed=$((passed + 1))
fi
if [ "$rc" -ne 0 ]; then
    echo "FAILED: run-in-xen.sh exit status $rc (logs in $OUT)"; failed=$((failed + 1))
fi
grep -h 'dom0-setup:' "$OUT/stderr.log" || true
grep -h '^wall_seconds\|^guest_boot' "$OUT/timing" || true
echo "xen-scenario: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
