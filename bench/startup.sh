#!/usr/bin/env bash
# Start-up cost on an idle host: `pktloss --version` and `pktloss check --no-trace` against
# `ip -s link` alone, in the same run. Three figures per command:
#   - user-space instructions (valgrind callgrind, the dynamic loader included): independent of
#     other load, the figure to compare on a shared machine;
#   - wall and CPU ms (bench/timeit.py, mean of RUNS);
#   - what the dynamic loader does (LD_DEBUG=statistics: objects loaded, symbol relocations).
# BASELINE=/path/to/older/pktloss times that build too (before/after in the same run).
#
# usage: bench/startup.sh [BUILD_DIR] [RUNS]      (root for check; builds nothing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
runs=${2:-20}
pktloss=$(realpath "$build/pktloss")
baseline=${BASELINE:-}
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 2; }

insns() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
relocs() { LD_DEBUG=statistics "$@" 2>&1 >/dev/null | sed -n 's/.*final number of relocations: \([0-9]*\).*/\1/p' | head -1; }
libs() { ldd "$1" | grep -c '=>\|ld-linux'; }

echo "start-up benchmark; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); mean of $runs runs"
printf '%-34s %14s %9s %9s %9s %8s\n' command "instructions" "vs ip" "wall ms" "CPU ms" "relocs"
ref=
row() {  # label cmd...
  local label=$1 i t w c r
  shift
  i=$(insns "$@")
  t=$(python3 "$here/timeit.py" "$runs" "$@")
  read -r w _ _ c <<<"$t"
  r=$(relocs "$@")
  [[ -z $ref ]] && ref=$i
  printf '%-34s %14s %8.1fx %9s %9s %8s\n' "$label" "$i" "$(echo "$i / $ref" | bc -l)" "$w" "$c" "$r"
}
row "ip -s link" ip -s link
row "pktloss --version" "$pktloss" --version
row "pktloss check --no-trace" "$pktloss" check --no-trace --json
if [[ -n $baseline ]]; then
  row "baseline --version" "$baseline" --version
  row "baseline check --no-trace" "$baseline" check --no-trace --json
fi
echo "shared libraries: ip $(libs "$(command -v ip)"), pktloss $(libs "$pktloss")${baseline:+, baseline $(libs "$baseline")}"
