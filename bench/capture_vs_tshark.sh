#!/usr/bin/env bash
# pktloss capture --read against tshark's TCP expert analysis, per file, on captures recorded
# here in two network namespaces (a veth pair, nginx, curl): healthy traffic, random loss (an
# iptables statistic DROP rule), an MTU black hole, keep-alives (SO_KEEPALIVE), a one-sided
# capture (capture filter), frames captured twice (both veth ends merged), a SYN/FIN-only
# capture and refused connections. Reordering needs netem (absent on this kernel) or two paths
# with per-packet balancing; it is not recorded.
#
# For each file: retransmissions, duplicate ACKs, keep-alives and out-of-order segments as
# pktloss counts them and as tshark flags them (tcp.analysis.*), the loss verdict, and the CPU
# each tool used. Root only; namespaces are removed on exit. CORPUS_DIR keeps the files.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "capture_vs_tshark: run as root" >&2; exit 2; }
bin=${PKTLOSS_BIN:-build/pktloss}
[ -x "$bin" ] || { echo "capture_vs_tshark: build pktloss first ($bin)" >&2; exit 2; }
tag=$$
c=pkcmp-c-$tag s=pkcmp-s-$tag
dir=${CORPUS_DIR:-/tmp/pktloss_corpus_$tag}
mkdir -p "$dir"
cleanup() {
  [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  ip netns del "$c" 2>/dev/null || true
  ip netns del "$s" 2>/dev/null || true
  [ -n "${CORPUS_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$c"
ip netns add "$s"
ip link add veth-c$tag netns "$c" type veth peer name veth-s$tag netns "$s"
ip -n "$c" link set veth-c$tag name eth0
ip -n "$s" link set veth-s$tag name eth0
ip -n "$c" addr add 10.99.0.1/24 dev eth0
ip -n "$s" addr add 10.99.0.2/24 dev eth0
for n in "$c" "$s"; do
  ip -n "$n" link set lo up
  ip -n "$n" link set eth0 up
done
# No offloads: the capture shows the segments TCP sent, as on a real NIC's wire.
for n in "$c" "$s"; do ip netns exec "$n" ethtool -K eth0 tso off gso off gro off >/dev/null 2>&1 || true; done

mkdir -p "$dir/www" "$dir/nginx"
head -c 30720 /dev/zero | tr '\0' x >"$dir/www/30k.bin"
head -c 2000000 /dev/urandom >"$dir/www/2m.bin"
cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx/error.log;
daemon on;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $dir/nginx; proxy_temp_path $dir/nginx;
  fastcgi_temp_path $dir/nginx; uwsgi_temp_path $dir/nginx; scgi_temp_path $dir/nginx;
  server { listen 80; root $dir/www; } }
EOF
ip netns exec "$s" nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1
for _ in $(seq 50); do
  ip netns exec "$c" curl -s -o /dev/null -m 1 http://10.99.0.2/30k.bin && break
  sleep 0.1
done

# record NAME NS FILTER COMMAND...: tcpdump in NS on eth0 while COMMAND runs in the client.
record() {
  local name=$1 ns=$2 filter=$3
  shift 3
  ip netns exec "$ns" tcpdump -i eth0 -U -s 256 -w "$dir/$name.pcap" $filter 2>/dev/null &
  local pid=$!
  sleep 0.5
  ip netns exec "$c" bash -c "$*" >/dev/null 2>&1 || true
  sleep 0.5
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
curls="for i in \$(seq 10); do curl -s -o /dev/null -m 3 http://10.99.0.2/2m.bin; done"

record healthy "$c" "tcp" "$curls"

ip netns exec "$s" iptables -A INPUT -p tcp --dport 80 -m statistic --mode random \
  --probability 0.02 -j DROP
ip netns exec "$s" iptables -A OUTPUT -p tcp --sport 80 -m statistic --mode random \
  --probability 0.02 -j DROP
record random_loss "$c" "tcp" "$curls"
ip netns exec "$s" iptables -F

# Keep-alives: an idle connection with a 1 s keep-alive timer (SO_KEEPALIVE, TCP_KEEPIDLE).
record keepalive "$c" "tcp" "python3 -c '
import socket, time
s = socket.create_connection((\"10.99.0.2\", 80))
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
time.sleep(4.5)
s.close()'"

record one_sided "$c" "tcp and src host 10.99.0.1" "$curls"
record syn_fin_only "$c" "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0" "$curls"
record refused "$c" "tcp" "for i in 1 2 3; do curl -s -m 1 http://10.99.0.2:81/; done"

# The same frames at both ends of the veth pair, merged into one file.
ip netns exec "$s" tcpdump -i eth0 -U -s 256 -w "$dir/dup_server.pcap" tcp 2>/dev/null &
spid=$!
record dup_client "$c" "tcp" "for i in \$(seq 5); do curl -s -o /dev/null -m 3 http://10.99.0.2/30k.bin; done"
kill "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
mergecap -w "$dir/duplicated.pcap" "$dir/dup_client.pcap" "$dir/dup_server.pcap"
rm -f "$dir/dup_client.pcap" "$dir/dup_server.pcap"

# MTU black hole: the server's side of the link takes 100-byte packets only, without ICMP.
ip -n "$s" link set eth0 mtu 100
record mtu_blackhole "$c" "tcp" "for i in \$(seq 5); do curl -s -o /dev/null -m 1 http://10.99.0.2/30k.bin; done"
ip -n "$s" link set eth0 mtu 1500

gzip -k -c "$dir/healthy.pcap" >"$dir/healthy_gz.pcap.gz"

cpu() {  # prints user+sys seconds of the command
  local t=$dir/time.$$
  /usr/bin/time -o "$t" -f "%U %S" "$@" >/dev/null 2>&1 || true
  awk '{ printf "%.3f", $1 + $2 }' "$t"
  rm -f "$t"
}
tshark_count() {  # FILE FILTER: frames tshark flags
  tshark -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
}

printf "%-16s %7s | %-17s | %-17s | %-11s | %-11s | %-14s | %s\n" file packets \
  "retrans pkl/tsh" "dupack pkl/tsh" "keepal p/t" "ooo p/t" "loss pkl/tsh*" "cpu pkl/tsh"
tot_p=0 tot_t=0 agree=0 files=0
for f in "$dir"/*.pcap "$dir"/*.pcap.gz; do
  name=$(basename "$f")
  json=$("$bin" capture --read "$f" --json 2>/dev/null || true)
  read -r packets p_re p_dup p_ka p_ooo p_loss < <(echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["capture"]
s = lambda k: sum(fl.get(side, {}).get(k, 0) for fl in d["flows"] for side in ("client_to_server", "server_to_client"))
loss = sum(1 for fl in d["flows"] if fl["kind"] in ("loss", "size_dependent_loss"))
print(d["packets"]["frames"], s("retransmits"), s("dup_acks"), s("keepalives"), s("reordered"), loss)')
  tf=$f
  if [[ $f == *.gz ]]; then tf=$dir/tshark_input.pcap; gzip -dc "$f" >"$tf"; fi
  # tshark flags SYN retransmissions as retransmissions; pktloss counts them as SYNs.
  t_re=$(tshark_count "$tf" "(tcp.analysis.retransmission || tcp.analysis.fast_retransmission) && tcp.flags.syn == 0")
  t_dup=$(tshark_count "$tf" "tcp.analysis.duplicate_ack")
  t_ka=$(tshark_count "$tf" "tcp.analysis.keep_alive")
  t_ooo=$(tshark_count "$tf" "tcp.analysis.out_of_order")
  # tshark has no loss verdict: a loss verdict without a single tshark retransmission in the
  # file is a false alarm (the issue's measure).
  t_loss=$([ "$t_re" -gt 0 ] && echo yes || echo no)
  cp=$(cpu "$bin" capture --read "$f" --json)
  ct=$(cpu tshark -r "$tf" -q -z expert)
  [[ $f == *.gz ]] && rm -f "$tf"
  printf "%-16s %7s | %7s / %-7s | %7s / %-7s | %4s / %-4s | %4s / %-4s | %5s / %-6s | %s / %s s\n" \
    "${name%%.*}" "$packets" "$p_re" "$t_re" "$p_dup" "$t_dup" "$p_ka" "$t_ka" "$p_ooo" "$t_ooo" \
    "$p_loss" "$t_loss" "$cp" "$ct"
  files=$((files + 1))
  if [ "$p_re" = "$t_re" ] && [ "$p_dup" = "$t_dup" ] && { [ "$p_loss" -eq 0 ] || [ "$t_loss" = yes ]; }; then
    agree=$((agree + 1))
  fi
  tot_p=$(awk -v a="$tot_p" -v b="$cp" 'BEGIN { print a + b }')
  tot_t=$(awk -v a="$tot_t" -v b="$ct" 'BEGIN { print a + b }')
done
echo "files with exact retransmission and duplicate-ACK agreement and no unsupported loss verdict: $agree/$files"
awk -v p="$tot_p" -v t="$tot_t" 'BEGIN { printf "CPU: pktloss %.2f s, tshark -z expert %.2f s: pktloss uses %.3f of tshark'"'"'s CPU\n", p, t, (t > 0 ? p / t : 0) }'
echo "* loss: pktloss flows with a loss verdict / whether tshark flags any retransmission in the file"
