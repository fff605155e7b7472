#!/usr/bin/env bash
# sriov4j-it: run the real-kernel suite — every JUnit test class of package org.sriov4j.it (it/src/test/java)
# inside the QEMU guest of run-in-guest.sh, once per machine configuration (single; dual, with --bridge-e1000),
# one guest after the other; then read the JUnit XML reports each guest brought back and print the failed tests, one line per
# machine and, last, "N passed, N failed, N skipped".
#
#   mvn -B verify -Preal-kernel              # the usual way: builds everything, then runs this script
#   it/scripts/run-suite.sh                  # again, after such a build (needs it/target/ as it left it)
#
# Exit status: 0 when every machine ran at least one test and none failed; 1 otherwise (a failed test, a
# guest that timed out or did not boot, no test found); 2 on bad usage / missing build output.
# Results: it/target/real-kernel/<machine>/ (run-in-guest.sh's --out: stdout.log with the test tree,
# console.log, timing, out/reports/TEST-junit-jupiter.xml), it/target/real-kernel/summary.txt, and
# it/target/real-kernel/lib/ (the snapshot of the test classes and jars the guests ran).
#
# Environment (the Maven profile real-kernel sets the first six):
#   SRIOV4J_IT_JAVA             java for the guest and the report (default: $JAVA_HOME/bin/java, else java)
#   SRIOV4J_IT_TEST_CLASSES     the compiled tests (default it/target/test-classes)
#   SRIOV4J_IT_CLASSPATH_FILE   their class path, one line (default it/target/real-kernel-classpath.txt)
#   SRIOV4J_IT_CONSOLE_JAR      junit-platform-console-standalone (default it/target/junit-platform-console-standalone-*.jar)
#   SRIOV4J_IT_RESULTS          results folder (default it/target/real-kernel)
#   SRIOV4J_IT_MACHINES         machines to boot, in order (default "single dual")
#   SRIOV4J_IT_TIMEOUT          run-in-guest.sh --timeout per machine (default 1500; the merged suite outgrew 600 on a loaded host)
#   SRIOV4J_IT_RUN_ARGS         more run-in-guest.sh options, split on blanks (e.g. "--iommu nopt --console")
#   SRIOV4J_IT_JAVA_OPTS        more options for the guest's java, split on blanks (e.g. "-Dfoo=bar")
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_DIR=$(dirname "$SCRIPT_DIR")

die() { printf 'run-suite: ERROR: %s\n' "$*" >&2; exit 2; }

if [ -n "${SRIOV4J_IT_JAVA:-}" ]; then
    JAVA=$SRIOV4J_IT_JAVA
elif [ -n "${JAVA_HOME:-}" ]; then
    JAVA=$JAVA_HOME/bin/java
else
    JAVA=$(command -v java) || die "no java on PATH (set JAVA_HOME or SRIOV4J_IT_JAVA)"
fi
JAVA=$(readlink -f "$JAVA")
[ -x "$JAVA" ] || die "$JAVA is not executable"
TEST_CLASSES=${SRIOV4J_IT_TEST_CLASSES:-$IT_DIR/target/test-classes}
CLASSPATH_FILE=${SRIOV4J_IT_CLASSPATH_FILE:-$IT_DIR/target/real-kernel-classpath.txt}
RESULTS=${SRIOV4J_IT_RESULTS:-$IT_DIR/target/real-kernel}
MACHINES=${SRIOV4J_IT_MACHINES:-single dual}
TIMEOUT=${SRIOV4J_IT_TIMEOUT:-1500}
read -r -a RUN_ARGS <<< "${SRIOV4J_IT_RUN_ARGS:-}"
read -r -a JAVA_OPTS <<< "${SRIOV4J_IT_JAVA_OPTS:-}"
read -r -a MACHINE_LIST <<< "$MACHINES"
if [ -n "${SRIOV4J_IT_CONSOLE_JAR:-}" ]; then
    CONSOLE_JAR=$SRIOV4J_IT_CONSOLE_JAR
else
    jars=("$IT_DIR"/target/junit-platform-console-standalone-*.jar)
    [ "${#jars[@]}" -eq 1 ] || die "expected one $IT_DIR/target/junit-platform-console-standalone-*.jar, found: ${jars[*]}"
    CONSOLE_JAR=${jars[0]}
fi

hint="build first: mvn -B verify -Preal-kernel (or -pl it -am)"
[ -d "$TEST_CLASSES" ] || die "no compiled tests in $TEST_CLASSES ($hint)"
[ -f "$CLASSPATH_FILE" ] || die "no class path file $CLASSPATH_FILE ($hint)"
[ -f "$CONSOLE_JAR" ] || die "no JUnit console launcher $CONSOLE_JAR ($hint)"
[ "${#MACHINE_LIST[@]}" -gt 0 ] || die "SRIOV4J_IT_MACHINES is empty"
for m in "${MACHINE_LIST[@]}"; do
    case "$m" in single|dual) ;; *) die "unknown machine '$m' in SRIOV4J_IT_MACHINES (single, dual)" ;; esac
done
# QEMU's 9p share shows the guest only what root can read, and setup.sh installs packages.
[ "$(id -u)" -eq 0 ] || die "the real-kernel suite needs root (QEMU, apt-get for the first setup)"

# Install / check QEMU, the guest kernel and the initramfs once (a ~0.5 s no-op when all is there).
"$SCRIPT_DIR/setup.sh"

mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd -P)
rm -f "$RESULTS/summary.txt"

# Snapshot of what the guests run (~10 MB): every machine tests the same classes, even when another
# build in the same tree rewrites target/*.jar or target/test-classes meanwhile (a replaced jar under a
# running JVM gives NoClassDefFoundError).
LIB=$RESULTS/lib
rm -rf "$LIB"
mkdir -p "$LIB"
cp -R "$TEST_CLASSES" "$LIB/test-classes"
CLASSPATH_ARG=$LIB/test-classes
n=0
IFS=: read -r -a deps < <(tr -d '\n' < "$CLASSPATH_FILE") || true # status 1 at the end of input
for d in "${deps[@]+"${deps[@]}"}"; do
    [ -n "$d" ] || continue
    [ -e "$d" ] || die "class path entry $d does not exist ($hint)"
    n=$((n + 1))
    copy=$LIB/$(printf '%02d' "$n")-$(basename "$d")
    cp -R "$d" "$copy"
    CLASSPATH_ARG=$CLASSPATH_ARG:$copy
done
cp "$CONSOLE_JAR" "$LIB/"
CONSOLE_JAR=$LIB/$(basename "$CONSOLE_JAR")
# The machines: single = one 82576 PF; dual = two PFs, plus the pcie-pci-bridge with two e1000 NICs in one
# IOMMU group (RealNonViableGroupIT; the PFs keep their BDFs, see it/README.md).
machine_args() {
    case "$1" in
        single) echo "--machine single" ;;
        dual) echo "--machine dual --bridge-e1000" ;;
    esac
}
REPORT_ARGS=()
for m in "${MACHINE_LIST[@]}"; do
    read -r -a margs <<< "$(machine_args "$m")"
    echo
    echo "== real-kernel suite: machine $m: ${margs[*]}${RUN_ARGS[*]+" ${RUN_ARGS[*]}"} (results: $RESULTS/$m) =="
    rc=0
    "$SCRIPT_DIR/run-in-guest.sh" --no-setup "${margs[@]}" --timeout "$TIMEOUT" --out "$RESULTS/$m" --live \
        "${RUN_ARGS[@]+"${RUN_ARGS[@]}"}" \
        -- bash "$SCRIPT_DIR/run-suite-guest.sh" "$m" "$JAVA" "$CONSOLE_JAR" "$CLASSPATH_ARG" \
        "${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"}" || rc=$?
    REPORT_ARGS+=("$m" "$rc" "$RESULTS/$m")
done

echo
rc=0
# --expect: every test class of org.sriov4j.it that matches a machine's include pattern must have run there.
"$JAVA" "$SCRIPT_DIR/SuiteReport.java" --expect org.sriov4j.it "$CLASSPATH_ARG" "${REPORT_ARGS[@]}" \
    > "$RESULTS/summary.txt" || rc=$?
cat "$RESULTS/summary.txt"
exit "$rc"
