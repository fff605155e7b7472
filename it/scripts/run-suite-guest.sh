#!/usr/bin/env bash
# sriov4j-it: the guest half of run-suite.sh (runs as root inside the guest of run-in-guest.sh).
# Loads the drivers the tests use (igb, igbvf, vfio-pci; e1000 when there are e1000 NICs) and runs every
# JUnit test class of package org.sriov4j.it with the JUnit console launcher; the XML reports go to
# $SRIOV4J_IT_OUT/reports.
#
#   run-suite-guest.sh MACHINE JAVA CONSOLE_JAR CLASSPATH [JAVA_OPTION...]
#
# Exit status: the console launcher's (0 all passed, 1 a test failed, 2 no test found), or the
# failing modprobe's.
set -euo pipefail

MACHINE=${1:?machine}
JAVA=${2:?java}
CONSOLE_JAR=${3:?console launcher jar}
CLASSPATH_ARG=${4:?class path}
shift 4

: "${SRIOV4J_IT_OUT:?not in the guest of run-in-guest.sh}"
echo "guest: kernel $(uname -r), machine $MACHINE, iommu ${SRIOV4J_IT_IOMMU:-?}"

# No udev in the guest: load the drivers. One modprobe per module (modprobe a b c would take b and c
# as parameters of a).
for module in igb igbvf vfio-pci; do
    modprobe "$module"
done
# e1000 when the machine has the e1000 NICs (run-in-guest.sh --bridge-e1000).
if grep -qx 0x100e /sys/bus/pci/devices/*/device; then
    modprobe e1000
fi

mkdir -p "$SRIOV4J_IT_OUT/reports"
# The launcher and the tests on one plain class path (not `-jar … --class-path`, which would load the tests
# in a child class loader and leave java.class.path = the launcher alone: tests that start child JVMs with
# java.class.path need it complete). The launcher first: its JUnit classes win over the jars of the same
# version that the test class path also lists.
# --include-classname '.*': every class of the package, whatever its name (the launcher's default
# pattern would only take *Test / *Tests / Test*). No JUnit 4 here: the vintage engine is left out.
# Which classes: everything on the single machine; on the dual machine only what its second PF and its e1000
# bridge add (discovery and the VF lifecycle with two PFs, the non-viable group, VFIO's non-viable case): the
# other kits would only repeat the single machine's run on the same first PF, at several minutes under TCG.
# SRIOV4J_IT_INCLUDE overrides the pattern (from the host: SRIOV4J_IT_INCLUDE=... SRIOV4J_IT_RUN_ARGS="--env
# SRIOV4J_IT_INCLUDE" it/scripts/run-suite.sh).
case "$MACHINE" in
    dual) include='.*(Smoke|Discovery|VfLifecycle|NonViable|Vfio).*' ;;
    *) include='.*' ;;
esac
include=${SRIOV4J_IT_INCLUDE:-$include}
# The host's SuiteReport --expect checks that every test class matching it ran (the launcher skips classes it
# cannot load without failing).
printf '%s\n' "$include" > "$SRIOV4J_IT_OUT/include.txt"
exec "$JAVA" "-Dsriov4j.it.machine=$MACHINE" "$@" -cp "$CONSOLE_JAR:$CLASSPATH_ARG" \
    org.junit.platform.console.ConsoleLauncher execute \
    --select-package org.sriov4j.it \
    --include-classname "$include" \
    --exclude-engine=junit-vintage \
    --reports-dir "$SRIOV4J_IT_OUT/reports" \
    --fail-if-no-tests \
    --details=tree --details-theme=ascii --disable-banner --disable-ansi-colors
