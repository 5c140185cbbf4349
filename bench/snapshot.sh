#!/usr/bin/env bash
# Snapshot cost: full pktloss snapshots against the classic tools an operator runs for the same
# view (ip -s link, tc -s qdisc, nstat -a, ss -tuna), timed in the same run on the same namespace.
# Wall time AND CPU time (user+sys of the command and its children, getrusage: unaffected by other
# load on a shared machine) are the mean of RUNS runs (bench/timeit.py); peak RSS by /usr/bin/time.
#
#   1. one namespace with PAIRS veth pairs (default 500: 1,001 links) and SOCKETS sockets (2,000)
#   2. scaling: INTERFACES (default "100 1000 5000 10000") veth ends + SOCKETS sockets each
#   3. --all-netns over NAMESPACES (default 100) namespaces with 2 veth pairs each, against the
#      four tools run once per namespace
#   4. start-up on an idle host: pktloss --version, pktloss check --no-trace, ip -s link alone
# Writes $OUT/snapshot_scale.dat and, when gnuplot is installed, $OUT/snapshot_scale.png (time
# against interface count) with bench/snapshot_plot.gp.
#
# Usage: bench/snapshot.sh [build dir] [runs]   (root; creates and removes its own namespaces)
#   SKIP="scale allnetns" bench/snapshot.sh ...  skips parts; RUNS_SCALE=N runs per scaling point
#   BASELINE=/path/to/older/pktloss also times that binary in the same run (before/after rows,
#   extra columns in the data file, a third line in the plot).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
runs=${2:-10}
pairs=${PAIRS:-500}
sockets=${SOCKETS:-2000}
interfaces=${INTERFACES:-100 1000 5000 10000}
namespaces=${NAMESPACES:-100}
runs_scale=${RUNS_SCALE:-$runs}
out=${OUT:-$here}
skip=${SKIP:-}
pktloss=$(realpath "$build/pktloss")
baseline=${BASELINE:-}
timeit="python3 $here/timeit.py"
# The floor: the same kernel reads as a snapshot with no work on the bytes (snapshot_floor.c).
floor=$(mktemp /tmp/snapshot_floor.XXXXXX)
cc -O2 -o "$floor" "$here/snapshot_floor.c" -lmnl
tag=plb$$
created=()
holder=

cleanup() {
  rm -f "$floor"
  [ -n "$holder" ] && kill "$holder" 2>/dev/null || true
  for ns in "${created[@]}"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT

# make_ns NAME PAIRS: a namespace with lo up and PAIRS veth pairs (both ends inside), up.
make_ns() {
  ip netns add "$1"
  created+=("$1")
  ip -n "$1" link set lo up
  for i in $(seq 1 "$2"); do
    echo "link add va$i type veth peer name vb$i"
    echo "link set va$i up"
    echo "link set vb$i up"
  done | ip -n "$1" -batch -
}

# hold_sockets NAME N: N sockets (half TCP listeners, half UDP) held open inside the namespace.
hold_sockets() {
  [ -n "$holder" ] && { kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; }
  rm -f "/tmp/$1.ready"
  ip netns exec "$1" python3 -c "
import socket, time
n = $2 // 2
keep = []
for i in range(n):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(('127.0.0.1', 20000 + i)); t.listen(16); keep.append(t)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 20000 + i)); keep.append(u)
open('/tmp/$1.ready', 'w').close()
time.sleep(3600)
" &
  holder=$!
  for _ in $(seq 300); do [ -f "/tmp/$1.ready" ] && break; sleep 0.1; done
  rm -f "/tmp/$1.ready"
}

# t NAME CMD...: "wall_ms cpu_ms" means, remembered as W_NAME / C_NAME.
t() {
  local name=$1 r
  shift
  r=$($timeit "$runs" "$@")
  read -r w _ _ c <<<"$r"
  printf -v "W_$name" %s "$w"
  printf -v "C_$name" %s "$c"
}
rss_mb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1 / 1024}'; }
sum() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.2f", s }' "$@"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }
row() { printf '%-46s %10s %10s\n' "$@"; }

# classic NS: the four tools on one namespace (W_/C_ ip tc nstat ss classic)
classic() {
  t ip ip -n "$1" -s link
  t tc tc -n "$1" -s qdisc
  t nstat ip netns exec "$1" nstat -a
  t ss ip netns exec "$1" ss -tuna
  W_classic=$(sum "$W_ip" "$W_tc" "$W_nstat" "$W_ss")
  C_classic=$(sum "$C_ip" "$C_tc" "$C_nstat" "$C_ss")
}

echo "pktloss snapshot benchmark; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); mean of $runs runs"

# --- 1. the reference point -----------------------------------------------------------------
ns=${tag}m
make_ns "$ns" "$pairs"
hold_sockets "$ns" "$sockets"
classic "$ns"
t core "$pktloss" check -n "$ns" --json --no-firewall
t floor "$floor" "$ns"
t floorclassic "$floor" --classic "$ns"
t full "$pktloss" check -n "$ns" --json
[ -n "$baseline" ] && t basecore "$baseline" check -n "$ns" --json --no-firewall
echo
echo "namespace: $pairs veth pairs ($((pairs * 2 + 1)) links), $sockets sockets"
row "command" "wall ms" "CPU ms"
row "ip -s link" "$W_ip" "$C_ip"
row "tc -s qdisc" "$W_tc" "$C_tc"
row "nstat -a" "$W_nstat" "$C_nstat"
row "ss -tuna" "$W_ss" "$C_ss"
row "classic tools total" "$W_classic" "$C_classic"
row "pktloss check --no-firewall (same view)" "$W_core" "$C_core"
row "kernel floor: its reads, no parsing" "$W_floor" "$C_floor"
row "kernel floor: the four tools' reads" "$W_floorclassic" "$C_floorclassic"
row "pktloss check (+ nftables, iptables, conntrack)" "$W_full" "$C_full"
[ -n "$baseline" ] && row "baseline pktloss check --no-firewall" "$W_basecore" "$C_basecore"
echo "ratio pktloss/classic, same view: wall $(pct "$W_core" "$W_classic"), CPU $(pct "$C_core" "$C_classic");" \
  "full: wall $(pct "$W_full" "$W_classic"), CPU $(pct "$C_full" "$C_classic")"
echo "kernel floor (bench/snapshot_floor.c: pktloss's dumps and reads, received and dropped):" \
  "CPU $(pct "$C_floor" "$C_classic") of the classic tools (their own reads alone:" \
  "$(pct "$C_floorclassic" "$C_classic")); pktloss is $(awk -v a="$C_core" -v b="$C_floor" 'BEGIN { printf "%.2f", a / b }')x the floor"
[ -n "$baseline" ] && echo "baseline ratio, same view: wall $(pct "$W_basecore" "$W_classic"), CPU $(pct "$C_basecore" "$C_classic")"
echo "pktloss peak RSS: $(rss_mb "$pktloss" check -n "$ns" --json) MB"
[ -n "$baseline" ] && echo "baseline peak RSS: $(rss_mb "$baseline" check -n "$ns" --json) MB"
echo "where pktloss spends it (one run, PKTLOSS_PROFILE=1):"
PKTLOSS_PROFILE=1 "$pktloss" check -n "$ns" --json 2>&1 >/dev/null | sed 's/^profile: /  /'
kill "$holder" 2>/dev/null || true
holder=
ip netns del "$ns"

# --- 2. scaling -----------------------------------------------------------------------------
if [[ $skip != *scale* ]]; then
  dat=$out/snapshot_scale.dat
  echo "# interfaces classic_wall_ms classic_cpu_ms pktloss_wall_ms pktloss_cpu_ms pktloss_rss_mb" \
    "${baseline:+baseline_wall_ms baseline_cpu_ms baseline_rss_mb}" >"$dat"
  echo
  echo "scaling: veth interfaces + $sockets sockets in one namespace (pktloss check --no-firewall)"
  printf '%-11s %14s %14s %14s %14s %9s %8s\n' interfaces "classic wall" "classic CPU" \
    "pktloss wall" "pktloss CPU" "CPU ratio" "RSS MB"
  for n in $interfaces; do
    ns=${tag}s$n
    make_ns "$ns" $((n / 2))
    hold_sockets "$ns" "$sockets"
    runs_main=$runs
    runs=$runs_scale
    classic "$ns"
    t core "$pktloss" check -n "$ns" --json --no-firewall
    extra=
    if [ -n "$baseline" ]; then
      t basecore "$baseline" check -n "$ns" --json --no-firewall
      extra="$W_basecore $C_basecore $(rss_mb "$baseline" check -n "$ns" --json --no-firewall)"
    fi
    runs=$runs_main
    rss=$(rss_mb "$pktloss" check -n "$ns" --json --no-firewall)
    printf '%-11s %14s %14s %14s %14s %9s %8s\n' "$n" "$W_classic" "$C_classic" "$W_core" \
      "$C_core" "$(pct "$C_core" "$C_classic")" "$rss"
    [ -n "$baseline" ] && printf '  baseline: wall %s CPU %s ms (%s), RSS %s MB\n' "$W_basecore" \
      "$C_basecore" "$(pct "$C_basecore" "$C_classic")" "${extra##* }"
    echo "$n $W_classic $C_classic $W_core $C_core $rss $extra" >>"$dat"
    echo "  profile: $(PKTLOSS_PROFILE=1 "$pktloss" check -n "$ns" --json --no-firewall 2>&1 >/dev/null |
      awk '/profile:/ && $4 > 1 { printf "%s %s ms, ", $3, $4 }')"
    kill "$holder" 2>/dev/null || true
    holder=
    ip netns del "$ns"
  done
  if command -v gnuplot >/dev/null; then
    gnuplot -e "dat='$dat'; png='$out/snapshot_scale.png'; base=${baseline:+1}0" \
      "$here/snapshot_plot.gp" &&
      echo "plot: $out/snapshot_scale.png"
  fi
fi

# --- 3. --all-netns -------------------------------------------------------------------------
if [[ $skip != *allnetns* ]]; then
  list=()
  for i in $(seq 1 "$namespaces"); do
    make_ns "${tag}a$i" 2
    list+=("${tag}a$i")
  done
  # The four tools once per namespace pktloss sees (the host and every /run/netns name).
  all_classic() {
    for n in "$@"; do
      ip -n "$n" -s link; tc -n "$n" -s qdisc; ip netns exec "$n" nstat -a; ip netns exec "$n" ss -tuna
    done
    ip -s link; tc -s qdisc; nstat -a; ss -tuna
  }
  export -f all_classic
  seen=$(ip netns list | awk '{print $1}' | tr '\n' ' ')
  t allc bash -c 'all_classic "$@" >/dev/null 2>&1' _ $seen
  t allp "$pktloss" check --all-netns --json --no-firewall
  [ -n "$baseline" ] && t allb "$baseline" check --all-netns --json --no-firewall
  echo
  echo "--all-netns: $namespaces namespaces made here (2 veth pairs each), $(wc -w <<<"$seen") under /run/netns in all"
  row "command" "wall ms" "CPU ms"
  row "the four tools in every namespace" "$W_allc" "$C_allc"
  row "pktloss check --all-netns --no-firewall" "$W_allp" "$C_allp"
  [ -n "$baseline" ] && row "baseline pktloss check --all-netns" "$W_allb" "$C_allb"
  echo "ratio: wall $(pct "$W_allp" "$W_allc"), CPU $(pct "$C_allp" "$C_allc");" \
    "peak RSS $(rss_mb "$pktloss" check --all-netns --json --no-firewall) MB"
  [ -n "$baseline" ] && echo "baseline: CPU $(pct "$C_allb" "$C_allc")," \
    "peak RSS $(rss_mb "$baseline" check --all-netns --json --no-firewall) MB"
  for n in "${list[@]}"; do ip netns del "$n"; done
  created=()
fi

# --- 4. start-up on this (idle) namespace ---------------------------------------------------
t ver "$pktloss" --version
t chk "$pktloss" check --no-trace --json
t iplink ip -s link
[ -n "$baseline" ] && t basever "$baseline" --version && t basechk "$baseline" check --no-trace --json
echo
echo "start-up (host namespace)"
row "command" "wall ms" "CPU ms"
row "ip -s link" "$W_iplink" "$C_iplink"
row "pktloss --version" "$W_ver" "$C_ver"
row "pktloss check --no-trace" "$W_chk" "$C_chk"
[ -n "$baseline" ] && row "baseline --version" "$W_basever" "$C_basever" &&
  row "baseline check --no-trace" "$W_basechk" "$C_basechk"
echo "ratio to ip -s link: --version wall $(pct "$W_ver" "$W_iplink"), CPU $(pct "$C_ver" "$C_iplink");" \
  "check wall $(pct "$W_chk" "$W_iplink"), CPU $(pct "$C_chk" "$C_iplink"); shared libraries: $(ldd "$pktloss" | wc -l)"
