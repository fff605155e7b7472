# shellcheck shell=bash
# sriov4j-it: sourced by the dom0 halves of xen-selftest.sh and xen-scenario.sh (selftest-dom0.sh,
# scenario-dom0.sh): the check counter and the driver/xl predicates both use.
#   check DESCRIPTION COMMAND...   runs COMMAND, counts PASS/FAIL, prints "[  t s] ok|FAILED: ... (d s)"
#   driver_of BDF, is_driver BDF DRIVER, wait_driver BDF DRIVER [TIMEOUT]
#   listed BDF / not_listed BDF (xl pci-assignable-list), in_domain DOM BDF / not_in_domain DOM BDF
#   modprobe_all (igb, igbvf, xen-pciback)
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
