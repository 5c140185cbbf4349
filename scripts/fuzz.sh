#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ and runs them for a bounded time: the whole script
# stays within FUZZ_BUDGET seconds (default 60, build included; the build is incremental).
# Exits 0 with a note when clang++ is missing; non-zero when a fuzzer finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
budget=${FUZZ_BUDGET:-60}
CXX=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$CXX" ]; then
  echo "fuzz: clang++ not installed; skipping the fuzzers (apt-get install clang)" >&2
  exit 0
fi
out=build-fuzz
mkdir -p "$out/obj" "$out/corpus-parser" "$out/corpus-pcap" "$out/crashes"
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer "${san[@]}" -Isrc)

# Object files, rebuilt only when their source (or a header of the module) changed.
compile() {  # src obj extra-flags...
  local src=$1 obj=$2
  shift 2
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
     [ -n "$(find src/capture -name '*.h' -newer "$obj" | head -1)" ]; then
    "$CXX" "${flags[@]}" "$@" -c "$src" -o "$obj"
  fi
}
objs=()
for s in packet_parser flow_analyser packet_builder pcap_io; do
  compile "src/capture/$s.cpp" "$out/obj/$s.o" -fsanitize=fuzzer-no-link &
  objs+=("$out/obj/$s.o")
  # Two compilers at a time at most: the machine is shared.
  [ $(jobs -rp | wc -l) -ge 2 ] && wait -n
done
wait
compile fuzz/fuzz_packet_parser.cpp "$out/obj/fuzz_packet_parser.o" -fsanitize=fuzzer &
compile fuzz/fuzz_pcap_file.cpp "$out/obj/fuzz_pcap_file.o" -fsanitize=fuzzer &
wait
compile fuzz/make_seeds.cpp "$out/obj/make_seeds.o"
link_libs=(-lfmt -lpcap)
link() {  # output objects...
  local exe=$1 o stale=0
  shift
  [ -f "$exe" ] || stale=1
  for o in "$@"; do [ "$o" -nt "$exe" ] && stale=1; done
  [ $stale -eq 0 ] || "$CXX" "${san[@]}" "${link_flags[@]}" "$@" "${link_libs[@]}" -o "$exe"
}
link_flags=(-fsanitize=fuzzer)
link "$out/fuzz_packet_parser" "$out/obj/fuzz_packet_parser.o" "$out/obj/packet_parser.o" \
  "$out/obj/flow_analyser.o" &
link "$out/fuzz_pcap_file" "$out/obj/fuzz_pcap_file.o" "$out/obj/packet_parser.o" \
  "$out/obj/flow_analyser.o" &
wait
link_flags=(-fsanitize=fuzzer-no-link)
link "$out/make_seeds" "$out/obj/make_seeds.o" "${objs[@]}"
# Seeds: real frames and small capture files from the project's own packet builder.
"$out/make_seeds" "$out/corpus-parser" "$out/corpus-pcap"

left=$((budget - (SECONDS - start) - 6))
per=$((left / 2))
if [ "$per" -lt 3 ]; then
  echo "fuzz: build used the time budget (${budget}s); fuzzers built but not run" >&2
  exit 0
fi
run() {
  local target=$1 corpus=$2
  "$out/$target" -max_total_time="$per" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$target-" "$corpus" 2>"$out/$target.log" || {
    echo "fuzz: $target found a problem; see $out/$target.log and $out/crashes/" >&2
    tail -40 "$out/$target.log" >&2
    return 1
  }
  echo "fuzz: $target ran ${per}s: $(grep -oE 'number_of_executed_units: *[0-9]+' \
    "$out/$target.log" | grep -oE '[0-9]+') inputs, no crash"
}
status=0
run fuzz_packet_parser "$out/corpus-parser" || status=1
run fuzz_pcap_file "$out/corpus-pcap" || status=1
echo "fuzz: done in $((SECONDS - start)) s"
exit $status
