#!/usr/bin/env bash
# Capture analysis speed against the classic tools, on the same generated ~1 GB capture in the
# same run: pktloss's analyser (one thread), `pktloss capture --read`, tcpdump and tshark.
# The file goes to /tmp and is deleted afterwards. BENCH_MB changes the size (default 1024).
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${BENCH_MB:-1024}
file=/tmp/pktloss_bench_capture_$$.pcap
trap 'rm -f "$file"' EXIT
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target bench_capture pktloss >/dev/null
gen=$(build/bench_capture generate "$file" "$mb")
echo "$gen"
packets=$(echo "$gen" | grep -oE '[0-9]+ packets' | grep -oE '[0-9]+')
cat "$file" >/dev/null  # every tool starts from the page cache
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

timed() {  # label command...: prints wall and CPU (user+sys) seconds
  local label=$1 tfile=/tmp/pktloss_bench_time_$$
  shift
  /usr/bin/time -o "$tfile" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
  read -r wall user sys < <(tail -1 "$tfile")
  rm -f "$tfile"
  awk -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v n="$packets" \
    'BEGIN { printf "%-34s wall %7.2f s  cpu %7.2f s  %5.2f Mpps per cpu-second\n", l, w, u+s, n/(u+s)/1e6 }'
}
build/bench_capture analyse "$file"
timed "pktloss capture --read --json" build/pktloss capture --read "$file" --json
timed "tcpdump -nn -r" tcpdump -nn -r "$file"
timed "tshark -q -z conv,tcp" tshark -r "$file" -q -z conv,tcp
timed "tshark -q -z expert" tshark -r "$file" -q -z expert
