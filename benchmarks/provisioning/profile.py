#!/usr/bin/env python3
"""Where the library's detach/reattach time goes, from a JFR recording of ProvisioningBench.

  jfr print --stack-depth 96 --events jdk.ExecutionSample,jdk.NativeMethodSample prov.jfr > prov-samples.txt
  benchmarks/provisioning/profile.py prov-samples.txt

Counts the samples whose stack holds the engine's detach or reattach (single calls: tool `library`; one call for
many functions: `library-batch`) and puts each in the first bucket, in the order below, that any frame of its stack
matches (so a ledger write waiting on the state directory's check counts as that check, a sysfs read made to
describe the function as the description). Prints a Markdown table: samples and share per bucket and call kind.
"""
import re
import sys
from collections import Counter, defaultdict

# (bucket, frame pattern), first match wins
BUCKETS = [
    ("function lock (lock file, lock state of the function and of its PF)", r"\.FunctionLocks\.|\.LockQuery|JnaLockQuery"),
    ("state directory check", r"\.StateDirectory\."),
    ("ledger entry encode/decode", r"\.LedgerFormat\.|\.LedgerEntry\."),
    # not Ledger.inRun: a call for many functions runs inside it
    ("ledger file I/O (write-ahead record: write, fsync, rename; read)",
     r"\.Ledger\.(put|get|remove|syncDirectory|forceDirectory|read|ensureDirectory|present|file)"),
    ("VFIO open check before an unbind (enable count)", r"\.VfioHolders\."),
    ("IOMMU group viability", r"\.GroupViability\."),
    ("describing the function before (one read an attribute)", r"\.TopologyScanner\.describe|\.Assigner\.describe"),
    ("the state after (netdevs after a reattach)", r"\.Assigner\.after|\.TopologyScanner\.netdevs|\.TopologyScanner\.afterDriverChange"),
    ("verifying the driver link after the change", r"\.TopologyScanner\.driverOf"),
    ("the kernel writes (driver_override, unbind, probe/bind)", r"\.NioSysfsAccess\.write"),
    ("other sysfs operations (device exists, ...)", r"\.NioSysfsAccess\."),
    ("events, exceptions, other library code", r"."),
]
CALLS = [
    ("batch detach", r"\.EngineHost\.detachAll\("),
    ("batch reattach", r"\.EngineHost\.reattachAll\("),
    ("detach", r"\.EngineHost\.detach\("),
    ("reattach", r"\.EngineHost\.reattach\("),
]


def samples(lines):
    frames, inside = [], False
    for line in lines:
        s = line.strip()
        if s.startswith("stackTrace = ["):
            frames, inside = [], True
        elif inside and s == "]":
            inside = False
            yield frames
        elif inside:
            frames.append(s)


def main(path):
    counts = defaultdict(Counter)
    totals = Counter()
    top = defaultdict(Counter)
    with open(path, encoding="utf-8", errors="replace") as f:
        for frames in samples(f):
            call = next((c for c, p in CALLS if any(re.search(p, x) for x in frames)), None)
            if call is None:
                continue
            bucket = next(b for b, p in BUCKETS if any(re.search(p, x) for x in frames))
            counts[call][bucket] += 1
            totals[call] += 1
            top[call][re.sub(r" line: \d+.*", "", frames[0])] += 1
    if not totals:
        print("no samples of the engine's detach/reattach")
        return
    calls = [c for c, _ in CALLS if totals[c]]
    print("| where | " + " | ".join(f"{c} ({totals[c]} samples)" for c in calls) + " |")
    print("|---|" + "---|" * len(calls))
    for b, _ in BUCKETS:
        if not any(counts[c][b] for c in calls):
            continue
        cells = [f"{counts[c][b]} ({100.0 * counts[c][b] / totals[c]:.0f} %)" for c in calls]
        print(f"| {b} | " + " | ".join(cells) + " |")
    for c in calls:
        print(f"\nTop frames, {c}:")
        for frame, n in top[c].most_common(12):
            print(f"  {n:5d}  {frame}")


if __name__ == "__main__":
    main(sys.argv[1])
