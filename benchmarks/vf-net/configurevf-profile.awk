# Usage: awk -f benchmarks/vf-net/configurevf-profile.awk $OUT/guest/out/jfr-java.txt | sort -rn
# (the text run-vf-net.sh PROFILE=1 prints with jfr print): the main thread's samples inside
# Lifecycle.configureVf, outside leases, each counted once under the first category its stack matches.
# categorises the main thread's samples inside Lifecycle.configureVf (not under a lease)
/sampledThread = / { main = ($0 ~ /"main"/); next }
main && /stackTrace = \[/ { inside = 1; st = ""; next }
inside && /^[[:space:]]*\]/ {
  inside = 0
  if (st ~ /Lifecycle\.configureVf/ && st !~ /Lifecycle\.lease/) {
    n++
    c = "other"
    if (st ~ /SocketRtNetlink|NetlinkCodec|JnaNetlinkSocket/) c = "netlink (requests, encode, parse)"
    else if (st ~ /FunctionLocks\.write/) c = "lock: holder text"
    else if (st ~ /FunctionLocks\.identity|FunctionLocks\.verify/) c = "lock: identity check"
    else if (st ~ /FunctionLocks\.acquire/) c = "lock: fcntl"
    else if (st ~ /FunctionLocks\.takeUp|FunctionLocks\.open/) c = "lock: open"
    else if (st ~ /FunctionLocks\.ensureDirectory/) c = "lock: directory"
    else if (st ~ /FunctionLock\.close/) c = "lock: release"
    else if (st ~ /FunctionLocks\.tryLock/) c = "lock: rest of tryLock"
    else if (st ~ /Lifecycle\.lockOnly/ && st ~ /exists/) c = "lock: device exists"
    else if (st ~ /StateDirectory/) c = "ledger: state directory check"
    else if (st ~ /Ledger\.read/) c = "ledger: entry read (absent)"
    else if (st ~ /Ledger\.get/) c = "ledger: rest"
    else if (st ~ /VfNetIdentity\.locate/) c = "locate (non-netlink)"
    else if (st ~ /VendorPlugins|vendor\./) c = "vendor checks"
    else if (st ~ /VfNetIdentity/) c = "VfNetIdentity (rest)"
    cat[c]++
  }
  next
}
inside { sub(/^[[:space:]]+/, ""); st = st " " $0 }
END { for (k in cat) printf "%5d %5.1f%%  %s\n", cat[k], 100 * cat[k] / n, k; printf "%5d samples in configureVf\n", n }
