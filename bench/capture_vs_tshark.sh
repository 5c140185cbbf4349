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
# No segmentation offload (one MSS per skb): the capture shows the segments as a real NIC's
# wire carries them, not 64 KB super-packets.
for n in "$c" "$s"; do ip -n "$n" link set dev eth0 gso_max_segs 1; done

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
# A bigger file for the CPU comparison: 8 parallel download loops.
record bulk "$c" "tcp" "for j in \$(seq 8); do (for i in \$(seq 10); do curl -s -o /dev/null -m 5 http://10.99.0.2/2m.bin; done) & done; wait"

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
  tail -1 "$t" | awk '{ printf "%.2f", $1 + $2 }'
  rm -f "$t"
}
# tshark's per-frame TCP analysis flags, classified against pktloss's definitions: which of its
# duplicate ACKs had no data outstanding (RFC 5681 condition a), which flags sit on frames
# captured twice (same IP ID and header within 2 ms, as pktloss judges IPv4).
tshark_eval() {
  tshark -r "$1" -Y tcp -T fields -E separator='|' -e tcp.stream -e ip.src -e ip.id \
    -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.flags -e tcp.analysis.retransmission \
    -e tcp.analysis.fast_retransmission -e tcp.analysis.out_of_order \
    -e tcp.analysis.duplicate_ack -e tcp.analysis.keep_alive -e frame.time_epoch 2>/dev/null |
    python3 -c '
import sys
snd = {}
recent = {}
ranges = {}
re = ooo = dup = ka = dup_noout = on_dups = ooo_seen = 0
for line in sys.stdin:
    f = line.rstrip("\n").split("|")
    if len(f) < 13 or not f[3]:
        continue
    stream, src, ipid, seq, ack, ln, flags = f[0], f[1], f[2], int(f[3]), int(f[4]), int(f[5]), int(f[6], 16)
    r, fr, o, d, k, ts = f[7], f[8], f[9], f[10], f[11], float(f[12])
    key = (ipid, seq, ack, ln, flags, stream, src)
    twice = ipid not in ("", "0x0000", "0") and key in recent and ts - recent[key] <= 2e-3
    recent[key] = ts
    syn = flags & 2
    flagged = (r or fr) and not syn
    if twice and (flagged or d):
        on_dups += 1
    elif flagged:
        re += 1
    rs = ranges.setdefault((stream, src), [])
    if o:
        ooo += 1
        # out-of-order on data the capture already held once: a resend, whatever the timing
        if any(not (seq + ln <= a or seq >= b) for a, b in rs):
            ooo_seen += 1
    if ln:
        rs.append((seq, seq + ln))
        if len(rs) > 4000:
            del rs[:2000]
    if k:
        ka += 1
    if d and not twice:
        dup += 1
        peer = [v for (st, s2), v in snd.items() if st == stream and s2 != src]
        if not peer or peer[0] == ack:
            dup_noout += 1
    end = (seq + ln + (1 if flags & 3 else 0)) & 0xffffffff
    cur = snd.get((stream, src))
    if cur is None or ((end - cur) & 0xffffffff) < 2**31:
        snd[(stream, src)] = end
print(re, ooo, dup, dup_noout, ka, on_dups, ooo_seen)'
}

printf "%-13s %7s | %-13s | %-11s | %-18s | %-19s | %-9s | %-5s | %-9s | %s\n" file packets \
  "re+ooo p/t" "retr p/t" "ooo p/t(seen)" "dupACK p/t(noout)" "k-a p/t" "dupfr" "loss p/t*" "cpu p/t s"
tot_p=0 tot_t=0 agree=0 files=0
for f in "$dir"/*.pcap "$dir"/*.pcap.gz; do
  name=$(basename "$f")
  json=$("$bin" capture --read "$f" --json 2>/dev/null || true)
  read -r packets p_re p_dup p_ka p_ooo p_loss p_dupfr < <(echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)["capture"]
s = lambda k: sum(fl.get(side, {}).get(k, 0) for fl in d["flows"] for side in ("client_to_server", "server_to_client"))
loss = sum(1 for fl in d["flows"] if fl["kind"] in ("loss", "size_dependent_loss"))
print(d["packets"]["frames"], s("retransmits"), s("dup_acks"), s("keepalives"), s("reordered"), loss, d["packets"]["duplicate_frames"])')
  tf=$f
  if [[ $f == *.gz ]]; then tf=$dir/tshark_input.pcap; gzip -dc "$f" >"$tf"; fi
  read -r t_re t_ooo t_dup t_noout t_ka t_ondup t_oooseen < <(tshark_eval "$tf")
  # tshark has no loss verdict: a loss verdict in a file where tshark flags no retransmission
  # at all is a false alarm (the issue's measure).
  t_loss=$([ "$((t_re + t_ondup))" -gt 0 ] && echo yes || echo no)
  cp=$(cpu "$bin" capture --read "$f" --json)
  ct=$(cpu tshark -r "$tf" -q -z expert)
  [[ $f == *.gz ]] && rm -f "$tf"
  printf "%-13s %7s | %5s / %-5s | %4s / %-4s | %4s / %-4s (%4s) | %4s / %-4s (%4s) | %3s / %-3s | %5s | %3s / %-3s | %s / %s\n" \
    "${name%%.*}" "$packets" "$((p_re + p_ooo))" "$((t_re + t_ooo))" "$p_re" "$t_re" "$p_ooo" \
    "$t_ooo" "$t_oooseen" "$p_dup" "$t_dup" "$t_noout" "$p_ka" "$t_ka" "$p_dupfr" "$p_loss" \
    "$t_loss" "$cp" "$ct"
  files=$((files + 1))
  if [ "$((p_re + p_ooo))" = "$((t_re + t_ooo))" ] && [ "$p_dup" = "$((t_dup - t_noout))" ] &&
    { [ "$p_loss" -eq 0 ] || [ "$t_loss" = yes ]; }; then
    agree=$((agree + 1))
  fi
  tot_p=$(awk -v a="$tot_p" -v b="$cp" 'BEGIN { print a + b }')
  tot_t=$(awk -v a="$tot_t" -v b="$ct" 'BEGIN { print a + b }')
done
echo "files where retransmissions+reordering agree exactly, duplicate ACKs agree once tshark's"
echo "  ACKs with nothing outstanding (noout) are set aside, and every loss verdict has tshark"
echo "  retransmissions behind it: $agree/$files"
awk -v p="$tot_p" -v t="$tot_t" 'BEGIN { printf "CPU: pktloss %.2f s, tshark -z expert %.2f s: pktloss uses %.3f of tshark'"'"'s CPU\n", p, t, (t > 0 ? p / t : 0) }'
echo "  retr/ooo: the split differs where tshark, knowing no sequence holes, calls a resend of"
echo "  data the capture already held out-of-order (seen), and where its first-RTT and 20 ms"
echo "  fast-retransmit windows differ from pktloss's hole fill within half an RTT."
echo "  dupfr: frames captured twice; tshark flags their second copies as retransmissions or"
echo "  duplicate ACKs (excluded from its columns here), pktloss counts them once."
echo "* loss: pktloss flows with a loss verdict / whether tshark flags any retransmission in the file"
