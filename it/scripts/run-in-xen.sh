#!/usr/bin/env bash
# sriov4j-it: boot Xen 4.17 under QEMU (TCG) with the Debian 6.12 kernel as PV dom0, the emulated
# igb SR-IOV NIC behind the vIOMMU (eim=on), set dom0 up (xenfs, Xen modules, xenstored,
# xen-init-dom0, xenconsoled; xl usable), run one command in dom0 as root and bring back its exit
# status and results, exactly like run-in-guest.sh (same options, exit codes 124/125, results
# folder). In dom0: SRIOV4J_IT_XEN (the Xen version), SRIOV4J_IT_XEN_SCRIPTS (it/scripts/xen,
# e.g. "$SRIOV4J_IT_XEN_SCRIPTS/domu.sh create NAME"). See it/README.md, "Real Xen".
#
#   it/scripts/run-in-xen.sh [--timeout S] [--out DIR] [run-in-guest.sh options] -- COMMAND [ARG...]
exec "$(dirname "$0")/run-in-guest.sh" --xen "$@"
