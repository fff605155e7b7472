#!/usr/bin/env bash
# sriov4j-it: the contract kits (Discovery, VfLifecycle, Lifecycle) and the guest hooks around xl pci-attach/pci-detach (XenDom0GuestHooksIT: a PV domU, a vetoing hook); package org.sriov4j.itxen of
# it/src/test/java) in a real Xen 4.17 dom0: one Xen boot (run-in-xen.sh), xen/kits-dom0.sh there (igb,
# igbvf, xen-pciback, the JUnit console launcher), then the JUnit XML report: "N passed, N failed, N skipped".
#
#   mvn -o -B verify -Preal-kernel -pl it -am -DskipTests -Dsriov4j.it.skip   # builds what this runs
#   it/scripts/xen-kits.sh [--out DIR] [--timeout S]     # default it/target/xen-kits, 1500 s
#
# Builds nothing: it takes it/target/test-classes, it/target/real-kernel-classpath.txt and the console launcher
# of it/target/ and copies them to DIR/lib/ first (a build rewriting target/ meanwhile changes nothing).
# Exit status: 0 when tests ran and none failed; 1 otherwise; 2 on bad usage / missing build output.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_DIR=$(dirname "$SCRIPT_DIR")
OUT=$IT_DIR/target/xen-kits
TIMEOUT=1500
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT=${2:?}; shift 2 ;;
        --timeout) TIMEOUT=${2:?}; shift 2 ;;
        *) echo "usage: xen-kits.sh [--out DIR] [--timeout S]" >&2; exit 2 ;;
    esac
done
die() { printf 'xen-kits: ERROR: %s\n' "$*" >&2; exit 2; }

if [ -n "${JAVA_HOME:-}" ]; then JAVA=$JAVA_HOME/bin/java; else JAVA=$(command -v java) || die "no java"; fi
JAVA=$(readlink -f "$JAVA")
TEST_CLASSES=$IT_DIR/target/test-classes
CLASSPATH_FILE=$IT_DIR/target/real-kernel-classpath.txt
hint="build first: mvn -o -B verify -Preal-kernel -pl it -am -DskipTests -Dsriov4j.it.skip"
jars=("$IT_DIR"/target/junit-platform-console-standalone-*.jar)
{ [ "${#jars[@]}" -eq 1 ] && [ -f "${jars[0]}" ]; } || die "no single $IT_DIR/target/junit-platform-console-standalone-*.jar ($hint)"
[ -d "$TEST_CLASSES/org/sriov4j/itxen" ] || die "no compiled org.sriov4j.itxen tests in $TEST_CLASSES ($hint)"
[ -f "$CLASSPATH_FILE" ] || die "no class path file $CLASSPATH_FILE ($hint)"
[ "$(id -u)" -eq 0 ] || die "needs root (QEMU, apt-get for the first setup)"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
# Snapshot of what dom0 runs, in the results folder (dom0's share /run/sriov4j-it/xfer).
LIB=$OUT/lib
rm -rf "$LIB" "$OUT/summary.txt"
mkdir -p "$LIB"
cp -R "$TEST_CLASSES" "$LIB/test-classes"
X=/run/sriov4j-it/xfer/lib
CLASSPATH_ARG=$X/test-classes
HOST_CLASSPATH=$LIB/test-classes # the same on the host, for SuiteReport --expect
n=0
IFS=: read -r -a deps < <(tr -d '\n' < "$CLASSPATH_FILE") || true # status 1 at the end of input
for d in "${deps[@]+"${deps[@]}"}"; do
    [ -n "$d" ] || continue
    [ -e "$d" ] || die "class path entry $d does not exist ($hint)"
    n=$((n + 1))
    name=$(printf '%02d' "$n")-$(basename "$d")
    cp -R "$d" "$LIB/$name"
    CLASSPATH_ARG=$CLASSPATH_ARG:$X/$name
    HOST_CLASSPATH=$HOST_CLASSPATH:$LIB/$name
done
cp "${jars[0]}" "$LIB/"
CONSOLE_JAR=$X/$(basename "${jars[0]}")

"$SCRIPT_DIR/setup-xen.sh" --quiet
rc=0
"$SCRIPT_DIR/run-in-xen.sh" --no-setup --timeout "$TIMEOUT" --out "$OUT" --live \
    --script "$SCRIPT_DIR/xen/kits-dom0.sh" -- "$JAVA" "$CONSOLE_JAR" "$CLASSPATH_ARG" < /dev/null || rc=$?
grep -h 'dom0-setup:' "$OUT/stderr.log" || true
echo
src=0
"$JAVA" "$SCRIPT_DIR/SuiteReport.java" --expect org.sriov4j.itxen "$HOST_CLASSPATH" xen-dom0 "$rc" "$OUT" \
    > "$OUT/summary.txt" || src=$?
cat "$OUT/summary.txt"
if pgrep -f -- "$OUT/.harness/qemu.pid" >/dev/null; then
    echo "xen-kits: FAILED: a QEMU of this run is still there"; src=1
fi
[ "$rc" -eq 0 ] && [ "$src" -eq 0 ]
