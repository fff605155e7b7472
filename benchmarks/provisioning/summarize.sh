#!/usr/bin/env bash
# Summarises ProvisioningBench output (lines "prov round=R tool=T phase=P seconds=S"; round 0, the warm-up, is left
# out): per phase and tool the seconds of each round and their spread, then the ratios asked for, computed per round
# (side by side in the same boot) with their spread across rounds. Markdown on stdout.
#
#   benchmarks/provisioning/summarize.sh STDOUT_LOG
set -euo pipefail
export LC_NUMERIC=C
awk '
    $1 == "prov" && $2 ~ /^round=/ {
        delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["round"] == 0) next
        r = v["round"]; t = v["tool"]; p = v["phase"]
        s[r, t, p] = v["seconds"]; has[t, p] = 1; tools[t] = 1; if (r > maxr) maxr = r
        if (p == "detach" || p == "reattach") { s[r, t, "both"] += v["seconds"]; has[t, "both"] = 1 }
    }
    function row(label, t, p,    r, x, lo, hi, line) {
        if (!has[t, p]) return
        line = ""; lo = ""; hi = ""
        for (r = 1; r <= maxr; r++) {
            if (!((r, t, p) in s)) { line = line " - |"; continue }
            x = s[r, t, p]; line = line sprintf(" %.3f |", x)
            if (lo == "" || x < lo) lo = x
            if (hi == "" || x > hi) hi = x
        }
        printf "| %s | %s |%s %.3f-%.3f |\n", p == "both" ? "detach+reattach" : p, label, line, lo, hi
    }
    # ratio a/b per round; b may be "floor" = the lower of floor-java and floor-sh in that round
    function val(r, t, p) {
        if (t != "floor") return s[r, t, p]
        if (!((r, "floor-sh", p) in s)) return s[r, "floor-java", p]
        if (!((r, "floor-java", p) in s)) return s[r, "floor-sh", p]
        return s[r, "floor-java", p] < s[r, "floor-sh", p] ? s[r, "floor-java", p] : s[r, "floor-sh", p]
    }
    function ratio(a, b, p, goal,    r, x, lo, hi, line, n, ok) {
        if (!has[a, p] || (b != "floor" && !has[b, p]) || (b == "floor" && !has["floor-java", p] && !has["floor-sh", p])) return
        line = ""; lo = ""; hi = ""; n = 0
        for (r = 1; r <= maxr; r++) {
            if (val(r, b, p) == "" || val(r, b, p) == 0 || !((r, a, p) in s)) { line = line " - |"; continue }
            x = s[r, a, p] / val(r, b, p); n++; line = line sprintf(" %.2f |", x)
            if (lo == "" || x < lo) lo = x
            if (hi == "" || x > hi) hi = x
        }
        if (n == 0) return
        ok = goal == "" ? "" : (hi <= goal + 0 ? "yes" : "no")
        printf "| %s | %s / %s |%s %.2f-%.2f | %s |\n", p == "both" ? "detach+reattach" : p, a, b, line, lo, hi,
            goal == "" ? "" : "<= " goal ": " ok
    }
    END {
        if (maxr == 0) { print "no measured rounds" > "/dev/stderr"; exit 1 }
        hdr = ""; sep = ""
        for (r = 1; r <= maxr; r++) { hdr = hdr " round " r " |"; sep = sep "---|" }
        print "Seconds per phase (7 VFs; lower is better):"
        print ""
        print "| phase | tool |" hdr " spread |"
        print "|---|---|" sep "---|"
        n = split("enable detach reattach both disable", ps, " ")
        m = split("library library-batch floor-java floor-sh driverctl devbind cli cli-nocds cli-c1 cli-c1s cli-int", ts, " ")
        for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) row(ts[j], ts[j], ps[i])
        print ""
        print "Ratios, per round (floor = the faster of floor-java and floor-sh in that round):"
        print ""
        print "| phase | ratio |" hdr " spread | goal |"
        print "|---|---|" sep "---|---|"
        for (i = 1; i <= n; i++) {
            p = ps[i]
            ratio("library", "floor", p, "1.1")
            ratio("library", "floor-java", p, "")
            ratio("library", "driverctl", p, "1")
            ratio("library", "devbind", p, "1")
            ratio("library-batch", "floor", p, "1.1")
            ratio("library-batch", "floor-java", p, "")
            ratio("library-batch", "driverctl", p, "1")
            ratio("library-batch", "devbind", p, "1")
            ratio("library-batch", "library", p, "")
            ratio("cli", "driverctl", p, "1")
            ratio("cli", "devbind", p, "")
            ratio("cli", "cli-nocds", p, "")
            ratio("cli-c1", "driverctl", p, "1")
            ratio("cli-c1s", "driverctl", p, "1")
            ratio("cli-c1", "cli", p, "")
            ratio("cli-c1s", "cli", p, "")
            ratio("cli-int", "driverctl", p, "1")
            ratio("cli-int", "cli", p, "")
        }
    }' "$1"
