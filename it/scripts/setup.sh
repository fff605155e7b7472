#!/usr/bin/env bash
# sriov4j-it setup: install (Debian packages) and cache everything needed to boot a real
# Debian Linux 6.12 kernel under QEMU with an emulated Intel 82576 SR-IOV NIC (see it/README.md).
#
#   it/scripts/setup.sh [--quiet]  # idempotent; a second run is a quick no-op (~0.1 s);
#                                  # --quiet: say nothing when there is nothing to do
#
# Environment:
#   SRIOV4J_IT_CACHE          cache folder (default /var/cache/sriov4j-it)
#   SRIOV4J_IT_REFRESH=1      look up the current 6.12 kernel again even when one is cached
#   SRIOV4J_IT_KERNEL_META    kernel metapackage (default linux-image-6.12-amd64)
#
# Needs root for apt-get (only when something is missing). Non-interactive: suitable for CI.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${SRIOV4J_IT_CACHE:-/var/cache/sriov4j-it}
KERNEL_META=${SRIOV4J_IT_KERNEL_META:-linux-image-6.12-amd64}
REFRESH=${SRIOV4J_IT_REFRESH:-0}
BACKPORTS_FILE=/etc/apt/sources.list.d/sriov4j-it-bookworm-backports.sources
DEBIAN_SOURCES=/etc/apt/sources.list.d/debian.sources
# Modules needed by the initramfs to mount the root (their dependencies are added by modprobe).
ROOT_MODULES=(9pnet_virtio 9p overlay)

START_NS=$(date +%s%N)
DONE=()        # summary of what this run did
APT_UPDATED=0

LOG_PREFIX="sriov4j-it setup"
# shellcheck source-path=SCRIPTDIR source=setup-common.sh
. "$SCRIPT_DIR/setup-common.sh"

# --- 1. bookworm-backports source ---------------------------------------------------------------

backports_configured() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        if grep -Eq '^[^#]*bookworm-backports' "$f"; then return 0; fi
    done
    return 1
}

# The URIs of the stanza of debian.sources that carries the plain "bookworm" suite.
debian_uri() {
    local uri=""
    if [ -f "$DEBIAN_SOURCES" ]; then
        uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
            {
                uris = ""; main = 0
                for (i = 1; i <= NF; i++) {
                    if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
                    if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == "bookworm") main = 1 }
                }
                if (main && uris != "") { print uris; exit }
            }' "$DEBIAN_SOURCES")
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $3 == "bookworm" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

ensure_backports() {
    if backports_configured; then return 0; fi
    need_root "adding the bookworm-backports source"
    local uri
    uri=$(debian_uri)
    log "adding $BACKPORTS_FILE ($uri bookworm-backports)"
    cat > "$BACKPORTS_FILE" <<EOF
# Added by sriov4j it/scripts/setup.sh: QEMU >= 8 (device igb) comes from bookworm-backports.
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    APT_UPDATED=0
    DONE+=("added apt source $BACKPORTS_FILE")
}

codename() { (. /etc/os-release && echo "${VERSION_CODENAME:-}"); }

# --- 2. packages --------------------------------------------------------------------------------

qemu_ok() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
    local major
    major=$(qemu-system-x86_64 --version 2>/dev/null | sed -n '1s/.*version \([0-9][0-9]*\)\..*/\1/p')
    [ "${major:-0}" -ge 8 ] || return 1
    qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}

ensure_packages() {
    if ! qemu_ok; then
        if [ "$(codename)" = bookworm ]; then # bookworm has QEMU 7.2: take it from backports
            ensure_backports
            apt_update
            apt_install -t bookworm-backports qemu-system-x86
        else
            apt_update
            apt_install qemu-system-x86
        fi
        qemu_ok || die "qemu-system-x86_64 >= 8 with device igb still missing after install"
        DONE+=("installed $(qemu-system-x86_64 --version | head -1)")
    fi
    local missing=() p
    for p in busybox-static kmod cpio pciutils; do
        pkg_installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_update
        apt_install "${missing[@]}"
        DONE+=("installed ${missing[*]}")
    fi
    [ -x /bin/busybox ] || die "/bin/busybox missing"
    if ldd /bin/busybox >/dev/null 2>&1; then
        die "/bin/busybox is not the static build (package busybox-static)"
    fi
}

# --- 3. the kernel ------------------------------------------------------------------------------

# Prints the image package the metapackage's candidate depends on, e.g. linux-image-6.12.117+deb12-amd64.
resolve_image_package() {
    local cand deps
    cand=$(apt-cache policy "$KERNEL_META" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
        die "no candidate for $KERNEL_META in the apt sources (bookworm-security / bookworm-backports); see apt-cache policy $KERNEL_META"
    fi
    deps=$(apt-cache show "$KERNEL_META=$cand" | sed -n 's/^Depends: //p' | head -1)
    echo "$deps" | sed 's/[,|]/\n/g' | sed 's/(.*//; s/[[:space:]]//g' \
        | grep -E '^linux-image-6\.12\.[^[:space:]]*-amd64(-unsigned)?$' | head -1
}

ensure_kernel() {
    local ver="" pkg kroot tmp deb
    if [ "$REFRESH" != 1 ] && [ -f "$CACHE/current" ]; then
        ver=$(cat "$CACHE/current")
        if [ -f "$CACHE/kernels/$ver/.complete" ]; then
            KVER=$ver
            return 0
        fi
    fi
    apt_update
    pkg=$(resolve_image_package)
    [ -n "$pkg" ] || die "cannot find the linux-image-6.12.*-amd64 package that $KERNEL_META depends on"
    ver=${pkg#linux-image-}
    ver=${ver%-unsigned}
    kroot=$CACHE/kernels/$ver
    if [ ! -f "$kroot/.complete" ]; then
        mkdir -p "$CACHE/debs"
        log "downloading $pkg"
        rm -f "$CACHE/debs/${pkg}_"*.deb
        (cd "$CACHE/debs" && apt-get download -q "$pkg" >/dev/null 2>&1) \
            || (cd "$CACHE/debs" && apt-get download "$pkg") || die "apt-get download $pkg failed"
        deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -1)
        [ -n "$deb" ] || die "downloaded package for $pkg not found in $CACHE/debs"
        tmp=$CACHE/kernels/.$ver.tmp
        rm -rf "$tmp"
        mkdir -p "$tmp"
        log "unpacking $(basename "$deb")"
        dpkg-deb -x "$deb" "$tmp"
        [ -f "$tmp/boot/vmlinuz-$ver" ] || die "no boot/vmlinuz-$ver in $deb"
        modules_dir_of "$tmp" "$ver" >/dev/null || die "no modules directory for $ver in $deb"
        if [ ! -d "$tmp/lib/modules" ]; then # depmod/modprobe -b want <base>/lib/modules
            mkdir -p "$tmp/lib"
            ln -s ../usr/lib/modules "$tmp/lib/modules"
        fi
        depmod -b "$tmp" "$ver"
        rm -rf "$kroot"
        mv "$tmp" "$kroot"
        touch "$kroot/.complete"
        rm -f "$deb"
        DONE+=("downloaded and unpacked kernel $ver")
    fi
    echo "$ver" > "$CACHE/current.tmp"
    mv "$CACHE/current.tmp" "$CACHE/current"
    KVER=$ver
}

# --- 4. the initramfs ---------------------------------------------------------------------------

ensure_initramfs() {
    local ver=$KVER kroot kmoddir out stamp want config
    kroot=$CACHE/kernels/$ver
    kmoddir=$(readlink -f "$(modules_dir_of "$kroot" "$ver")")
    out=$CACHE/initramfs-$ver.cpio.gz
    stamp=$(cat "$SCRIPT_DIR/setup.sh" "$SCRIPT_DIR/setup-common.sh" "$SCRIPT_DIR/guest/init" "$SCRIPT_DIR/guest/stage2.sh" /bin/busybox \
        <(echo "$ver $kmoddir") | sha256sum | cut -d' ' -f1)
    if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
        return 0
    fi
    log "building the initramfs for $ver"
    # The virtio PCI transport must be loaded too when it is a module (nothing depends on it).
    want=()
    config=$kroot/boot/config-$ver
    if [ -f "$config" ] && grep -q '^CONFIG_VIRTIO_PCI=m' "$config"; then want+=(virtio_pci); fi
    want+=("${ROOT_MODULES[@]}")
    local staging
    staging=$(mktemp -d "$CACHE/.initramfs.XXXXXX")
    # shellcheck disable=SC2064 # expand now: the folder is fixed
    trap "rm -rf '$staging'" EXIT
    mkdir -p "$staging/bin" "$staging/modules"
    cp /bin/busybox "$staging/bin/busybox"
    install -m 0755 "$SCRIPT_DIR/guest/init" "$staging/init"
    install -m 0644 "$SCRIPT_DIR/guest/stage2.sh" "$staging/stage2.sh"
    echo "$kmoddir" > "$staging/kmoddir"
    pack_modules "$kroot" "$ver" "$staging" "${want[@]}"
    write_cpio "$staging" "$out"
    echo "$stamp" > "$out.stamp"
    DONE+=("built initramfs $out ($(du -k "$out" | cut -f1) KiB; modules: $(sed 's/^[0-9]*-//; s/\.ko$//' "$staging/modules/order" 2>/dev/null | tr '\n' ' '))")
    rm -rf "$staging"
    trap - EXIT
}

# --- main ---------------------------------------------------------------------------------------

QUIET=0
case "${1:-}" in
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) die "unknown argument: $1 (usage: setup.sh [--quiet])" ;;
esac

mkdir -p "$CACHE" 2>/dev/null || die "cannot create $CACHE (run as root or set SRIOV4J_IT_CACHE)"
if exec 9>> "$CACHE/.lock"; then
    flock 9 # one setup at a time per cache
fi

KVER=""
ensure_packages
ensure_kernel
ensure_initramfs

if [ "${#DONE[@]}" -eq 0 ]; then
    [ "$QUIET" -eq 1 ] || log "nothing to do: QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'), kernel $KVER cached in $CACHE ($(elapsed) s)"
else
    for d in "${DONE[@]}"; do log "$d"; done
    log "ready: kernel $KVER in $CACHE, took $(elapsed) s"
fi
