#!/usr/bin/env bash
# sriov4j-it: smoke test of the real-Xen harness (one Xen boot, ~2-3 minutes on 2 cores, once set
# up). Boots Xen 4.17 + dom0 (run-in-xen.sh) and, with xl alone, takes VF0 of the igb PF through
# assignable -> PV domU (pci-attach, igbvf binds in the domU) -> pci-detach -> back to igbvf
# (xen/selftest-dom0.sh). Ends with "N passed, N failed"; exit 0 only when all passed.
#
#   it/scripts/xen-selftest.sh [--out DIR] [--timeout S]    # default: it/target/xen-selftest, 900 s
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$SCRIPT_DIR/../target/xen-selftest
TIMEOUT=900
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=${2:?}; shift 2 ;;
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        *) echo "usage: xen-selftest.sh [--out DIR] [--timeout S]" >&2; exit 2 ;;
    esac
done
mkdir -p "$OUT"

"$SCRIPT_DIR/setup-xen.sh" --quiet
rc=0
"$SCRIPT_DIR/run-in-xen.sh" --no-setup --timeout "$TIMEOUT" --out "$OUT" --live \
    --script "$SCRIPT_DIR/xen/selftest-dom0.sh" < /dev/null || rc=$?
passed=$(grep -c '] ok: ' "$OUT/stdout.log" || true)
failed=$(grep -c '] FAILED: ' "$OUT/stdout.log" || true)
# The harness itself: QEMU gone, status and timing recorded.
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
echo "xen-selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ]
