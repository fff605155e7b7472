#!/usr/bin/env bash
# SC2054: QEMU arguments contain commas. SC2317: trap handlers are reached indirectly.
# shellcheck disable=SC2054,SC2317
# sriov4j-it: boot a real Debian Linux 6.12 kernel under QEMU (TCG) with emulated Intel 82576
# SR-IOV NICs (QEMU device igb) behind a virtual Intel IOMMU, run one command in it as root, and
# bring back its exit status, stdout/stderr and report files. See it/README.md.
#
#   it/scripts/run-in-guest.sh [options] -- COMMAND [ARG...]
#   it/scripts/run-in-guest.sh [options] --script FILE [-- ARG...]
#
# The guest sees the host's root filesystem read-only (virtio-9p) under a tmpfs overlay, so the
# host's java, ~/.m2 and built jars are there; the command starts in the caller's working
# directory. Whatever it writes into $SRIOV4J_IT_OUT lands in OUT/out/ on the host.
#
# Exit status: the command's, or 124 on timeout, or 125 when the guest could not boot / the
# harness failed (a message on stderr names the console log).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SRIOV4J_IT_CACHE:-/var/cache/sriov4j-it}
QEMU=${SRIOV4J_IT_QEMU:-qemu-system-x86_64}

usage() {
    cat <<'EOF'
usage: run-in-guest.sh [options] -- COMMAND [ARG...]
       run-in-guest.sh [options] --script FILE [-- ARG...]

Boots the sriov4j test guest (Debian Linux 6.12, QEMU q35 + intel-iommu, emulated igb SR-IOV
NICs), runs COMMAND as root in it (cwd = the caller's cwd) and exits with its status.

options:
  --machine single|dual   single: one igb PF behind one pcie-root-port (default)
                          dual:   two igb PFs, each behind its own pcie-root-port
  --iommu pt|nopt         kernel args "intel_iommu=on iommu=pt" (default) or "... iommu=nopt"
  --bridge-e1000          add a pcie-pci-bridge (behind its own root port) with two e1000 NICs
                          on it: both land in one IOMMU group (a non-viable group for tests)
  --timeout SECONDS       bound the whole QEMU run (default 600); 124 on timeout
  --out DIR               results folder (default: a temporary one, removed unless the run
                          failed in the harness or timed out). Holds exit-status, stdout.log,
                          stderr.log, console.log, qemu.log, timing, out/ ($SRIOV4J_IT_OUT)
  --script FILE           run FILE (copied into the guest) instead of COMMAND
  --env NAME[=VALUE]      pass an environment variable (host value when no =VALUE); repeatable
  --keep PATH             keep a host folder under /tmp or /run visible in the guest (those get a
                          fresh tmpfs); the caller's cwd is kept automatically; repeatable
  --memory MiB            guest memory (default 2048)
  --smp N                 guest CPUs (default 2)
  --kernel-arg ARG        extra kernel command-line argument; repeatable
  --live                  stream the command's stdout/stderr while it runs (default: print
                          them when the guest is done)
  --console               stream the guest console (kernel log) to stderr while it runs
  --quiet                 do not print the command's stdout/stderr, nor the summary line
  --no-setup              do not run setup.sh --quiet first (it is a ~0.1 s no-op when all
                          is in place, and installs/builds whatever is missing)
  --xen                   boot Xen 4.17 with the kernel as its PV dom0 and run COMMAND in dom0,
                          Xen daemons up, xl usable (setup-xen.sh; see run-in-xen.sh)
  -h, --help              this help

Environment: SRIOV4J_IT_CACHE (default /var/cache/sriov4j-it), SRIOV4J_IT_QEMU.
In the guest: SRIOV4J_IT_OUT (write reports there), SRIOV4J_IT_GUEST=1, SRIOV4J_IT_MACHINE,
SRIOV4J_IT_IOMMU; PATH, HOME, JAVA_HOME, LANG, LC_ALL, TZ, CI are passed from the host.
EOF
}

msg() { printf 'run-in-guest: %s\n' "$*" >&2; }
harness_fail() { msg "ERROR: $*"; exit 125; }

MACHINE=single
IOMMU=pt
BRIDGE=0
TIMEOUT=600
OUT=""
SCRIPT=""
MEMORY=2048
SMP=2
LIVE=0
CONSOLE=0
QUIET=0
AUTO_SETUP=1
XEN=0
ENVS=()
KEEPS=()
KARGS=()
CMD=()

while [ $# -gt 0 ]; do
    case "$1" in
        --machine) MACHINE=${2:?--machine needs a value}; shift 2 ;;
        --machine=*) MACHINE=${1#*=}; shift ;;
        --iommu) IOMMU=${2:?--iommu needs a value}; shift 2 ;;
        --iommu=*) IOMMU=${1#*=}; shift ;;
        --bridge-e1000) BRIDGE=1; shift ;;
        --timeout) TIMEOUT=${2:?--timeout needs a value}; shift 2 ;;
        --timeout=*) TIMEOUT=${1#*=}; shift ;;
        --out) OUT=${2:?--out needs a value}; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --script) SCRIPT=${2:?--script needs a value}; shift 2 ;;
        --script=*) SCRIPT=${1#*=}; shift ;;
        --env) ENVS+=("${2:?--env needs a value}"); shift 2 ;;
        --env=*) ENVS+=("${1#*=}"); shift ;;
        --keep) KEEPS+=("${2:?--keep needs a value}"); shift 2 ;;
        --keep=*) KEEPS+=("${1#*=}"); shift ;;
        --memory) MEMORY=${2:?--memory needs a value}; shift 2 ;;
        --memory=*) MEMORY=${1#*=}; shift ;;
        --smp) SMP=${2:?--smp needs a value}; shift 2 ;;
        --smp=*) SMP=${1#*=}; shift ;;
        --kernel-arg) KARGS+=("${2:?--kernel-arg needs a value}"); shift 2 ;;
        --kernel-arg=*) KARGS+=("${1#*=}"); shift ;;
        --live) LIVE=1; shift ;;
        --console) CONSOLE=1; shift ;;
        --quiet) QUIET=1; shift ;;
        --no-setup) AUTO_SETUP=0; shift ;;
        --xen) XEN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; CMD=("$@"); break ;;
        *) msg "unknown option: $1 (put the command after --)"; usage >&2; exit 125 ;;
    esac
done

case "$MACHINE" in single|dual) ;; *) harness_fail "--machine must be single or dual, not '$MACHINE'" ;; esac
case "$IOMMU" in pt|nopt) ;; *) harness_fail "--iommu must be pt or nopt, not '$IOMMU'" ;; esac
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || harness_fail "--timeout must be a positive number of seconds"
[[ "$MEMORY" =~ ^[1-9][0-9]*$ ]] || harness_fail "--memory must be a number of MiB"
[[ "$SMP" =~ ^[1-9][0-9]*$ ]] || harness_fail "--smp must be a positive number"
if [ "$XEN" -eq 1 ] && [ "$MEMORY" -gt 2048 ]; then
    # Above 2 GiB the VF BARs land above 4 GiB, where QEMU's igb VF BARs do not work (docs/xen.md).
    harness_fail "--xen: at most 2048 MiB of memory"
fi
if [ -n "$SCRIPT" ]; then
    [ -f "$SCRIPT" ] || harness_fail "--script $SCRIPT: no such file"
elif [ "${#CMD[@]}" -eq 0 ]; then
    msg "no command given"; usage >&2; exit 125
fi

# --- the kernel, the initramfs, QEMU --------------------------------------------------------------

cache_ready() {
    command -v "$QEMU" >/dev/null 2>&1 || return 1
    [ -f "$CACHE/current" ] || return 1
    local v
    v=$(cat "$CACHE/current")
    [ -f "$CACHE/kernels/$v/boot/vmlinuz-$v" ] && [ -f "$CACHE/initramfs-$v.cpio.gz" ]
}
if [ "$AUTO_SETUP" -eq 1 ]; then
    # A quick no-op when all is in place; installs what is missing and rebuilds the initramfs
    # when the guest scripts changed.
    if [ "$XEN" -eq 1 ]; then
        "$SCRIPT_DIR/setup-xen.sh" --quiet >&2 || harness_fail "it/scripts/setup-xen.sh failed"
    else
        "$SCRIPT_DIR/setup.sh" --quiet >&2 || harness_fail "it/scripts/setup.sh failed"
    fi
fi
cache_ready || harness_fail "the guest kernel is not set up in $CACHE: run it/scripts/setup.sh"
KVER=$(cat "$CACHE/current")
KERNEL=$CACHE/kernels/$KVER/boot/vmlinuz-$KVER
INITRD=$CACHE/initramfs-$KVER.cpio.gz
XVER=""
if [ "$XEN" -eq 1 ]; then
    XVER=$(cat "$CACHE/xen/current" 2>/dev/null || true)
    XEN_DIR=$CACHE/xen/$XVER
    DOMU_INITRD=$CACHE/xen/domu-initramfs-$KVER.cpio.gz
    if [ -z "$XVER" ] || [ ! -f "$XEN_DIR/.complete" ] || [ ! -f "$DOMU_INITRD" ]; then
        harness_fail "Xen is not set up in $CACHE/xen: run it/scripts/setup-xen.sh"
    fi
fi

# --- the results folder (also the guest's writable 9p share "xfer") -------------------------------

TEMP_OUT=0
if [ -z "$OUT" ]; then
    OUT=$(mktemp -d "${TMPDIR:-/tmp}/sriov4j-it.XXXXXX")
    TEMP_OUT=1
fi
mkdir -p "$OUT" || harness_fail "cannot create --out $OUT"
OUT=$(cd "$OUT" && pwd -P)
# Only the harness' own entries are cleared: --out may be a folder with other content.
rm -rf "$OUT/.harness" "$OUT/out" "$OUT/exit-status" "$OUT/stdout.log" "$OUT/stderr.log" \
    "$OUT/console.log" "$OUT/qemu.log" "$OUT/timing"
mkdir -p "$OUT/.harness" "$OUT/out"
: > "$OUT/stdout.log"
: > "$OUT/stderr.log"
: > "$OUT/console.log"
H=$OUT/.harness
GX=/run/sriov4j-it/xfer # where the share is mounted in the guest

# The command, as a bash script run in the guest (bash comes from the shared host root).
CWD=$(pwd -P)
{
    echo '# generated by it/scripts/run-in-guest.sh'
    for v in PATH HOME JAVA_HOME LANG LC_ALL TZ CI; do
        if [ -n "${!v+x}" ]; then printf 'export %s=%q\n' "$v" "${!v}"; fi
    done
    # shellcheck disable=SC2016 # expanded in the guest
    echo 'case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin ;; esac'
    for e in "${ENVS[@]+"${ENVS[@]}"}"; do
        name=${e%%=*}
        [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || harness_fail "--env $e: bad variable name"
        if [[ "$e" == *=* ]]; then
            printf 'export %s=%q\n' "$name" "${e#*=}"
        elif [ -n "${!name+x}" ]; then
            printf 'export %s=%q\n' "$name" "${!name}"
        fi
    done
    printf 'export SRIOV4J_IT_OUT=%q SRIOV4J_IT_GUEST=1 SRIOV4J_IT_MACHINE=%q SRIOV4J_IT_IOMMU=%q TERM=dumb\n' \
        "$GX/out" "$MACHINE" "$IOMMU"
    if [ "$XEN" -eq 1 ]; then
        cp -r "$SCRIPT_DIR/xen" "$H/xen"
        printf 'export SRIOV4J_IT_XEN=%q SRIOV4J_IT_XEN_ROOT=%q SRIOV4J_IT_XEN_SCRIPTS=%q\n' \
            "$XVER" "$XEN_DIR/root" "$GX/.harness/xen"
        printf 'export SRIOV4J_IT_XEN_KERNEL=%q SRIOV4J_IT_XEN_DOMU_INITRD=%q\n' "$KERNEL" "$DOMU_INITRD"
        printf '. %q && xen_dom0_setup || { echo "run-in-guest: the Xen dom0 setup failed" >&2; exit 125; }\n' \
            "$GX/.harness/xen/dom0-setup.sh"
    fi
    printf 'cd -- %q || { echo "run-in-guest: cannot cd to %q in the guest" >&2; exit 125; }\n' "$CWD" "$CWD"
    if [ -n "$SCRIPT" ]; then
        cp "$SCRIPT" "$H/script"
        chmod 0755 "$H/script"
        if [ "$(head -c 2 "$H/script")" = '#!' ]; then
            printf 'exec %q' "$GX/.harness/script"
        else
            printf 'exec /bin/sh %q' "$GX/.harness/script"
        fi
        for a in "${CMD[@]+"${CMD[@]}"}"; do printf ' %q' "$a"; done
    else
        printf 'exec'
        for a in "${CMD[@]}"; do printf ' %q' "$a"; done
    fi
    echo
} > "$H/cmd.sh"

# Folders under /tmp and /run get a fresh tmpfs in the guest: keep the caller's cwd (its top
# folder under /tmp or /run, so that siblings stay visible too) and every --keep.
{
    for p in "$CWD" "${KEEPS[@]+"${KEEPS[@]}"}"; do
        [ -d "$p" ] || { [ "$p" = "$CWD" ] || msg "warning: --keep $p: not a folder"; continue; }
        p=$(cd "$p" && pwd -P)
        case "$p" in
            /tmp/*|/run/*) top=$(echo "$p" | cut -d/ -f1-3); echo "$top" ;;
            *) [ "$p" = "$CWD" ] || msg "warning: --keep $p: only needed under /tmp or /run" ;;
        esac
    done
} | awk '!seen[$0]++' > "$H/keep"

# --- QEMU -----------------------------------------------------------------------------------------

# no_timer_check: under TCG on a loaded host the kernel's boot-time check that the timer ticks through the
# interrupt-remapped IO-APIC can miss its ten ticks and panic ("timer doesn't work through Interrupt-remapped
# IO-APIC", seen at 0.06 s with a load average of 20); the check exists for broken 1990s boards, and KVM guests
# skip it the same way (arch/x86/kernel/apic/io_apic.c, timer_irq_works()).
APPEND="console=ttyS0 intel_iommu=on iommu=$IOMMU panic=-1 rdinit=/init no_timer_check"
for a in "${KARGS[@]+"${KARGS[@]}"}"; do APPEND="$APPEND $a"; done

# QEMU option values: a comma in a path must be doubled.
qesc() { printf '%s' "${1//,/,,}"; }

VIOMMU=intel-iommu,intremap=on,caching-mode=on
# Xen: eim=on, or Xen's interrupt remapping misroutes MSIs under TCG and dom0 hangs (docs/xen.md).
if [ "$XEN" -eq 1 ]; then VIOMMU=$VIOMMU,eim=on; fi
QARGS=(
    -machine q35 -m "$MEMORY" -smp "$SMP" -accel tcg,thread=multi -cpu max
    -device "$VIOMMU"
    -device pcie-root-port,id=rp0,chassis=1,slot=1,bus=pcie.0,addr=0x1
    -netdev user,id=n0,restrict=on -device igb,bus=rp0,netdev=n0,romfile=
)
if [ "$MACHINE" = dual ]; then
    QARGS+=(
        -device pcie-root-port,id=rp1,chassis=2,slot=2,bus=pcie.0,addr=0x2
        -netdev user,id=n1,restrict=on -device igb,bus=rp1,netdev=n1,romfile=
    )
fi
if [ "$BRIDGE" -eq 1 ]; then
    QARGS+=(
        -device pcie-root-port,id=rp2,chassis=3,slot=3,bus=pcie.0,addr=0x3
        -device pcie-pci-bridge,id=br0,bus=rp2
        -netdev user,id=n2,restrict=on -device e1000,bus=br0,addr=1,netdev=n2,romfile=
        -netdev user,id=n3,restrict=on -device e1000,bus=br0,addr=2,netdev=n3,romfile=
    )
fi
QARGS+=(
    -fsdev local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap
    -device virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot,bus=pcie.0,addr=0x10
    -fsdev "local,id=fsxfer,path=$(qesc "$OUT"),security_model=none,multidevs=remap"
    -device virtio-9p-pci,fsdev=fsxfer,mount_tag=xfer,bus=pcie.0,addr=0x11
)
if [ "$XEN" -eq 1 ]; then
    # Multiboot: Xen is the kernel, the dom0 kernel (with its command line) and its initramfs are
    # the modules. spec-ctrl=eager-fpu: without it -cpu max looks like AMD to Xen and lazy FPU
    # switching corrupts PV userspace under TCG (docs/xen.md).
    [[ "$KERNEL$INITRD" != *[,\ ]* ]] || harness_fail "--xen: the kernel/initramfs paths must not contain commas or spaces"
    [[ "$APPEND" != *,* ]] || harness_fail "--xen: the dom0 kernel arguments must not contain commas"
    QARGS+=(
        -kernel "$XEN_DIR/xen.elf"
        -append "console=com1 com1=115200 dom0_mem=1024M spec-ctrl=eager-fpu loglvl=all guest_loglvl=all"
        -initrd "$KERNEL ${APPEND/console=ttyS0/console=hvc0 earlyprintk=xen},$INITRD"
    )
else
    QARGS+=(-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND")
fi
QARGS+=(
    -nodefaults -nographic -monitor none
    -chardev "file,id=con0,path=$(qesc "$OUT/console.log")" -serial chardev:con0
    -no-reboot -pidfile "$H/qemu.pid"
)
printf '%q ' "$QEMU" "${QARGS[@]}" > "$H/qemu-command"

# --- run, bounded, never leaving a process behind -----------------------------------------------

TPID=""       # the `timeout` process (QEMU is its child)
TAILPIDS=()   # log streamers
KEEP_OUT=0

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop_all() {
    local p
    if alive "$TPID"; then
        kill -TERM "$TPID" 2>/dev/null || true # timeout passes it on to QEMU
        for _ in 1 2 3 4 5 6 7 8 9 10; do alive "$TPID" || break; sleep 0.5; done
        if alive "$TPID"; then kill -KILL "$TPID" 2>/dev/null || true; fi
    fi
    if [ -f "$H/qemu.pid" ]; then
        p=$(cat "$H/qemu.pid" 2>/dev/null || true)
        if [[ "$p" =~ ^[0-9]+$ ]] && alive "$p" \
            && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$H/qemu.pid"; then
            kill -KILL "$p" 2>/dev/null || true
        fi
    fi
    for p in "${TAILPIDS[@]+"${TAILPIDS[@]}"}"; do
        if alive "$p"; then kill -TERM "$p" 2>/dev/null || true; fi
    done
    for p in "$TPID" "${TAILPIDS[@]+"${TAILPIDS[@]}"}"; do
        if [ -n "$p" ]; then wait "$p" 2>/dev/null || true; fi
    done
    TPID=""
    TAILPIDS=()
}

on_exit() {
    stop_all
    if [ "$TEMP_OUT" -eq 1 ] && [ "$KEEP_OUT" -eq 0 ]; then rm -rf "$OUT"; fi
}
on_signal() {
    trap - INT TERM HUP
    msg "interrupted ($1): stopping the guest"
    stop_all
    if [ "$TEMP_OUT" -eq 1 ]; then KEEP_OUT=1; msg "results so far in $OUT"; fi
    case "$1" in INT) exit 130 ;; TERM) exit 143 ;; *) exit 129 ;; esac
}
trap on_exit EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

START_NS=$(date +%s%N)
# setpriv --pdeathsig: even when this script is SIGKILLed, `timeout` and QEMU die with it.
DEATHSIG=()
if command -v setpriv >/dev/null 2>&1; then DEATHSIG=(setpriv --pdeathsig KILL); fi
"${DEATHSIG[@]+"${DEATHSIG[@]}"}" timeout --kill-after=15 "$TIMEOUT" \
    "${DEATHSIG[@]+"${DEATHSIG[@]}"}" "$QEMU" "${QARGS[@]}" < /dev/null > "$OUT/qemu.log" 2>&1 &
TPID=$!

if [ "$CONSOLE" -eq 1 ]; then
    tail -n +1 -F --pid="$TPID" "$OUT/console.log" >&2 2>/dev/null &
    TAILPIDS+=($!)
fi
if [ "$LIVE" -eq 1 ] && [ "$QUIET" -eq 0 ]; then
    tail -n +1 -F --pid="$TPID" "$OUT/stdout.log" 2>/dev/null &
    TAILPIDS+=($!)
    tail -n +1 -F --pid="$TPID" "$OUT/stderr.log" >&2 2>/dev/null &
    TAILPIDS+=($!)
fi

QRC=0
wait "$TPID" || QRC=$?
TPID=""
for p in "${TAILPIDS[@]+"${TAILPIDS[@]}"}"; do wait "$p" 2>/dev/null || true; done
TAILPIDS=()
stop_all # a QEMU that somehow outlived `timeout`
WALL=$(awk -v a="$START_NS" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# --- results --------------------------------------------------------------------------------------

T0=""
T1=""
if [ -f "$H/guest-timing" ]; then
    T0=$(sed -n 's/^command_start_uptime=//p' "$H/guest-timing")
    T1=$(sed -n 's/^command_end_uptime=//p' "$H/guest-timing")
fi
{
    echo "kernel=$KVER"
    echo "machine=$MACHINE iommu=$IOMMU bridge_e1000=$BRIDGE"
    [ -z "$XVER" ] || echo "xen=$XVER"
    echo "qemu_exit=$QRC"
    echo "wall_seconds=$WALL"
    [ -z "$T0" ] || echo "guest_boot_to_command_seconds=$T0"
    [ -z "$T1" ] || echo "command_seconds=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.2f", b - a }')"
} > "$OUT/timing"

if [ "$QUIET" -eq 0 ] && [ "$LIVE" -eq 0 ]; then
    cat "$OUT/stdout.log"
    cat "$OUT/stderr.log" >&2
fi

show_console_tail() {
    if [ -s "$OUT/qemu.log" ]; then msg "QEMU said:"; sed 's/^/  | /' "$OUT/qemu.log" >&2; fi
    if [ -s "$OUT/console.log" ]; then
        msg "last lines of the guest console ($OUT/console.log):"
        tail -n 25 "$OUT/console.log" | sed 's/^/  | /' >&2
    fi
}

if [ "$QRC" -eq 124 ] || [ "$QRC" -eq 137 ]; then
    KEEP_OUT=1
    msg "TIMEOUT: the guest did not finish within $TIMEOUT s (QEMU stopped); console log: $OUT/console.log"
    show_console_tail
    exit 124
fi
if [ -f "$OUT/exit-status" ] && [[ "$(cat "$OUT/exit-status")" =~ ^[0-9]+$ ]]; then
    RC=$(cat "$OUT/exit-status")
    if [ "$QUIET" -eq 0 ]; then
        msg "exit status $RC; boot to command ${T0:-?} s, command $(sed -n 's/^command_seconds=//p' "$OUT/timing") s, wall $WALL s (kernel $KVER, --machine $MACHINE, --iommu $IOMMU)"
    fi
    if [ "$QRC" -ne 0 ]; then msg "warning: QEMU exited with status $QRC after the command finished"; fi
    if [ "$TEMP_OUT" -eq 1 ] && [ "$RC" -ne 0 ] && [ "$QUIET" -eq 0 ]; then
        msg "(no --out given: the logs are not kept)"
    fi
    exit "$RC"
fi
KEEP_OUT=1
if [ -f "$H/guest-failure" ]; then
    msg "ERROR: the guest failed before running the command: $(cat "$H/guest-failure")"
elif [ "$QRC" -ne 0 ]; then
    msg "ERROR: QEMU failed (exit status $QRC) before the command finished; see $OUT/qemu.log"
else
    msg "ERROR: the guest stopped without reporting an exit status (boot failure or kernel panic?)"
fi
msg "console log: $OUT/console.log"
show_console_tail
exit 125
