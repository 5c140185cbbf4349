#!/usr/bin/env bash
# Snapshot cost: one full pktloss snapshot of a namespace with 500 veth pairs and 2,000 sockets,
# against the classic tools an operator runs for the same view (ip -s link, tc -s qdisc, nstat -a,
# ss -tuna), timed in the same run on the same namespace. Prints a table and the ratio.
# Usage: bench/snapshot.sh [build dir] [runs]   (root; creates and removes its own namespace)
set -euo pipefail
build=${1:-build}
runs=${2:-10}
pairs=${PAIRS:-500}
sockets=${SOCKETS:-2000}
ns=plbench$$
pktloss=$(realpath "$build/pktloss")

cleanup() {
  [ -n "${holder:-}" ] && kill "$holder" 2>/dev/null || true
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
{
  for i in $(seq 1 "$pairs"); do
    echo "link add va$i type veth peer name vb$i"
    echo "link set va$i up"
    echo "link set vb$i up"
  done
} | ip -n "$ns" -batch -
# Half TCP listeners, half UDP sockets, held open by one process inside the namespace.
ip netns exec "$ns" python3 -c "
import socket, time
n = $sockets // 2
keep = []
for i in range(n):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(('127.0.0.1', 20000 + i)); t.listen(16); keep.append(t)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 20000 + i)); keep.append(u)
open('/tmp/$ns.ready', 'w').close()
time.sleep(600)
" &
holder=$!
for _ in $(seq 100); do [ -f /tmp/$ns.ready ] && break; sleep 0.1; done
rm -f /tmp/$ns.ready

# Mean wall time of a command over $runs runs, in milliseconds.
time_ms() {
  local start end
  "$@" >/dev/null 2>&1 || true  # warm-up (page cache, module autoload)
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000 ))  # microseconds
}
fmt_ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

t_ip=$(time_ms ip -n "$ns" -s link)
t_tc=$(time_ms tc -n "$ns" -s qdisc)
t_nstat=$(time_ms ip netns exec "$ns" nstat -a)
t_ss=$(time_ms ip netns exec "$ns" ss -tuna)
t_classic=$((t_ip + t_tc + t_nstat + t_ss))
t_full=$(time_ms "$pktloss" check -n "$ns" --json)
t_core=$(time_ms "$pktloss" check -n "$ns" --json --no-firewall)
rss_kb=$(/usr/bin/time -f %M "$pktloss" check -n "$ns" --json 2>&1 >/dev/null | tail -1)

echo "namespace: $pairs veth pairs ($((pairs * 2 + 1)) links), $sockets sockets; mean of $runs runs"
printf '%-44s %10s\n' "command" "ms"
printf '%-44s %10s\n' "ip -s link" "$(fmt_ms $t_ip)"
printf '%-44s %10s\n' "tc -s qdisc" "$(fmt_ms $t_tc)"
printf '%-44s %10s\n' "nstat -a" "$(fmt_ms $t_nstat)"
printf '%-44s %10s\n' "ss -tuna" "$(fmt_ms $t_ss)"
printf '%-44s %10s\n' "classic tools total" "$(fmt_ms $t_classic)"
printf '%-44s %10s\n' "pktloss check --no-firewall (same view)" "$(fmt_ms $t_core)"
printf '%-44s %10s\n' "pktloss check (+ nftables, iptables, conntrack)" "$(fmt_ms $t_full)"
awk -v a="$t_core" -v b="$t_full" -v c="$t_classic" 'BEGIN {
  printf "ratio pktloss/classic: %.1f%% (same view), %.1f%% (full)\n", 100*a/c, 100*b/c }'
echo "pktloss peak RSS: $((rss_kb / 1024)) MB ($rss_kb kB)"
echo "where pktloss spends it (one run, PKTLOSS_PROFILE=1):"
PKTLOSS_PROFILE=1 "$pktloss" check -n "$ns" --json 2>&1 >/dev/null | sed 's/^profile: /  /'
t_start=$(time_ms "$pktloss" --version)
printf '%-44s %10s\n' "pktloss start-up alone (--version)" "$(fmt_ms $t_start)"
