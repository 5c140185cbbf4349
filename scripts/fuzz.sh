#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/CMakeLists.txt: clang++, ASan+UBSan, ./build-fuzz, ccache)
# and runs them all within FUZZ_BUDGET seconds (default 240, build included): what the build
# leaves is split evenly between the targets, two running at a time (the machine's two cores).
# Each target starts from its checked-in seeds (fuzz/corpus/TARGET, read-only) plus what earlier
# runs found (build-fuzz/corpus/TARGET), with its dictionary (fuzz/dict/TARGET.dict) if any.
# Exits 0 with a note when clang++ is missing; non-zero when a fuzzer finds a crash: fix the
# parser, then keep the input as fuzz/regressions/TARGET/NAME (the fuzz.regressions test feeds
# it through the same entry point in the normal build). FUZZ_TARGETS="a b" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
budget=${FUZZ_BUDGET:-240}
CXX=$(command -v clang++ || command -v clang++-14 || true)
CC=$(command -v clang || command -v clang-14 || true)
if [ -z "$CXX" ] || [ -z "$CC" ]; then
  echo "fuzz: clang++ not installed; skipping the fuzzers (apt-get install clang)" >&2
  exit 0
fi
out=${FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
generator=()
command -v ninja >/dev/null 2>&1 && [ ! -f "$out/Makefile" ] && generator=(-G Ninja)
cmake -S fuzz -B "$out" "${generator[@]}" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_BUILD_TYPE=None "${launcher[@]}" >/dev/null
cmake --build "$out" -j 2 >"$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2
  echo "fuzz: build failed" >&2
  exit 1
}
built=$((SECONDS - start))
echo "fuzz: built in ${built}s"

mkdir -p "$out/crashes" "$out/seeds-parser" "$out/seeds-pcap"
# Seeds for the packet targets come from the project's own packet builder.
"$out/make_seeds" "$out/seeds-parser" "$out/seeds-pcap" >/dev/null
seeds() {  # target -> its seed directories
  local t=$1
  [ -d "fuzz/corpus/$t" ] && echo "fuzz/corpus/$t"
  case $t in
    fuzz_packet_parser) echo "$out/seeds-parser" ;;
    fuzz_pcap_file) echo "$out/seeds-pcap" ;;
  esac
}

read -r -a targets <<<"${FUZZ_TARGETS:-$(sed -n '/PKTLOSS_FUZZ_TARGETS/,/)/p' fuzz/fuzz_sources.cmake |
  tr -d ')' | tr ' ' '\n' | grep '^fuzz_' | tr '\n' ' ')}"
# Reserve: libFuzzer's -max_total_time leaves out its start-up (corpus loading, 2 s or so per
# target) and the pairs finish unevenly.
left=$((budget - (SECONDS - start) - 5 - 2 * ${#targets[@]}))
# Two at a time (one when there is only one): each gets slots * left / count seconds.
slots=$((${#targets[@]} < 2 ? ${#targets[@]} : 2))
per=$((slots * left / ${#targets[@]}))
if [ "$per" -lt 3 ]; then
  echo "fuzz: build used the time budget (${budget}s); fuzzers built but not run" >&2
  exit 0
fi
run() {
  local t=$1 dict=()
  mkdir -p "$out/corpus/$t"
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  # shellcheck disable=SC2046
  if "$out/$t" -max_total_time="$per" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$out/crashes/$t-" "$out/corpus/$t" $(seeds "$t") \
    >"$out/$t.log" 2>&1; then
    local execs cov
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$out/$t.log" | grep -oE '[0-9]+$')
    cov=$(grep -E '^#[0-9]+' "$out/$t.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+')
    echo "fuzz: $t ran ${per}s: ${execs:-?} inputs, ${cov:-cov ?}, no crash"
  else
    echo "fuzz: $t found a problem; reproducer in $out/crashes/$t-*, log $out/$t.log:" >&2
    grep -A30 -E '^==[0-9]+==ERROR|runtime error|deadly signal' "$out/$t.log" | head -40 >&2
    return 1
  fi
}
status=0
pids=()
for t in "${targets[@]}"; do
  run "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
echo "fuzz: done in $((SECONDS - start)) s (build ${built}s, budget ${budget}s)"
exit $status
