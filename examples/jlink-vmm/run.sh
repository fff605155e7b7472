#!/usr/bin/env bash
# Builds a jlink image of a tiny modular VMM (src/com.example.vmm: `requires org.sriov4j.vfio`) from the jars of
# this build and runs it: the engine and the kvm-vfio provider are found through the modules' `provides`, and JNA
# (jna-jpms, an explicit module: jlink refuses automatic modules) loads its native part from the image.
# Run after `mvn -B package` (or verify) at the root; .ci/run runs it after the unit tests. About 15 s.
# Uses the JDK that runs Maven (JAVA_HOME, else the java on PATH). Exit status 0 when every check passed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/examples/jlink-vmm/target"
jdk_bin="${JAVA_HOME:+$JAVA_HOME/bin/}"
rm -rf "$work" && mkdir -p "$work/mods"

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/api/pom.xml" | head -1)
for jar in "$root/api/target/sriov4j-api-$version.jar" "$root/sriov-spi/target/sriov4j-spi-$version.jar" \
           "$root/vfio-impl/target/sriov4j-vfio-$version.jar"; do
    [ -f "$jar" ] || { echo "jlink-vmm: $jar is missing: run 'mvn -B package' first" >&2; exit 1; }
    cp "$jar" "$work/mods/"
done
# sriov4j-vfio's one runtime dependency, jna-jpms, from the local Maven repository at the version the root pom
# pins (the build above downloaded it); jspecify is `requires static`: javac reads it, the image does not need it
repo="${M2_REPO:-$HOME/.m2/repository}"
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$root/pom.xml" | head -1; }
jna="$repo/net/java/dev/jna/jna-jpms/$(prop jna.version)/jna-jpms-$(prop jna.version).jar"
jspecify="$repo/org/jspecify/jspecify/$(prop jspecify.version)/jspecify-$(prop jspecify.version).jar"
for jar in "$jna" "$jspecify"; do
    [ -f "$jar" ] || { echo "jlink-vmm: $jar is missing: run 'mvn -B package' first (or set M2_REPO)" >&2; exit 1; }
done
cp "$jna" "$work/mods/"

"${jdk_bin}javac" -d "$work/classes" --module-path "$work/mods:$jspecify" \
    $(find "$here/src" -name '*.java')
"${jdk_bin}jlink" --module-path "$work/mods:$work/classes" --add-modules com.example.vmm \
    --strip-debug --no-header-files --no-man-pages --output "$work/image"
echo "jlink-vmm: image $work/image ($(du -sh "$work/image" | cut -f1)), modules:"
"$work/image/bin/java" --list-modules | grep -E 'sriov4j|jna|example' | sed 's/^/  /'

# a host with the vfio-pci driver and /dev/vfio/vfio, and no PF: enough for the kvm-vfio probe
mkdir -p "$work/sys/bus/pci/devices" "$work/sys/bus/pci/drivers/vfio-pci" "$work/dev/vfio" "$work/state"
touch "$work/dev/vfio/vfio"
out=$("$work/image/bin/java" -m com.example.vmm/com.example.vmm.Main "$work/sys" "$work/dev" "$work/state" 2>&1) || {
    echo "$out" >&2
    echo "jlink-vmm: FAILED: the image did not run" >&2
    exit 1
}
echo "$out" | sed 's/^/  /'
fail=0
check() {
    if grep -q -- "$1" <<< "$out"; then echo "jlink-vmm: ok: $2"; else echo "jlink-vmm: FAILED: $2" >&2; fail=1; fi
}
check "engine: org.sriov4j.spi, 0 PFs" "the engine was found through ServiceLoader on the module path"
check "backend: kvm-vfio true" "the kvm-vfio provider (non-exported package) was found through provides"
check "jna: module com.sun.jna (explicit)" "JNA is an explicit module in the image"
check "read back 0x5eedc0de12345678" "JNA loaded its native part from the image and mapped memory"
exit $fail
