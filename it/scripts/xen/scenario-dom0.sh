#!/usr/bin/env bash
# sriov4j-it: the dom0 half of xen-scenario.sh (run by run-in-xen.sh): issue 6 item 8 through the
# sriov4j CLI (--backend xen-pciback) on a real Xen 4.17, with xl to check what it did.
#   scenario-dom0.sh JAR
# Main: 2 VFs, VF0 made assignable (detach: pciback, xl pci-assignable-list, libxl's driver_path),
# a PV domU with passthrough, attach VF0 (igbvf binds in the domU), its profile and an unplug/re-plug
# migration plan checked against this host (migrate-check), detach-guest, reattach (igbvf).
# Interop: sriov4j detaches VF1, `xl pci-assignable-remove -r` gives it back (igbvf).
# Crash: `lease VF0 --guest t1 --hold --attach t1`, kill -9 the holder, `recover`: VF0 detached
# from the domain and back on igbvf. Prints each check and "N passed, N failed".
set -uo pipefail
JAR=${1:?usage: scenario-dom0.sh JAR}
PF=${PF:-0000:01:00.0}
D=$SRIOV4J_IT_XEN_SCRIPTS/domu.sh
OUTD=${SRIOV4J_IT_OUT:-/tmp}
# shellcheck source=checks.sh
. "$SRIOV4J_IT_XEN_SCRIPTS/checks.sh"
sriov4j() { java -jar "$JAR" --backend xen-pciback "$@"; }
driver_path_igbvf() { # libxl's record, so that xl pci-assignable-remove -r restores igbvf
    local k=/libxl/pci/${1//[:.]/-}/driver_path
    xenstore-read "$k" 2>/dev/null | grep -q '/igbvf$' || { echo "  $k: $(xenstore-read "$k" 2>&1)" >&2; return 1; }
}
not_in_status() { ! sriov4j status | grep -q "$1"; }
wait_holding() { # FILE PID TIMEOUT
    local end=$((SECONDS + $3))
    while [ "$SECONDS" -lt "$end" ]; do
        grep -q 'holding until stopped' "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { echo "  the holder exited: $(cat "$1")" >&2; return 1; }
        sleep 0.5
    done
    echo "  no 'holding' line after $3 s: $(cat "$1")" >&2
    return 1
}

check "modprobe igb, igbvf, xen-pciback" modprobe_all
check "PF $PF on igb" wait_driver "$PF" igb
check "sriov4j enable-vfs PF 2" sriov4j enable-vfs "$PF" 2
VF0=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn0")")
VF1=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn1")")
echo "  VF0=$VF0 VF1=$VF1"
check "VF0 on igbvf" wait_driver "$VF0" igbvf
check "VF1 on igbvf" wait_driver "$VF1" igbvf

echo "== main: detach, attach to a domU, detach-guest, reattach"
check "sriov4j detach VF0" sriov4j detach "$VF0"
check "VF0 on pciback" is_driver "$VF0" pciback
check "xl pci-assignable-list shows VF0" listed "$VF0"
check "xenstore driver_path of VF0 is igbvf" driver_path_igbvf "$VF0"
check "create PV domU t1 (passthrough enabled)" "$D" create t1
check "sriov4j attach VF0 --guest t1" sriov4j attach "$VF0" --guest t1
check "xl pci-list t1 shows VF0" in_domain t1 "$VF0"
check "VF0 bound to igbvf in the domU" "$D" wait-driver t1 igbvf 90
echo "  domU PCI: $("$D" pci t1)"

echo "== migration (issue 13): VF0's profile in dom0 and an unplug/re-plug plan checked against this host"
check "sriov4j profile VF0 --json" sh -c "java -jar '$JAR' --backend xen-pciback profile '$VF0' --json \
    > '$OUTD/vf0-profile.json'"
sed 's/^/    /' "$OUTD/vf0-profile.json"
check "profile: backend xen-pciback, IOMMU owned by the hypervisor" \
    grep -q '"iommuInterface": "hypervisor"' "$OUTD/vf0-profile.json"
check "profile: PF driver version from ETHTOOL_GDRVINFO in dom0 is the kernel release" \
    grep -q "\"driverVersion\": \"$(uname -r)\"" "$OUTD/vf0-profile.json"
sriov4j migrate-check "$OUTD/vf0-profile.json" --guest-vf-driver "igbvf:$(uname -r)" > "$OUTD/migrate-check.txt" 2>&1
MC=$?
sed 's/^/    /' "$OUTD/migrate-check.txt"
check "migrate-check exits 0: a VF of this host fits" test "$MC" -eq 0
check "VF1 is chosen (VF0 is attached to t1: not free)" grep -q "^fits: $VF1" "$OUTD/migrate-check.txt"
check "plan: unplug/re-plug, Xen has no state transfer" \
    grep -q 'UNPLUG_REPLUG (the source backend xen-pciback does not transfer device state)' "$OUTD/migrate-check.txt"
check "plan: SOURCE UNPLUG $VF0 then DESTINATION PLUG $VF1" sh -c "grep -q '1. SOURCE UNPLUG $VF0' \
    '$OUTD/migrate-check.txt' && grep -q '2. DESTINATION PLUG $VF1' '$OUTD/migrate-check.txt'"
check "igbvf of this kernel on igb: COMPATIBLE (intel-igb matrix)" \
    grep -q 'on igb .* (in-tree): COMPATIBLE' "$OUTD/migrate-check.txt"
check "sriov4j detach-guest VF0" sriov4j detach-guest "$VF0"
check "xl pci-list t1 no longer shows VF0" not_in_domain t1 "$VF0"
check "no igbvf device left in the domU" "$D" wait-no-driver t1 igbvf 60
check "VF0 still on pciback" is_driver "$VF0" pciback
check "sriov4j reattach VF0" sriov4j reattach "$VF0"
check "VF0 back on igbvf" wait_driver "$VF0" igbvf
check "xl pci-assignable-list no longer shows VF0" not_listed "$VF0"

echo "== interop: sriov4j detach VF1, xl pci-assignable-remove -r gives it back"
check "sriov4j detach VF1" sriov4j detach "$VF1"
check "xl pci-assignable-list shows VF1" listed "$VF1"
check "xl pci-assignable-remove -r VF1" xl pci-assignable-remove -r "$VF1"
check "VF1 back on igbvf" wait_driver "$VF1" igbvf
echo "  sriov4j status after xl gave VF1 back:"; sriov4j status 2>&1 | sed 's/^/    /'
if is_driver "$VF1" pciback; then # cleanup (not a check): a VF left on pciback blocks disable-vfs (EPERM)
    echo "  VF1 still on pciback: sriov4j reattach VF1"
    sriov4j reattach "$VF1" || xl pci-assignable-remove "$VF1"
fi

echo "== crash: kill -9 the holder of an attached lease, recover"
java -jar "$JAR" --backend xen-pciback lease "$VF0" --guest t1 --hold --attach t1 > "$OUTD/holder.log" 2>&1 &
HOLDER=$!
check "lease VF0 --guest t1 --hold --attach t1 is holding" wait_holding "$OUTD/holder.log" "$HOLDER" 240
check "xl pci-list t1 shows VF0" in_domain t1 "$VF0"
check "VF0 bound to igbvf in the domU" "$D" wait-driver t1 igbvf 90
check "kill -9 the holder" kill -9 "$HOLDER"
wait "$HOLDER" 2>/dev/null
echo "  sriov4j status after the crash:"; sriov4j status 2>&1 | sed 's/^/    /'
check "sriov4j recover" sriov4j recover
check "xl pci-list t1 no longer shows VF0" not_in_domain t1 "$VF0"
check "no igbvf device left in the domU" "$D" wait-no-driver t1 igbvf 60
check "VF0 back on igbvf" wait_driver "$VF0" igbvf
check "xl pci-assignable-list no longer shows VF0" not_listed "$VF0"
check "sriov4j status no longer shows VF0" not_in_status "$VF0"

check "xl destroy t1" "$D" destroy t1
check "sriov4j disable-vfs PF" sriov4j disable-vfs "$PF"
cp "$("$D" log t1)" "$OUTD/" 2>/dev/null || true
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
