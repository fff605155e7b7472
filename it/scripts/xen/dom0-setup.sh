# shellcheck shell=bash
# sriov4j-it: sourced by the command script in dom0 (run-in-guest.sh --xen / run-in-xen.sh)
# before the command runs. Makes the unpacked Xen 4.17 userspace usable and starts the daemons:
#   - binds $SRIOV4J_IT_XEN_ROOT/{etc/xen,usr/lib/xen-4.17,usr/lib/xen-common} on their paths
#     (the root is the host's, read-only under a tmpfs overlay: writes are fine and vanish);
#   - LD_LIBRARY_PATH for the Xen libraries, PATH for xl & co.;
#   - modules xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd, xenfs on /proc/xen;
#   - xenstored, xen-init-dom0, xenconsoled (guest consoles logged to /var/log/xen/console).
# Returns non-zero (and says why on stderr) when something failed.

xen_dom0_setup() {
    local xr=${SRIOV4J_IT_XEN_ROOT:?} d m i t0
    t0=$(cut -d' ' -f1 /proc/uptime)
    for m in xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd; do
        modprobe "$m" || { echo "dom0-setup: modprobe $m failed" >&2; return 1; }
    done
    grep -q '^xenfs /proc/xen ' /proc/mounts || mount -t xenfs xenfs /proc/xen \
        || { echo "dom0-setup: mount xenfs on /proc/xen failed" >&2; return 1; }
    grep -q control_d /proc/xen/capabilities 2>/dev/null \
        || { echo "dom0-setup: not a Xen control domain (/proc/xen/capabilities)" >&2; return 1; }
    for d in /etc/xen /usr/lib/xen-4.17 /usr/lib/xen-common; do
        mkdir -p "$d"
        mount --bind "$xr$d" "$d" || { echo "dom0-setup: bind mount of $d failed" >&2; return 1; }
    done
    export LD_LIBRARY_PATH=$xr/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export PATH=/usr/lib/xen-4.17/bin:$xr/usr/bin:$PATH
    mkdir -p /run/xen /run/xenstored /run/lock /var/lib/xen /var/lib/xenstored /var/log/xen/console
    xenstored --pid-file=/run/xenstored.pid || { echo "dom0-setup: xenstored failed" >&2; return 1; }
    for i in $(seq 1 50); do
        xenstore-exists / 2>/dev/null && break
        [ "$i" -lt 50 ] || { echo "dom0-setup: xenstored does not answer" >&2; return 1; }
        sleep 0.2
    done
    xen-init-dom0 >/dev/null || { echo "dom0-setup: xen-init-dom0 failed" >&2; return 1; }
    xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console \
        || { echo "dom0-setup: xenconsoled failed" >&2; return 1; }
    echo "dom0-setup: Xen daemons up in $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }') s (dom0 uptime $(cut -d' ' -f1 /proc/uptime) s)" >&2
}
