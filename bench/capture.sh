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
build/bench_capture generate "$file" "$mb"
cat "$file" >/dev/null  # every tool starts from the page cache
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

timed() {  # label command...: prints wall and CPU (user+sys) seconds
  local label=$1
  shift
  local t
  t=$( { /usr/bin/time -f "%e %U %S" "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1)
  read -r wall user sys <<<"$t"
  printf "%-34s wall %7.2f s   cpu %7.2f s\n" "$label" "$wall" "$(echo "$user + $sys" | bc)"
}
taskset -c 0 build/bench_capture analyse "$file"
timed "pktloss capture --read (1 core)" taskset -c 0 build/pktloss capture --read "$file" --json
timed "tcpdump -nn -r" taskset -c 0 tcpdump -nn -r "$file"
timed "tshark -q -z conv,tcp" taskset -c 0 tshark -r "$file" -q -z conv,tcp
