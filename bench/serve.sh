#!/usr/bin/env bash
# pktloss serve against node_exporter on the same host, in the same run:
#   NETNS namespaces x VETH veth pairs each, SOCKETS sockets and RULES iptables DROP rules (in the
#   first namespace); pktloss serve -n (all of them) collects every INTERVAL s; 4 concurrent scrapers
#   hit each exporter SCRAPES times. Reports series count, scrape latency (median, p99), CPU per
#   scrape / per collection, RSS over time, and the ratios.
# Usage: bench/serve.sh [build dir]   (root; creates and removes its own namespaces)
#   NETNS=100 VETH=10 SOCKETS=2000 RULES=10000 INTERVAL=5 SCRAPES=50 DURATION=60
#   SOAK=1800: only the RSS soak (pktloss serve, a scrape per second) for that many seconds;
#   SOAK_EVERY=10 samples RSS every 10 s (default 30), SOAK_DAT=file writes "t rss_kb cpu_s".
set -euo pipefail
build=${1:-build}
nns=${NETNS:-100}
veth=${VETH:-10}
sockets=${SOCKETS:-2000}
rules=${RULES:-10000}
interval=${INTERVAL:-5}
scrapes=${SCRAPES:-50}
duration=${DURATION:-60}
soak=${SOAK:-0}
pktloss=$(realpath "$build/pktloss")
pfx=plsv$$
tmp=$(mktemp -d /tmp/pktloss-bench-serve-XXXXXX)
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for i in $(seq 1 "$nns"); do
    ip netns pids "$pfx$i" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$pfx$i" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

t0=$(date +%s)
for i in $(seq 1 "$nns"); do
  ip netns add "$pfx$i"
  {
    echo "link set lo up"
    for j in $(seq 1 "$veth"); do
      echo "link add va$j type veth peer name vb$j"
      echo "link set va$j up"
      echo "link set vb$j up"
    done
  } | ip -n "$pfx$i" -batch -
done
# Sockets and rules in the first namespace: half TCP listeners, half UDP sockets.
ip netns exec "${pfx}1" python3 -c "
import socket, time
keep = []
for i in range($sockets // 2):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(('127.0.0.1', 20000 + i)); t.listen(16); keep.append(t)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 20000 + i)); keep.append(u)
open('$tmp/sockets.ready', 'w').close()
time.sleep(100000)
" &
pids+=($!)
{
  echo "*filter"
  for r in $(seq 1 "$rules"); do
    echo "-A INPUT -s 198.18.$((r / 250)).$((r % 250 + 1))/32 -p tcp --dport $((r % 60000 + 1)) -j DROP"
  done
  echo "COMMIT"
} | ip netns exec "${pfx}1" iptables-restore
for _ in $(seq 100); do [ -f "$tmp/sockets.ready" ] && break; sleep 0.1; done
echo "setup: $nns netns x $veth veth pairs ($((nns * veth * 2 + nns)) links), $sockets sockets," \
  "$rules iptables rules: $(($(date +%s) - t0)) s"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Its own namespaces by name (-n), so other namespaces on the box do not blur the numbers.
nsargs=()
for i in $(seq 1 "$nns"); do nsargs+=(-n "$pfx$i"); done
"$pktloss" serve "${nsargs[@]}" --interval "$interval" --window 60 --listen 127.0.0.1:0 \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
pids+=($serve_pid)
for _ in $(seq 300); do grep -q "listening on" "$tmp/serve.err" && break; sleep 0.1; done
sport=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.err")
[ -n "$sport" ] || { echo "pktloss serve did not start: $(cat "$tmp/serve.err")"; exit 2; }
# The first collection: /metrics answers 503 until it is published.
for _ in $(seq 1200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$sport/metrics")" = 200 ] && break
  sleep 0.1
done

if [ "$soak" -gt 0 ]; then
  every=${SOAK_EVERY:-30}
  echo "soak: $soak s, --interval $interval, scrape every second; RSS (kB) and CPU every $every s:"
  [ -n "${SOAK_DAT:-}" ] && echo "# t_s rss_kb cpu_s" >"$SOAK_DAT"
  start=$(date +%s)
  end=$((start + soak))
  c0=$(cpu_ticks $serve_pid)
  n=0
  next=$start
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -s -o /dev/null "http://127.0.0.1:$sport/metrics" || true
    n=$((n + 1))
    now=$(date +%s)
    if [ "$now" -ge "$next" ]; then
      cpu=$(awk -v d=$(($(cpu_ticks $serve_pid) - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", d / hz }')
      echo "  t=$((now - start))s rss=$(rss_kb $serve_pid) kB cpu=${cpu}s"
      [ -n "${SOAK_DAT:-}" ] && echo "$((now - start)) $(rss_kb $serve_pid) $cpu" >>"$SOAK_DAT"
      next=$((next + every))
    fi
    sleep 1
  done
  echo "  end rss=$(rss_kb $serve_pid) kB after $n scrapes," \
    "peak $(awk '/VmHWM/ { print $2 }' "/proc/$serve_pid/status") kB"
  exit 0
fi

nport=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$nport" --collector.disable-defaults \
  --collector.netdev --collector.netstat --collector.softnet --collector.conntrack \
  >"$tmp/node.out" 2>&1 &
node_pid=$!
pids+=($node_pid)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$nport/metrics" && break; sleep 0.1; done

# Steady state: collections for $duration s with nobody scraping (pktloss's own cost), RSS sampled.
sleep "$interval"
c0=$(cpu_ticks $serve_pid)
rss_series=""
for _ in $(seq 1 $((duration / 5))); do
  sleep 5
  rss_series+="$(rss_kb $serve_pid) "
done
c1=$(cpu_ticks $serve_pid)
collect_cpu_pct=$(awk -v d=$((c1 - c0)) -v hz="$hz" -v t="$duration" 'BEGIN { printf "%.1f", 100 * d / hz / t }')
last_collect=$(curl -s "http://127.0.0.1:$sport/metrics" | awk '/^pktloss_collect_duration_seconds /{ print $2 }')

# 4 concurrent scrapers x $scrapes each; per-request time; CPU of the exporter over the burst.
scrape_burst() {
  local port=$1 pid=$2 out=$3 c0 c1
  c0=$(cpu_ticks "$pid")
  for _ in 1 2 3 4; do
    (for _ in $(seq "$scrapes"); do
      curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics"
    done) >>"$out" &
  done
  wait
  c1=$(cpu_ticks "$pid")
  echo $((c1 - c0))
}
stats() { sort -n "$1" | awk '{ a[NR] = $1 } END { printf "%.1f %.1f", 1000 * a[int(NR * 0.5 + 0.5)], 1000 * a[int(NR * 0.99 + 0.5)] }'; }
p_ticks=$(scrape_burst "$sport" "$serve_pid" "$tmp/p.times")
n_ticks=$(scrape_burst "$nport" "$node_pid" "$tmp/n.times")
read -r p_med p_p99 <<<"$(stats "$tmp/p.times")"
read -r n_med n_p99 <<<"$(stats "$tmp/n.times")"
total=$((4 * scrapes))
p_series=$(curl -s "http://127.0.0.1:$sport/metrics" | grep -vc '^#')
n_series=$(curl -s "http://127.0.0.1:$nport/metrics" | grep -vc '^#')
p_bytes=$(curl -s "http://127.0.0.1:$sport/metrics" | wc -c)
n_bytes=$(curl -s "http://127.0.0.1:$nport/metrics" | wc -c)
p_cpu=$(awk -v t="$p_ticks" -v hz="$hz" -v n="$total" 'BEGIN { printf "%.2f", 1000 * t / hz / n }')
n_cpu=$(awk -v t="$n_ticks" -v hz="$hz" -v n="$total" 'BEGIN { printf "%.2f", 1000 * t / hz / n }')
dropped=$(curl -s "http://127.0.0.1:$sport/metrics" | grep -c '^pktloss_series_dropped_total')
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true

# The same coverage as node_exporter: pktloss serve on the host namespace only.
"$pktloss" serve --interval "$interval" --window 60 --listen 127.0.0.1:0 \
  >"$tmp/host.out" 2>"$tmp/host.err" &
host_pid=$!
pids+=($host_pid)
for _ in $(seq 300); do grep -q "listening on" "$tmp/host.err" && break; sleep 0.1; done
hport=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/host.err")
for _ in $(seq 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$hport/metrics")" = 200 ] && break
  sleep 0.1
done
sleep "$interval"
h_ticks=$(scrape_burst "$hport" "$host_pid" "$tmp/h.times")
read -r h_med h_p99 <<<"$(stats "$tmp/h.times")"
h_series=$(curl -s "http://127.0.0.1:$hport/metrics" | grep -vc '^#')
h_bytes=$(curl -s "http://127.0.0.1:$hport/metrics" | wc -c)
h_cpu=$(awk -v t="$h_ticks" -v hz="$hz" -v n="$total" 'BEGIN { printf "%.2f", 1000 * t / hz / n }')

echo
f='%-36s %14s %14s %16s\n'
printf "$f" "" "pktloss serve" "pktloss serve" "node_exporter"
printf "$f" "coverage" "$nns netns" "host netns" "host netns"
printf "$f" "series per scrape" "$p_series" "$h_series" "$n_series"
printf "$f" "bytes per scrape" "$p_bytes" "$h_bytes" "$n_bytes"
printf "$f" "scrape latency median (ms, 4 conc.)" "$p_med" "$h_med" "$n_med"
printf "$f" "scrape latency p99 (ms)" "$p_p99" "$h_p99" "$n_p99"
printf "$f" "CPU per scrape (ms)" "$p_cpu" "$h_cpu" "$n_cpu"
echo "pktloss collection: every $interval s, last took ${last_collect} s;" \
  "CPU ${collect_cpu_pct}% of one core with no scrapes"
echo "pktloss RSS over ${duration} s (kB, every 5 s): $rss_series"
echo "pktloss families cut by --max-series (pktloss_series_dropped_total): $dropped"
awk -v a="$p_med" -v b="$n_med" -v c="$p_cpu" -v d="$n_cpu" -v e="$p_series" -v f="$n_series" 'BEGIN {
  printf "ratios pktloss(%s netns)/node_exporter: latency median %.2fx, CPU per scrape %.2fx, series %.1fx, CPU per 1000 series %.3fx\n",
    "'"$nns"'", a / (b > 0 ? b : 1e-9), c / (d > 0 ? d : 1e-9), e / (f > 0 ? f : 1), (c / e) / (d / f) }'
awk -v a="$h_med" -v b="$n_med" -v c="$h_cpu" -v d="$n_cpu" -v e="$h_series" -v f="$n_series" 'BEGIN {
  printf "ratios pktloss(host)/node_exporter: latency median %.2fx, CPU per scrape %.2fx, series %.1fx\n",
    a / (b > 0 ? b : 1e-9), c / (d > 0 ? d : 1e-9), e / (f > 0 ? f : 1) }'
