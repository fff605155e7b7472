#!/usr/bin/env bash
# sriov4j-it: self-test of the real-kernel harness (about 1.5 minutes on 2 cores, once set up).
# Boots the guest in the machine configurations the tests rely on and checks the BDFs, IOMMU
# groups, exit-status propagation, result files and the timeout. Ends with "N passed, N failed".
#   it/scripts/selftest.sh
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=$SCRIPT_DIR/run-in-guest.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sriov4j-it-selftest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0

pass() { echo "ok $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
expect() { # description, expected, actual
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}

"$SCRIPT_DIR/setup.sh"

guest_checks() { # name, mode, run-in-guest options...
    local name=$1 mode=$2 rc=0
    shift 2
    "$RUN" --quiet --timeout 300 --out "$WORK/$name" "$@" --script "$SCRIPT_DIR/selftest-guest.sh" -- "$mode" || rc=$?
    sed 's/^/  guest: /' "$WORK/$name/stdout.log"
    PASSED=$((PASSED + $(grep -c '^ok ' "$WORK/$name/stdout.log" || true)))
    FAILED=$((FAILED + $(grep -c '^FAIL ' "$WORK/$name/stdout.log" || true)))
    expect "$name: exit status" 0 "$rc"
}

guest_checks single single --machine single --iommu pt
expect "single: report file brought back" hello-from-guest "$(cat "$WORK/single/out/report.txt" 2>/dev/null)"
expect "single: guest stderr captured" "to stderr" "$(grep -x 'to stderr' "$WORK/single/stderr.log")"
expect "single: exit-status file" 0 "$(cat "$WORK/single/exit-status" 2>/dev/null)"
if grep -q 'sriov4j-it stage2: running the command' "$WORK/single/console.log"; then
    pass "single: console log kept"
else
    fail "single: console log kept"
fi

guest_checks dual dual --machine dual --iommu nopt --bridge-e1000

rc=0
"$RUN" --quiet -- sh -c 'exit 3' || rc=$?
expect "exit status 3 propagated" 3 "$rc"
rc=0
"$RUN" --quiet -- false || rc=$?
expect "'false' returns 1" 1 "$rc"

rc=0
start=$SECONDS
"$RUN" --quiet --timeout 20 --out "$WORK/timeout" -- sleep 1000 2>/dev/null || rc=$?
expect "timeout returns 124" 124 "$rc"
if [ $((SECONDS - start)) -lt 60 ]; then
    pass "timeout honoured ($((SECONDS - start)) s)"
else
    fail "timeout took $((SECONDS - start)) s"
fi
qpid=$(cat "$WORK/timeout/.harness/qemu.pid" 2>/dev/null || echo none)
if [ "$qpid" != none ] && kill -0 "$qpid" 2>/dev/null; then
    fail "QEMU (pid $qpid) left running after the timeout"
else
    pass "no QEMU left after the timeout"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
