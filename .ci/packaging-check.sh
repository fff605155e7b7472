#!/usr/bin/env bash
# Packaging checks (issue 14 item 7), run by .ci/run after `mvn -B verify` (whose jars and javadoc it uses):
#  1. jlink: a tiny modular VMM that requires org.sriov4j.vfio links into a runtime image and runs
#     (examples/jlink-vmm/run.sh);
#  2. the aggregated javadoc (javadoc/) documents exactly the packages the shipped modules export, and no two
#     packages of the shipped jars depend on each other in a cycle (jdeps, .ci/PackageCycles.java);
#  3. what a release would publish: `mvn deploy -Prelease` into a scratch file repository (nothing is installed in
#     ~/.m2) ships the BOM, the parent and api, spi, vfio, xen, test-fixtures, vfio-testing and cli, each jar with its -sources
#     and -javadoc jar (the per-module javadoc with doclint on), and neither the benchmarks nor it/ nor the javadoc
#     aggregator.
# About 2 minutes (the deploy repackages and builds each module's javadoc).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail=0
ok() { echo "packaging: ok: $*"; }
bad() { echo "packaging: FAILED: $*" >&2; fail=1; }

echo "== jlink of a modular VMM (examples/jlink-vmm/run.sh) =="
examples/jlink-vmm/run.sh || fail=1

echo "== the aggregated javadoc documents every exported package, and only those =="
exports=$(cat api/src/main/java/module-info.java sriov-spi/src/main/java/module-info.java \
              vfio-impl/src/main/java/module-info.java xen-impl/src/main/java/module-info.java \
              test-fixtures/src/main/java/module-info.java vfio-testing/src/main/java/module-info.java \
          | sed -n 's/^ *exports \([a-z0-9.]*\);.*/\1/p' | sort)
documented=$(sort javadoc/target/reports/apidocs/element-list)
if [ "$exports" = "$documented" ]; then
    ok "javadoc/ documents the $(wc -l <<< "$exports") exported packages: $(tr '\n' ' ' <<< "$exports")"
else
    bad "javadoc/ packages differ from the exports:"; diff <(echo "$exports") <(echo "$documented") >&2 || true
fi

echo "== no package cycle in the shipped jars (jdeps) =="
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' api/pom.xml | head -1)
repo_m2="${M2_REPO:-$HOME/.m2/repository}"
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
jars="api/target/sriov4j-api-$version.jar sriov-spi/target/sriov4j-spi-$version.jar
      vfio-impl/target/sriov4j-vfio-$version.jar xen-impl/target/sriov4j-xen-$version.jar
      test-fixtures/target/sriov4j-test-fixtures-$version.jar vfio-testing/target/sriov4j-vfio-testing-$version.jar
      cli/target/sriov4j-cli-$version.jar"
# the jars' `requires static` modules (jspecify, JUnit) need not be there
modpath="$(echo $jars | tr ' ' ':'):$repo_m2/net/java/dev/jna/jna-jpms/$(prop jna.version)/jna-jpms-$(prop jna.version).jar"
"${JAVA_HOME:+$JAVA_HOME/bin/}java" .ci/PackageCycles.java "$modpath" $jars || fail=1

echo "== what a release ships (mvn deploy -Prelease to a scratch repository) =="
repo="$(mktemp -d)"
trap 'rm -rf "$repo"' EXIT
mvn -B -q deploy -Prelease -DskipTests -Dmaven.install.skip=true -DaltDeploymentRepository="check::file://$repo" >&2
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' api/pom.xml | head -1)
shipped=$(cd "$repo/org/sriov4j" && ls | sort | tr '\n' ' ')
expected="sriov4j-api sriov4j-bom sriov4j-cli sriov4j-parent sriov4j-spi sriov4j-test-fixtures sriov4j-vfio sriov4j-vfio-testing sriov4j-xen "
[ "$shipped" = "$expected" ] && ok "ships $shipped" || bad "ships '$shipped', expected '$expected'"
for a in api spi vfio xen test-fixtures vfio-testing cli; do
    dir="$repo/org/sriov4j/sriov4j-$a/$version"
    for kind in "" -sources -javadoc; do
        if ls "$dir"/sriov4j-"$a"-*"$kind".jar 2>/dev/null | grep -q .; then :; else bad "sriov4j-$a has no ${kind:-main} jar"; fi
    done
done
[ $fail -eq 0 ] && ok "each shipped jar has its -sources and -javadoc jar"
exit $fail
