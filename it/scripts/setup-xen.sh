#!/usr/bin/env bash
# sriov4j-it Xen setup: everything setup.sh caches (QEMU, the 6.12 kernel, the plain-guest
# initramfs) plus what a real Xen 4.17 needs under QEMU (see it/README.md, "Real Xen"):
#   - the Debian Xen 4.17 hypervisor, tools and libraries, downloaded (apt-get download) and
#     unpacked (dpkg-deb -x) into $CACHE/xen/<version>/root: never installed on the host;
#   - the hypervisor as a plain ELF ($CACHE/xen/<version>/xen.elf) for QEMU's multiboot -kernel;
#   - the PV domU initramfs $CACHE/xen/domu-initramfs-<kernel>.cpio.gz (busybox, xen-pcifront,
#     igbvf, it/scripts/xen/domu-init as /init).
#
#   it/scripts/setup-xen.sh [--quiet]   # idempotent; a quick no-op when all is cached
#
# Environment: SRIOV4J_IT_CACHE (default /var/cache/sriov4j-it), SRIOV4J_IT_REFRESH=1 (look up
# the current Xen packages again), and those of setup.sh.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SRIOV4J_IT_CACHE:-/var/cache/sriov4j-it}
REFRESH=${SRIOV4J_IT_REFRESH:-0}
XCACHE=$CACHE/xen
# Hypervisor, toolstack, xenstore client tools and the libraries they load (docs/xen.md).
XEN_PACKAGES=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common xenstore-utils
    libxenmisc4.17 libxenstore4 libxencall1 libxenevtchn1 libxenforeignmemory1 libxengnttab1
    libxentoollog1 libxentoolcore1 libxendevicemodel1 libxenhypfs1 libyajl2)
DOMU_MODULES=(xen-pcifront igbvf)

LOG_PREFIX="sriov4j-it setup-xen"
START_NS=$(date +%s%N)
DONE=()
APT_UPDATED=0
# shellcheck source-path=SCRIPTDIR source=setup-common.sh
. "$SCRIPT_DIR/setup-common.sh"

QUIET=0
case "${1:-}" in
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) die "unknown argument: $1 (usage: setup-xen.sh [--quiet])" ;;
esac

# QEMU, the kernel and the plain-guest initramfs (takes its own lock).
if [ "$QUIET" -eq 1 ]; then "$SCRIPT_DIR/setup.sh" --quiet; else "$SCRIPT_DIR/setup.sh"; fi
KVER=$(cat "$CACHE/current")
KROOT=$CACHE/kernels/$KVER

mkdir -p "$XCACHE"
exec 9>> "$CACHE/.lock-xen"
flock 9

# --- the Xen packages -----------------------------------------------------------------------------

ensure_xen() {
    local ver="" root tmp deb p
    if [ "$REFRESH" != 1 ] && [ -f "$XCACHE/current" ]; then
        ver=$(cat "$XCACHE/current")
        if [ -f "$XCACHE/$ver/.complete" ]; then XVER=$ver; return 0; fi
    fi
    apt_update
    ver=$(apt-cache policy xen-hypervisor-4.17-amd64 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
        die "no candidate for xen-hypervisor-4.17-amd64 (bookworm / bookworm-security sources)"
    fi
    root=$XCACHE/$ver
    if [ ! -f "$root/.complete" ]; then
        tmp=$XCACHE/.$ver.tmp
        rm -rf "$tmp"
        mkdir -p "$tmp/debs" "$tmp/root"
        log "downloading ${XEN_PACKAGES[*]}"
        (cd "$tmp/debs" && apt-get download -q "${XEN_PACKAGES[@]}" >/dev/null 2>&1) \
            || (cd "$tmp/debs" && apt-get download "${XEN_PACKAGES[@]}") || die "apt-get download of the Xen packages failed"
        for p in "${XEN_PACKAGES[@]}"; do
            deb=$(find "$tmp/debs" -maxdepth 1 -name "${p}_*.deb" | head -1)
            [ -n "$deb" ] || die "downloaded package $p not found"
            dpkg-deb -x "$deb" "$tmp/root"
        done
        local gz
        gz=$(find "$tmp/root/boot" -maxdepth 1 -name 'xen-*.gz' | head -1)
        [ -n "$gz" ] || die "no boot/xen-*.gz in xen-hypervisor-4.17-amd64"
        gzip -dc "$gz" > "$tmp/xen.elf"
        [ -x "$tmp/root/usr/lib/xen-4.17/bin/xl" ] || die "no usr/lib/xen-4.17/bin/xl in xen-utils-4.17"
        rm -rf "$tmp/debs" "$root"
        mv "$tmp" "$root"
        touch "$root/.complete"
        DONE+=("downloaded and unpacked Xen $ver")
    fi
    echo "$ver" > "$XCACHE/current.tmp"
    mv "$XCACHE/current.tmp" "$XCACHE/current"
    XVER=$ver
}

# --- the PV domU initramfs ------------------------------------------------------------------------

ensure_domu_initramfs() {
    local out stamp staging
    out=$XCACHE/domu-initramfs-$KVER.cpio.gz
    stamp=$(cat "$SCRIPT_DIR/setup-xen.sh" "$SCRIPT_DIR/setup-common.sh" "$SCRIPT_DIR/xen/domu-init" /bin/busybox \
        <(echo "$KVER") | sha256sum | cut -d' ' -f1)
    if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then return 0; fi
    log "building the domU initramfs for $KVER"
    staging=$(mktemp -d "$XCACHE/.domu.XXXXXX")
    # shellcheck disable=SC2064 # expand now: the folder is fixed
    trap "rm -rf '$staging'" EXIT
    mkdir -p "$staging/bin"
    cp /bin/busybox "$staging/bin/busybox"
    install -m 0755 "$SCRIPT_DIR/xen/domu-init" "$staging/init"
    pack_modules "$KROOT" "$KVER" "$staging" "${DOMU_MODULES[@]}"
    write_cpio "$staging" "$out"
    echo "$stamp" > "$out.stamp"
    DONE+=("built $out ($(du -k "$out" | cut -f1) KiB)")
    rm -rf "$staging"
    trap - EXIT
}

XVER=""
ensure_xen
ensure_domu_initramfs

if [ "${#DONE[@]}" -eq 0 ]; then
    [ "$QUIET" -eq 1 ] || log "nothing to do: Xen $XVER, kernel $KVER cached in $XCACHE ($(elapsed) s)"
else
    for d in "${DONE[@]}"; do log "$d"; done
    log "ready: Xen $XVER in $XCACHE, took $(elapsed) s"
fi
