#!/usr/bin/env bash
# sriov4j-it: the dom0 half of xen-selftest.sh (run by run-in-xen.sh). With xl alone (no sriov4j):
# 2 VFs on the igb PF, VF0 made assignable, a PV domU with passthrough, VF0 hot-attached (igbvf
# binds in the domU), detached, given back to igbvf. Prints each check and "N passed, N failed".
set -uo pipefail
PF=${PF:-0000:01:00.0}
D=$SRIOV4J_IT_XEN_SCRIPTS/domu.sh
# shellcheck source=checks.sh
. "$SRIOV4J_IT_XEN_SCRIPTS/checks.sh"
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
