#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ and runs them for a bounded time: the whole script
# stays within FUZZ_BUDGET seconds (default 120, build included; the build is incremental).
# Exits 0 with a note when clang++ is missing; non-zero when a fuzzer finds a crash.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
budget=${FUZZ_BUDGET:-120}
CXX=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$CXX" ]; then
  echo "fuzz: clang++ not installed; skipping the fuzzers (apt-get install clang)" >&2
  exit 0
fi
out=build-fuzz
mkdir -p "$out/obj" "$out/corpus-parser" "$out/corpus-pcap" "$out/corpus-rtnl" "$out/crashes"
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer "${san[@]}" -Isrc)

# Object files, rebuilt only when their source (or a header of its module) changed.
compile() {  # src obj extra-flags...
  local src=$1 obj=$2
  shift 2
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
     [ -n "$(find src/capture src/collect src/model -name '*.h' -newer "$obj" | head -1)" ]; then
    "$CXX" "${flags[@]}" "$@" -c "$src" -o "$obj"
  fi
}
obj() { echo "$out/obj/$(echo "$1" | tr / _ | sed 's/\.cpp$/.o/')"; }
# The parsers under test, and every target with the sources and libraries it links.
sources=(src/capture/packet_parser.cpp src/capture/flow_analyser.cpp src/capture/capture_reader.cpp
  src/capture/packet_builder.cpp src/capture/pcap_io.cpp src/collect/link_parse.cpp
  src/collect/qdisc_parse.cpp src/collect/route_parse.cpp)
for s in "${sources[@]}"; do
  compile "$s" "$(obj "$s")" -fsanitize=fuzzer-no-link &
  # Two compilers at a time at most: the machine is shared.
  [ $(jobs -rp | wc -l) -ge 2 ] && wait -n
done
wait
for t in fuzz_packet_parser fuzz_pcap_file fuzz_rtnl_parse; do
  compile "fuzz/$t.cpp" "$out/obj/$t.o" -fsanitize=fuzzer &
  [ $(jobs -rp | wc -l) -ge 2 ] && wait -n
done
compile fuzz/make_seeds.cpp "$out/obj/make_seeds.o"
wait
link() {  # output libs -- objects...
  local exe=$1 libs=$2 o stale=0
  shift 2
  [ -f "$exe" ] || stale=1
  for o in "$@"; do [ "$o" -nt "$exe" ] && stale=1; done
  # shellcheck disable=SC2086
  [ $stale -eq 0 ] || "$CXX" "${san[@]}" "${link_flags[@]}" "$@" $libs -o "$exe"
}
link_flags=(-fsanitize=fuzzer)
link "$out/fuzz_packet_parser" "-lfmt" "$out/obj/fuzz_packet_parser.o" \
  "$(obj src/capture/packet_parser.cpp)" "$(obj src/capture/flow_analyser.cpp)" &
link "$out/fuzz_pcap_file" "-lfmt -lz -lzstd" "$out/obj/fuzz_pcap_file.o" \
  "$(obj src/capture/packet_parser.cpp)" "$(obj src/capture/flow_analyser.cpp)" \
  "$(obj src/capture/capture_reader.cpp)" &
wait
link "$out/fuzz_rtnl_parse" "-lmnl" "$out/obj/fuzz_rtnl_parse.o" \
  "$(obj src/collect/link_parse.cpp)" "$(obj src/collect/qdisc_parse.cpp)" \
  "$(obj src/collect/route_parse.cpp)" &
link_flags=(-fsanitize=fuzzer-no-link)
link "$out/make_seeds" "-lfmt -lpcap -lz -lzstd" "$out/obj/make_seeds.o" \
  "$(obj src/capture/packet_parser.cpp)" "$(obj src/capture/flow_analyser.cpp)" \
  "$(obj src/capture/packet_builder.cpp)" "$(obj src/capture/pcap_io.cpp)" \
  "$(obj src/capture/capture_reader.cpp)" &
wait
# Seeds: real frames and small capture files from the project's own packet builder; rtnetlink
# starts from nothing (the first byte picks the message type) and finds its way in quickly.
"$out/make_seeds" "$out/corpus-parser" "$out/corpus-pcap"
mkdir -p "$out/corpus-rtnl"

targets=(fuzz_packet_parser fuzz_pcap_file fuzz_rtnl_parse)
left=$((budget - (SECONDS - start) - 6))
per=$((left / ${#targets[@]}))
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
run fuzz_rtnl_parse "$out/corpus-rtnl" || status=1
echo "fuzz: done in $((SECONDS - start)) s"
exit $status
