#!/usr/bin/env bash
# Firewall collector benchmark: 10,000 iptables-nft rules in 50 chains (plus a native nft table)
# in a namespace this script creates and always removes; compares pktloss's read + attribution
# with `nft -j list ruleset` and `iptables-save -c`, measured in the same run.
# Usage: bench/firewall.sh [BUILD_DIR]   (default: build)
set -euo pipefail
build=${1:-build}
bin="$build/bench_firewall"
[ -x "$bin" ] || { echo "firewall.sh: $bin missing; cmake --build $build --target bench_firewall" >&2; exit 2; }
ns="plbenchfw$$"
trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
ip netns add "$ns"

chains=50 per_chain=200
{
  echo "*filter"
  for c in $(seq 1 $chains); do echo ":C$c - [0:0]"; done
  for c in $(seq 1 $chains); do
    echo "-A INPUT -p tcp -m tcp --dport $((1000 + c)) -j C$c"
    for r in $(seq 1 $((per_chain - 1))); do
      echo "-A C$c -s 10.$c.$((r / 250)).$((r % 250))/32 -p tcp -m tcp --dport $((2000 + r)) -j ACCEPT"
    done
    # one candidate per chain: a statistic DROP (xt match) like the classic fault
    echo "-A C$c -m statistic --mode random --probability 0.01 -j DROP"
  done
  echo "COMMIT"
} | ip netns exec "$ns" iptables-restore
rules=$(ip netns exec "$ns" iptables-save | grep -c '^-A')
echo "ruleset: $rules iptables-nft rules in $((chains + 1)) chains"

ip netns exec "$ns" "$bin" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_format=console --benchmark_out=/tmp/$ns.json --benchmark_out_format=json
python3 - "/tmp/$ns.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
med = {b["run_name"].replace("/real_time", ""): b["real_time"] for b in d["benchmarks"] if b.get("aggregate_name") == "median"}
nft = med["BM_NftJsonListRuleset"]; ours = med["BM_CollectAndAttribute"]
print(f"median ms: nft -j list ruleset {nft:.1f} | iptables-save -c {med['BM_IptablesSaveCounters']:.1f}"
      f" | pktloss read {med['BM_CollectFirewall']:.1f} | pktloss read+attribute {ours:.1f}")
print(f"ratio read+attribute / nft -j: {ours / nft:.2f} (budget 1.50)")
sys.exit(0 if ours <= 1.5 * nft else 1)
PY
rc=$?
rm -f "/tmp/$ns.json"
exit $rc
