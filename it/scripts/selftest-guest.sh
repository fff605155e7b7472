#!/bin/bash
# sriov4j-it: checks run INSIDE the guest by selftest.sh (through run-in-guest.sh --script).
# Prints one "ok ..." or "FAIL ..." line per check; exits non-zero when a check failed.
#   selftest-guest.sh single   # run with --machine single --iommu pt
#   selftest-guest.sh dual     # run with --machine dual --iommu nopt --bridge-e1000
set -uo pipefail

FAILED=0
ok() { echo "ok $*"; }
bad() { echo "FAIL $*"; FAILED=1; }
check() { # description, then a command
    local what=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
dev=/sys/bus/pci/devices
group_of() { basename "$(readlink "$dev/$1/iommu_group")"; }

expect_pf() { # BDF
    local pf=$1 i vf expect
    check "$pf is an 82576 PF (8086:10c9)" grep -qx 0x10c9 "$dev/$pf/device"
    check "$pf bound to igb" test "$(basename "$(readlink "$dev/$pf/driver")")" = igb
    check "$pf sriov_totalvfs = 7" grep -qx 7 "$dev/$pf/sriov_totalvfs"
    check "$pf: 7 VFs enabled" sh -c "echo 7 > $dev/$pf/sriov_numvfs"
    expect="${pf%:*}:10.0 ${pf%:*}:10.2 ${pf%:*}:10.4 ${pf%:*}:10.6 ${pf%:*}:11.0 ${pf%:*}:11.2 ${pf%:*}:11.4"
    i=0
    for vf in $expect; do
        check "$pf virtfn$i -> $vf (8086:10ca)" test "$(basename "$(readlink "$dev/$pf/virtfn$i")")" = "$vf" \
            -a "$(cat "$dev/$vf/device")" = 0x10ca
        check "$vf alone in its IOMMU group" test "$(find "/sys/kernel/iommu_groups/$(group_of "$vf")/devices" -mindepth 1 | wc -l)" -eq 1
        i=$((i + 1))
    done
}

modprobe igb || bad "modprobe igb"
case "${1:-single}" in
    single)
        expect_pf 0000:01:00.0
        check "IOMMU default domain is identity (iommu=pt)" grep -qx identity "/sys/kernel/iommu_groups/$(group_of 0000:01:00.0)/type"
        check "modprobe vfio-pci" modprobe vfio-pci
        vf=0000:01:10.0
        echo vfio-pci > "$dev/$vf/driver_override"
        echo "$vf" > /sys/bus/pci/drivers_probe
        check "$vf bound to vfio-pci" test "$(basename "$(readlink "$dev/$vf/driver")")" = vfio-pci
        check "/dev/vfio/$(group_of $vf) exists" test -c "/dev/vfio/$(group_of $vf)"
        check "java -version runs" java -version
        check "report written to \$SRIOV4J_IT_OUT" sh -c "echo hello-from-guest > '$SRIOV4J_IT_OUT/report.txt'"
        echo "to stderr" >&2
        ;;
    dual)
        expect_pf 0000:01:00.0
        expect_pf 0000:02:00.0
        check "IOMMU default domain is DMA (iommu=nopt)" grep -qx DMA "/sys/kernel/iommu_groups/$(group_of 0000:01:00.0)/type"
        g=$(group_of 0000:03:00.0)
        check "pcie-pci-bridge at 0000:03:00.0 (1b36:000e)" grep -qx 0x000e "$dev/0000:03:00.0/device"
        check "e1000 at 0000:04:01.0 and 0000:04:02.0 (8086:100e)" grep -qx 0x100e "$dev/0000:04:01.0/device" "$dev/0000:04:02.0/device"
        check "bridge and both e1000 in one IOMMU group ($g)" test "$(find "/sys/kernel/iommu_groups/$g/devices" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')" = "0000:03:00.0 0000:04:01.0 0000:04:02.0 "
        ;;
    *) bad "unknown mode $1" ;;
esac
exit "$FAILED"
