#!/usr/bin/env bash
# sriov4j-it: the dom0 half of xen-selftest.sh (run by run-in-xen.sh). With xl alone (no sriov4j):
# 2 VFs on the igb PF, VF0 made assignable, a PV domU with passthrough, VF0 hot-attached (igbvf
# binds in the domU), detached, given back to igbvf. Prints each check and "N passed, N failed".
set -uo pipefail
PF=${PF:-0000:01:00.0}
D=$SRIOV4J_IT_XEN_SCRIPTS/domu.sh
PASS=0 FAIL=0
# Times from bash's EPOCHREALTIME (no fork: forks are slow under TCG), in ms.
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }
T0=$(now_ms)
check() { # DESCRIPTION COMMAND...
    local what=$1 s r
    shift
    s=$(now_ms)
    if "$@"; then PASS=$((PASS + 1)); r=ok; else FAIL=$((FAIL + 1)); r=FAILED; fi
    printf '[%6s s] %s: %s (%s s)\n' "$(secs $(($(now_ms) - T0)))" "$r" "$what" "$(secs $(($(now_ms) - s)))"
}
driver_of() {
    local l
    l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || { echo none; return; }
    echo "${l##*/}"
}
is_driver() { [ "$(driver_of "$1")" = "$2" ]; }
wait_driver() { # BDF DRIVER [TIMEOUT]
    local end=$((SECONDS + ${3:-20}))
    until is_driver "$1" "$2"; do
        [ "$SECONDS" -lt "$end" ] || break
        sleep 0.2
    done
    is_driver "$1" "$2" && return 0
    echo "  $1 is on $(driver_of "$1"), not $2" >&2
    return 1
}
listed() { xl pci-assignable-list | grep -q "^${1#0000:}\|^$1"; }
not_listed() { ! listed "$1"; }
in_domain() { xl pci-list "$1" | grep -q "${2#0000:}"; }
not_in_domain() { ! in_domain "$@"; }
modprobe_all() { modprobe igb && modprobe igbvf && modprobe xen-pciback; }
enable_vfs() { echo 2 > "/sys/bus/pci/devices/$PF/sriov_numvfs"; }

check "modprobe igb, igbvf, xen-pciback" modprobe_all
check "PF $PF on igb" wait_driver "$PF" igb
check "2 VFs enabled" enable_vfs
VF0=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn0")")
VF1=$(basename "$(readlink "/sys/bus/pci/devices/$PF/virtfn1")")
echo "  VF0=$VF0 VF1=$VF1"
check "VF0 on igbvf" wait_driver "$VF0" igbvf
check "VF1 on igbvf" wait_driver "$VF1" igbvf
check "xl pci-assignable-add VF0" xl pci-assignable-add "$VF0"
check "VF0 on pciback" is_driver "$VF0" pciback
check "xl pci-assignable-list shows VF0" listed "$VF0"
check "create PV domU t1 (256 MiB, passthrough enabled), its /init ready" "$D" create t1
check "xl pci-attach t1 VF0" xl pci-attach t1 "$VF0"
check "xl pci-list t1 shows VF0" in_domain t1 "$VF0"
check "VF0 bound to igbvf in the domU" "$D" wait-driver t1 igbvf 90
echo "  domU PCI: $("$D" pci t1)"
check "xl pci-detach t1 VF0" xl pci-detach t1 "$VF0"
check "xl pci-list t1 no longer shows VF0" not_in_domain t1 "$VF0"
check "no igbvf device left in the domU" "$D" wait-no-driver t1 igbvf 60
check "VF0 still on pciback" is_driver "$VF0" pciback
check "xl pci-assignable-remove -r VF0" xl pci-assignable-remove -r "$VF0"
check "VF0 back on igbvf" wait_driver "$VF0" igbvf
check "xl pci-assignable-list no longer shows VF0" not_listed "$VF0"
check "xl destroy t1" "$D" destroy t1
check "VFs disabled" sh -c "echo 0 > /sys/bus/pci/devices/$PF/sriov_numvfs"
cp "$("$D" log t1)" "$SRIOV4J_IT_OUT/" 2>/dev/null || true
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
