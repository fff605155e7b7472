#!/usr/bin/env bash
# sriov4j-it: the dom0 half of xen-kits.sh (run by run-in-xen.sh): loads igb, igbvf, xen-pciback and runs
# the contract kits of package org.sriov4j.itxen (xen-pciback backend, pciback stub) with the JUnit console
# launcher; the XML reports go to $SRIOV4J_IT_OUT/reports.
#   kits-dom0.sh JAVA CONSOLE_JAR CLASSPATH [JAVA_OPTION...]
# Exit status: the launcher's (0 all passed, 1 a test failed, 2 no test found), or the failing modprobe's.
set -euo pipefail
JAVA=${1:?java}
CONSOLE_JAR=${2:?console launcher jar}
CLASSPATH_ARG=${3:?class path}
shift 3
: "${SRIOV4J_IT_OUT:?not in dom0 of run-in-xen.sh}"
echo "dom0: kernel $(uname -r), $(xl info | grep -m1 '^xen_version')"
for module in igb igbvf xen-pciback; do
    modprobe "$module"
done
mkdir -p "$SRIOV4J_IT_OUT/reports"
echo '.*' > "$SRIOV4J_IT_OUT/include.txt" # for the host's SuiteReport --expect
exec "$JAVA" "$@" -cp "$CONSOLE_JAR:$CLASSPATH_ARG" \
    org.junit.platform.console.ConsoleLauncher execute \
    --select-package org.sriov4j.itxen \
    --include-classname '.*' \
    --exclude-engine=junit-vintage \
    --reports-dir "$SRIOV4J_IT_OUT/reports" \
    --fail-if-no-tests \
    --details=tree --details-theme=ascii --disable-banner --disable-ansi-colors
