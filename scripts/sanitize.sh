#!/usr/bin/env bash
# CI stage: the unit tests and a representative subset of the integration tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer (g++, ./build-asan, ccache) and run with leak
# detection on. Any sanitizer report fails the stage: reports go to files under
# build-asan/reports (ASan/UBSan log_path), so one from a pktloss child process the test harness
# started, or from a forked helper, is caught too, not only those of the test binary itself.
# SANITIZE_SKIP_BUILD=1 reuses the build; extra arguments replace the integration filter.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
build=${PKTLOSS_ASAN_BUILD_DIR:-build-asan}
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR=$PWD
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# -O0 -g1: line numbers in reports at a fraction of the full debug info's build time, and -O0
# because the stage must fit 8 minutes on a cold cache (ruleset.cpp: 11.5 s of CPU at -O0, 15.8 s
# at -O1 with ASan; the tests wait on their windows, they do not need the speed). GCC's
# -Wmaybe-uninitialized is unreliable under -fsanitize=address (false positives inside
# libstdc++'s <regex>), so that one warning is off here; every other stays an error.
warn="-Wno-maybe-uninitialized"
if [ "${SANITIZE_SKIP_BUILD:-0}" != 1 ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_FLAGS_SANITIZE="-O0 -g1 $san $warn" \
    -DCMAKE_C_FLAGS_SANITIZE="-O0 -g1 $san" -DCMAKE_EXE_LINKER_FLAGS="$san" \
    -DPKTLOSS_WERROR=ON "${launcher[@]}" >/dev/null
  cmake --build "$build" -j 2 --target pktloss pktloss_unit_tests pktloss_integration_tests
fi
built=$((SECONDS - start))

reports=$build/reports
rm -rf "$reports"
mkdir -p "$reports"
# Absolute paths: the integration tests run pktloss from other working directories.
reports=$(cd "$reports" && pwd)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"

# The parts that own threads, sockets, BPF and raw packets: serve and watch, trace, capture,
# probe, and the classic diagnose case (several concurrent causes, each fixed in turn).
filter=${1:-"Serve.RealPrometheusSeesDropRuleCounterAndFindingComeAndGo:Watch.PlainLinesWhenNotATerminalAndCleanExitOnCtrlC:Trace.DropRuleIsNetfilterDropInNftDoChainCountedExactly:Capture.HealthyPairIsOkAndExitsZero:Probe.RandomDropOnServerInputShowsSynLoss:Diagnose.FindsEveryConcurrentCauseAndEachDisappearsWhenFixed"}
status=0
"$build/pktloss_unit_tests" --gtest_brief=1 || status=1
unit=$((SECONDS - start - built))
"$build/pktloss_integration_tests" --gtest_brief=1 --gtest_filter="$filter" || status=1
integ=$((SECONDS - start - built - unit))

if [ -n "$(ls -A "$reports")" ]; then
  echo "sanitize: sanitizer reports (each file is one process):" >&2
  for f in "$reports"/*; do
    echo "== $f" >&2
    head -60 "$f" >&2
  done
  status=1
fi
echo "sanitize: build ${built}s, unit tests ${unit}s, integration subset ${integ}s," \
  "total $((SECONDS - start))s; $(ls "$reports" | wc -l) sanitizer reports"
exit $status
