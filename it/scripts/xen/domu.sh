#!/usr/bin/env bash
# sriov4j-it: test PV domUs, used in dom0 (run-in-xen.sh): "$SRIOV4J_IT_XEN_SCRIPTS/domu.sh".
#
#   domu.sh create NAME [--memory MiB] [--pci BDF]... [--timeout S]
#         writes /run/sriov4j-it/xen/NAME.cfg (type pv, the 6.12 kernel, the domU initramfs of
#         setup-xen.sh, extra "console=hvc0 iommu=soft", memory 256, passthrough="enabled"),
#         runs `xl create` and waits (default 180 s) until the domU's /init reports "ready"
#   domu.sh wait-driver NAME DRIVER [TIMEOUT]     until a PCI device in the domU is bound to DRIVER
#   domu.sh wait-no-driver NAME DRIVER [TIMEOUT]  until none is (default timeout 60 s)
#   domu.sh pci NAME        the domU's last PCI report ("BDF=VENDOR:DEVICE:DRIVER ...")
#   domu.sh log NAME        the path of its console log (written by xenconsoled --log=guest)
#   domu.sh destroy NAME    xl destroy
#
# The domU's /init (it/scripts/xen/domu-init) prints "sriov4j-domu: pci uptime=U BDF=V:D:DRV ..."
# on its console whenever its PCI devices or their drivers change.
set -euo pipefail

CFG_DIR=/run/sriov4j-it/xen
LOG_DIR=/var/log/xen/console

die() { echo "domu.sh: $*" >&2; exit 1; }
logf() { echo "$LOG_DIR/guest-$1.log"; }
# The last PCI report of the domU (without the prefix), or nothing.
last_pci() {
    local f
    f=$(logf "$1")
    [ -f "$f" ] || return 0
    tr -d '\r' < "$f" | sed -n 's/^.*sriov4j-domu: pci uptime=[0-9.]* //p' | tail -1
}
has_driver() { last_pci "$1" | tr ' ' '\n' | grep -q ":$2\$"; }
wait_for() { # TIMEOUT DESCRIPTION COMMAND...
    local t=$1 what=$2 end
    shift 2
    end=$(( $(date +%s) + t ))
    until "$@"; do
        [ "$(date +%s)" -lt "$end" ] || { echo "domu.sh: timeout ($t s) waiting for $what" >&2; return 1; }
        sleep 0.5
    done
}

cmd=${1:-}
name=${2:-}
if [ -z "$cmd" ] || [ -z "$name" ]; then
    die "usage: domu.sh create|wait-driver|wait-no-driver|pci|log|destroy NAME ..."
fi
shift 2
case "$cmd" in
    create)
        mem=256 timeout=180 pci=()
        while [ $# -gt 0 ]; do
            case "$1" in
                --memory) mem=${2:?}; shift 2 ;;
                --pci) pci+=("${2:?}"); shift 2 ;;
                --timeout) timeout=${2:?}; shift 2 ;;
                *) die "create: unknown option $1" ;;
            esac
        done
        : "${SRIOV4J_IT_XEN_KERNEL:?not in dom0 of run-in-xen.sh}" "${SRIOV4J_IT_XEN_DOMU_INITRD:?}"
        mkdir -p "$CFG_DIR"
        {
            echo "name = \"$name\""
            echo 'type = "pv"'
            echo "kernel = \"$SRIOV4J_IT_XEN_KERNEL\""
            echo "ramdisk = \"$SRIOV4J_IT_XEN_DOMU_INITRD\""
            # iommu=soft: xen-swiotlb, else the VF DMAs to pseudo-physical addresses (VT-d faults).
            echo 'extra = "console=hvc0 iommu=soft loglevel=4"'
            echo "memory = $mem"
            echo 'vcpus = 1'
            # Needed for a later xl pci-attach (else: xc_assign_device failed: Operation not supported).
            echo 'passthrough = "enabled"'
            echo 'on_crash = "destroy"'
            if [ "${#pci[@]}" -gt 0 ]; then
                printf 'pci = [ '; printf '"%s", ' "${pci[@]}"; echo ']'
            fi
        } > "$CFG_DIR/$name.cfg"
        rm -f "$(logf "$name")"
        xl create "$CFG_DIR/$name.cfg" || die "xl create $name failed"
        wait_for "$timeout" "domU $name to report ready" grep -q 'sriov4j-domu: ready' "$(logf "$name")" 2>/dev/null \
            || { tail -20 "$(logf "$name")" >&2 2>/dev/null || true; exit 1; }
        ;;
    wait-driver)
        drv=${1:?DRIVER}
        wait_for "${2:-60}" "a device on $drv in domU $name" has_driver "$name" "$drv" \
            || { echo "domu.sh: last report: $(last_pci "$name")" >&2; exit 1; }
        ;;
    wait-no-driver)
        drv=${1:?DRIVER}
        not_has() { ! has_driver "$@"; }
        wait_for "${2:-60}" "no device on $drv in domU $name" not_has "$name" "$drv" \
            || { echo "domu.sh: last report: $(last_pci "$name")" >&2; exit 1; }
        ;;
    pci) last_pci "$name" ;;
    log) logf "$name" ;;
    destroy) xl destroy "$name" ;;
    *) die "unknown command $cmd" ;;
esac
