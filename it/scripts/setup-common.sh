# shellcheck shell=bash
# sriov4j-it: functions shared by setup.sh and setup-xen.sh (sourced, not run).
# The caller sets LOG_PREFIX, START_NS and APT_UPDATED=0 before using them.

log() { printf '%s: %s\n' "$LOG_PREFIX" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }
elapsed() { awk -v a="$START_NS" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

need_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root (run it/scripts/setup.sh as root)"
}

apt_update() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        need_root "apt-get update"
        log "apt-get update"
        apt-get update -q >/dev/null || die "apt-get update failed"
        APT_UPDATED=1
    fi
}

apt_install() {
    need_root "apt-get install"
    log "apt-get install $*"
    apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >/dev/null \
        || die "apt-get install $* failed"
}

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

modules_dir_of() { # $1 = unpacked root, $2 = version
    if [ -d "$1/lib/modules/$2" ]; then echo "$1/lib/modules/$2"
    elif [ -d "$1/usr/lib/modules/$2" ]; then echo "$1/usr/lib/modules/$2"
    else return 1
    fi
}

decompress_module() { # $1 = source .ko[.xz|.zst|.gz], $2 = destination .ko
    case "$1" in
        *.ko.xz)  if command -v xz >/dev/null 2>&1; then xz -dc "$1"; else busybox xz -dc "$1"; fi > "$2" ;;
        *.ko.zst) zstd -qdc "$1" > "$2" ;;
        *.ko.gz)  gzip -dc "$1" > "$2" ;;
        *.ko)     cp "$1" "$2" ;;
        *)        die "unknown module file $1" ;;
    esac
}

# Copies the modules MODULE... and their dependencies (decompressed, in load order, named
# NN-name.ko) into DEST/modules/ and lists them in DEST/modules/order.
#   pack_modules KERNEL_ROOT VERSION DEST MODULE...
pack_modules() {
    local kroot=$1 ver=$2 dest=$3 list f name n=0 m
    shift 3
    mkdir -p "$dest/modules"
    list=$(for m in "$@"; do
               modprobe -d "$kroot" -S "$ver" --show-depends "$m" || die "modprobe --show-depends $m failed"
           done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
    [ -n "$list" ] || die "modprobe --show-depends found no modules for $*"
    : > "$dest/modules/order"
    while IFS= read -r f; do
        n=$((n + 1))
        name=$(basename "$f")
        name=$(printf '%02d-%s.ko' "$n" "${name%%.ko*}")
        decompress_module "$f" "$dest/modules/$name"
        echo "$name" >> "$dest/modules/order"
    done <<< "$list"
}

# Writes the folder STAGING as a gzipped newc cpio archive OUT (atomically).
write_cpio() { # $1 = staging folder, $2 = output file
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$2.tmp"
    mv "$2.tmp" "$2"
}
