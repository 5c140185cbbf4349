#!/usr/bin/env bash
# Cost of `pktloss trace` on a drop-heavy path, compared with no tracer, with an EMPTY program on
# the same hook (the floor: what attaching to every freed skb costs before any work;
# PKTLOSS_TRACE_FLOOR=1 makes pktloss load that instead of its tracer) and with a bpftrace
# one-liner on the same tracepoint, in the same run.
#
# Method: two namespaces joined by a veth pair; the receiver drops every UDP datagram to port 9
# with an iptables rule. bench_trace_flood sends exactly COUNT 32-byte datagrams with sendmmsg.
# On veth the receiver's softirq (netfilter DROP, kfree_skb, the tracer) runs on the sending CPU,
# so the sender's packets/s is the throughput of the whole path. Each round runs the three modes
# back to back (interleaved, so background load hits them alike); the median over ROUNDS is shown.
# The flood runs pinned to CPU 1 under SCHED_FIFO so other work on a shared machine disturbs it
# less; the overhead is the median of the per-round ratios (each round's modes run back to back).
# A last pass with kernel.bpf_stats_enabled=1 (restored at exit; off during the throughput rounds,
# since the accounting itself costs two clock reads per event) reports each BPF program's run time
# per event: a noise-free cost figure for pktloss vs bpftrace.
# Exactness: pktloss's NETFILTER_DROP count for the receiver namespace must equal the rule
# counter's delta over the same flood.
#
# BASELINE=/path/to/older/pktloss adds that build as a fifth mode in every round (before/after in
# the same run, same floor).
#
# usage: bench/trace.sh [BUILD_DIR] [COUNT] [ROUNDS]     (root; builds nothing)
set -euo pipefail
BUILD=$(realpath "${1:-build}")
COUNT=${2:-1000000}
ROUNDS=${3:-3}
PKTLOSS=$BUILD/pktloss
BASELINE=${BASELINE:-}
FLOOD=$BUILD/bench_trace_flood
for b in "$PKTLOSS" "$FLOOD"; do [[ -x $b ]] || { echo "missing $b (build it first)" >&2; exit 2; }; done
command -v bpftrace >/dev/null || { echo "bpftrace not installed" >&2; exit 2; }
# bpftrace finds tracepoints through tracefs; mount it for this run when the host has not.
MOUNTED_TRACEFS=
if [[ ! -d /sys/kernel/tracing/events ]]; then
  mount -t tracefs tracefs /sys/kernel/tracing && MOUNTED_TRACEFS=yes
fi

P=pltb$$
C=${P}c
S=${P}s
TMP=$(mktemp -d /tmp/pktloss-bench.XXXXXX)
STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
  sysctl -qw kernel.bpf_stats_enabled="$STATS_WAS" || true
  jobs -p | xargs -r kill -9 2>/dev/null || true
  ip netns del "$C" 2>/dev/null || true
  ip netns del "$S" 2>/dev/null || true
  rm -rf "$TMP"
  [[ -n $MOUNTED_TRACEFS ]] && umount /sys/kernel/tracing || true
}
trap cleanup EXIT

ip netns add "$C"
ip netns add "$S"
ip link add "${P}a" netns "$C" type veth peer name "${P}b" netns "$S"
ip -n "$C" link set "${P}a" name eth0
ip -n "$S" link set "${P}b" name eth0
ip -n "$C" addr add 10.88.0.1/24 dev eth0
ip -n "$S" addr add 10.88.0.2/24 dev eth0
ip -n "$C" link set eth0 up
ip -n "$S" link set eth0 up
ip netns exec "$S" iptables -A INPUT -p udp --dport 9 -j DROP
# Resolve the neighbour once so the flood measures the steady state only.
ip netns exec "$C" "$FLOOD" 10.88.0.2 9 1000 >/dev/null

NF_DROP=$(bpftool btf dump file /sys/kernel/btf/vmlinux | sed -n "s/.*'SKB_DROP_REASON_NETFILTER_DROP' val=\([0-9]*\).*/\1/p" | head -1)

rule_count() { ip netns exec "$S" iptables -L INPUT -v -x -n | awk '/dpt:9 *$/ {print $1}'; }
flood() { ip netns exec "$C" taskset -c 1 chrt -f 50 "$FLOOD" 10.88.0.2 9 "$COUNT" 32 | awk '{print $7}'; }
# ns per invocation of the kfree_skb BPF programs whose name matches $1 (bpf_stats).
prog_ns() {
  bpftool prog show -j | python3 -c 'import json,sys
ps=[p for p in json.load(sys.stdin) if sys.argv[1] in p.get("name","") and p.get("run_cnt",0)>0]
c=sum(p["run_cnt"] for p in ps); t=sum(p["run_time_ns"] for p in ps)
print(f"{t/c:.0f}" if c else "?")' "$1"
}
sysctl -qw kernel.bpf_stats_enabled=0
wait_for() {  # file pattern
  for _ in $(seq 1200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

declare -a BASE PKT FLR BPF OLD
EXACT=yes
for round in $(seq "$ROUNDS"); do
  BASE+=("$(flood)")

  "$PKTLOSS" trace --json -d 0 >"$TMP/pkt.json" 2>"$TMP/pkt.err" &
  pid=$!
  wait_for "$TMP/pkt.err" "tracing kfree_skb"
  r0=$(rule_count)
  PKT+=("$(flood)")
  r1=$(rule_count)
  kill -TERM $pid
  wait $pid || true
  counted=$(python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
print(sum(e["packets"] for e in r["drop_events"] if e["reason"]=="NETFILTER_DROP" and e["netns"]==sys.argv[2]))' "$TMP/pkt.json" "$S")
  misses=$(python3 -c 'import json,sys; print(" ".join(n for n in json.load(open(sys.argv[1]))["notes"] if "nested" in n or "full" in n))' "$TMP/pkt.json")
  delta=$((r1 - r0))
  echo "round $round: rule delta $delta, pktloss NETFILTER_DROP $counted ${misses:+($misses)}"
  # The tracer ran before and after the flood; nothing else hits this rule, so they must match.
  [[ $counted == "$delta" ]] || EXACT=no

  PKTLOSS_TRACE_FLOOR=1 "$PKTLOSS" trace --json -d 0 >/dev/null 2>"$TMP/floor.err" &
  pid=$!
  wait_for "$TMP/floor.err" "tracing kfree_skb"
  FLR+=("$(flood)")
  kill -TERM $pid
  wait $pid || true

  if [[ -n $BASELINE ]]; then
    "$BASELINE" trace --json -d 0 >/dev/null 2>"$TMP/old.err" &
    pid=$!
    wait_for "$TMP/old.err" "tracing kfree_skb"
    OLD+=("$(flood)")
    kill -TERM $pid
    wait $pid || true
  fi

  bpftrace -e 'tracepoint:skb:kfree_skb { @[args->reason] = count(); }' >"$TMP/bt.out" 2>"$TMP/bt.err" &
  pid=$!
  wait_for "$TMP/bt.out" "Attaching"
  b0=$(rule_count)
  BPF+=("$(flood)")
  b1=$(rule_count)
  kill -INT $pid
  wait $pid || true
  bt=$(sed -n "s/^@\[$NF_DROP\]: \([0-9]*\)/\1/p" "$TMP/bt.out")
  echo "round $round: rule delta $((b1 - b0)), bpftrace reason $NF_DROP count ${bt:-0}"
done

# Cost per event: STATS_ROUNDS more floods (default ROUNDS) under each tracer with bpf_stats on,
# interleaved like the throughput rounds; the median per mode is shown. In-program time does not
# include time the flood spent preempted, so this is the figure that survives a loaded host.
sysctl -qw kernel.bpf_stats_enabled=1
declare -a PKT_NSS FLR_NSS OLD_NSS BPF_NSS
for _ in $(seq "${STATS_ROUNDS:-$ROUNDS}"); do
  "$PKTLOSS" trace --json -d 0 >"$TMP/pkt.json" 2>"$TMP/pkt.err" &
  pid=$!
  wait_for "$TMP/pkt.err" "tracing kfree_skb"
  flood >/dev/null
  PKT_NSS+=("$(prog_ns on_kfree_skb_bt)")
  kill -TERM $pid; wait $pid || true
  PKTLOSS_TRACE_FLOOR=1 "$PKTLOSS" trace --json -d 0 >/dev/null 2>"$TMP/floor.err" &
  pid=$!
  wait_for "$TMP/floor.err" "tracing kfree_skb"
  flood >/dev/null
  FLR_NSS+=("$(prog_ns on_kfree_skb_fl)")
  kill -TERM $pid; wait $pid || true
  if [[ -n $BASELINE ]]; then
    "$BASELINE" trace --json -d 0 >/dev/null 2>"$TMP/old.err" &
    pid=$!
    wait_for "$TMP/old.err" "tracing kfree_skb"
    flood >/dev/null
    OLD_NSS+=("$(prog_ns on_kfree_skb_bt)")
    kill -TERM $pid; wait $pid || true
  fi
  bpftrace -e 'tracepoint:skb:kfree_skb { @[args->reason] = count(); }' >"$TMP/bt.out" 2>"$TMP/bt.err" &
  pid=$!
  wait_for "$TMP/bt.out" "Attaching"
  flood >/dev/null
  BPF_NSS+=("$(prog_ns kfree_skb)")
  kill -INT $pid; wait $pid || true
done
sysctl -qw kernel.bpf_stats_enabled=0

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratios() {  # per-round change of $1[] against BASE[] in percent
  local -n arr=$1
  for i in "${!BASE[@]}"; do echo "(${arr[$i]} - ${BASE[$i]}) * 100 / ${BASE[$i]}" | bc -l; done
}
PKT_NS=$(median "${PKT_NSS[@]}")
FLR_NS=$(median "${FLR_NSS[@]}")
BPF_NS=$(median "${BPF_NSS[@]}")
OLD_NS=
[[ -n $BASELINE ]] && OLD_NS=$(median "${OLD_NSS[@]}")
mb=$(median "${BASE[@]}")
mp=$(median "${PKT[@]}")
mt=$(median "${BPF[@]}")
echo
echo "UDP flood, $COUNT x 32 B datagrams per run, iptables DROP on the receiver, median of $ROUNDS"
printf '%-22s %12s %22s %14s\n' mode "packets/s" "vs none (median ratio)" "BPF ns/event"
printf '%-22s %12s %22s %14s\n' "no tracer" "$mb" "-" "-"
printf '%-22s %12s %21.1f%% %14s\n' "pktloss trace" "$mp" "$(median $(ratios PKT))" "$PKT_NS"
printf '%-22s %12s %21.1f%% %14s\n' "empty program (floor)" "$(median "${FLR[@]}")" "$(median $(ratios FLR))" "$FLR_NS"
printf '%-22s %12s %21.1f%% %14s\n' "bpftrace one-liner" "$mt" "$(median $(ratios BPF))" "$BPF_NS"
[[ -n $BASELINE ]] && printf '%-22s %12s %21.1f%% %14s\n' "baseline pktloss" "$(median "${OLD[@]}")" \
  "$(median $(ratios OLD))" "$OLD_NS"
# pktloss's cost as a multiple of the floor's, per round (how close to the physical limit).
floor_x=$(for i in "${!BASE[@]}"; do echo "(${BASE[$i]} - ${PKT[$i]}) / (${BASE[$i]} - ${FLR[$i]})" | bc -l 2>/dev/null || echo nan; done)
echo "pktloss cost / floor cost, median of rounds: $(median $floor_x | xargs printf '%.2f')x"
if [[ -n $BASELINE ]]; then
  old_x=$(for i in "${!BASE[@]}"; do echo "(${BASE[$i]} - ${OLD[$i]}) / (${BASE[$i]} - ${FLR[$i]})" | bc -l 2>/dev/null || echo nan; done)
  echo "baseline cost / floor cost, median of rounds: $(median $old_x | xargs printf '%.2f')x"
fi
# In-program cost above the floor (bpf_stats; both figures carry the same two clock reads).
[[ $PKT_NS =~ ^[0-9]+$ && $FLR_NS =~ ^[0-9]+$ ]] &&
  echo "in-program ns/event above the empty program: pktloss $((PKT_NS - FLR_NS))${OLD_NS:+, baseline $((OLD_NS - FLR_NS))}, bpftrace $((BPF_NS - FLR_NS))"
echo "runs (none / pktloss / floor / bpftrace): ${BASE[*]} / ${PKT[*]} / ${FLR[*]} / ${BPF[*]}"
[[ -n $BASELINE ]] && echo "runs (baseline): ${OLD[*]}"
echo "BPF ns/event per pass (pktloss / floor / bpftrace${BASELINE:+ / baseline}): ${PKT_NSS[*]} / ${FLR_NSS[*]} / ${BPF_NSS[*]}${BASELINE:+ / ${OLD_NSS[*]}}"
echo "pktloss NETFILTER_DROP count equals the rule delta in every round: $EXACT"
