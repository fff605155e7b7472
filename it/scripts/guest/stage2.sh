# shellcheck shell=sh
# sriov4j-it: second stage, PID 1 in the guest after switch_root (run by the initramfs' static
# busybox, copied to /run/sriov4j-it/busybox). Runs the command the host prepared in
# /run/sriov4j-it/xfer/.harness/cmd.sh (a bash script: environment, cwd, the command), records
# its exit status and timings in the transfer share, and powers the guest off.

BB=/run/sriov4j-it/busybox
X=/run/sriov4j-it/xfer
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "sriov4j-it stage2: $*"; }
uptime_s() { $BB cut -d' ' -f1 /proc/uptime; }

$BB hostname sriov4j-guest
printf '127.0.1.1\tsriov4j-guest\n' >> /etc/hosts
$BB ip link set lo up 2>/dev/null || say "warning: could not bring lo up"

$BB mkdir -p "$X/out"
t0=$(uptime_s)
say "running the command, uptime $t0 s"
/bin/bash "$X/.harness/cmd.sh" < /dev/null > "$X/stdout.log" 2> "$X/stderr.log"
rc=$?
t1=$(uptime_s)
say "command exited with status $rc, uptime $t1 s"
printf 'command_start_uptime=%s\ncommand_end_uptime=%s\n' "$t0" "$t1" > "$X/.harness/guest-timing"
echo "$rc" > "$X/exit-status"
$BB sync
$BB poweroff -f
$BB sleep 5
echo o > /proc/sysrq-trigger
