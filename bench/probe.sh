#!/usr/bin/env bash
# SYN prober throughput: the Google Benchmark (private netns, loopback listener) and a timed run of
# the real binary against a listener in a throw-away namespace. Needs root. Usage: bench/probe.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cmake --build "$build" -j2 --target bench_probe pktloss >/dev/null
"$build/bench_probe" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

ns=plbench$$
cleanup() { ip netns pids "$ns" 2>/dev/null | xargs -r kill; ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8080)); s.listen(4096); time.sleep(120)' &
# Wait until the listener is up (interpreter start-up can take a second): before that every SYN
# is answered by a RST, which still matches but measures a different path.
for _ in $(seq 100); do ip netns exec "$ns" ss -ltn | grep -q '127.0.0.1:8080' && break; sleep 0.1; done
out=$(mktemp)
for n in 5000 20000 50000; do
  # Time only pktloss (the JSON is checked afterwards: interpreter start-up is not ours).
  start=$(date +%s.%N)
  "$build/pktloss" probe -n "$ns" --target 127.0.0.1:8080 --mode syn --count "$n" --interval 0 \
    --json >"$out"
  end=$(date +%s.%N)
  python3 - "$out" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[0]
t = float(sys.argv[3]) - float(sys.argv[2])
assert " 0 RST" in r["detail"], r["detail"]
print(f"pktloss probe --mode syn --count {r['sent']}: {r['received']}/{r['sent']} matched "
      f"in {t:.3f} s = {r['sent'] / t:.0f} probes/s (whole process)")
PY
done
rm -f "$out"
