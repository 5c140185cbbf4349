#!/usr/bin/env bash
# What reading XDP programs costs a snapshot (issue 10): the bpfprogs collector (PKTLOSS_PROFILE)
# and the whole `check`, with and without an XDP program, against the classic tools that say the
# same (`bpftool prog show id N`, `ip -d link show`), in the same run. CPU is user+sys, mean of 10.
# usage: bench/bpf_programs.sh [BUILD_DIR]     (root; builds nothing; needs the test objects)
set -u
B=${1:-build}
S=plbpf$$
trap 'ip netns del $S 2>/dev/null' EXIT
ip netns add $S; ip -n $S link add dev eth0 type veth peer name eth1; ip -n $S link set eth0 up; ip -n $S link set eth1 up
ip -n $S link set dev eth0 xdp obj $B/bpf/test_xdp_pass.bpf.o sec xdp
ID=$(ip -n $S -j link show dev eth0 | python3 -c 'import json,sys;print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])')
echo "pktloss collector times (PKTLOSS_PROFILE), 10 runs:"
for i in $(seq 10); do PKTLOSS_PROFILE=1 $B/pktloss check -n $S --no-trace --no-sockets --no-firewall --json 2>&1 >/dev/null | grep -E "bpfprogs|links"; done | awk '{s[$3]+=$4; n[$3]++} END {for (k in s) printf "  %-9s mean %.3f ms\n", k, s[k]/n[k]}'
TIMEFORMAT='%3U %3S %3R'
cpu() { local t; t=$( { time "$@" >/dev/null 2>&1; } 2>&1 ); echo $t | awk '{printf "%.1f", ($1+$2)*1000}'; }
tot_b=0; tot_i=0; tot_p=0; tot_q=0
for i in $(seq 10); do
  tot_b=$(echo "$tot_b + $(cpu bpftool prog show id $ID)" | bc)
  tot_i=$(echo "$tot_i + $(cpu ip -n $S -d link show dev eth0)" | bc)
  tot_p=$(echo "$tot_p + $(cpu $B/pktloss check -n $S --no-trace --no-sockets --no-firewall --json)" | bc)
done
ip -n $S link set dev eth0 xdp off
for i in $(seq 10); do tot_q=$(echo "$tot_q + $(cpu $B/pktloss check -n $S --no-trace --no-sockets --no-firewall --json)" | bc); done
echo "CPU (user+sys) mean of 10: bpftool prog show id: $(echo "scale=1; $tot_b/10" | bc) ms; ip -d link show: $(echo "scale=1; $tot_i/10" | bc) ms; pktloss check with the program: $(echo "scale=1; $tot_p/10" | bc) ms; without: $(echo "scale=1; $tot_q/10" | bc) ms"
