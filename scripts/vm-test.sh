#!/usr/bin/env bash
# CI stage: the VM lab (tests/vm/run.sh) on Debian's own kernels, for what the CI machine's
# kernel cannot show (netem, tc actions and policers, the drop monitor; the tracer on 6.1's BTF).
# Debian 12's 6.1 always; the newest bookworm kernel (6.12) too when the time 6.1 took says it
# fits in the budget (PKTLOSS_VM_BUDGET, default 420 s, fetch and boot included), or always with
# PKTLOSS_VM_KERNELS="6.1 6.12". Prints what ran and how long it took. Without apt or with a
# failed download it fails: the stage never pretends to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${PKTLOSS_VM_BUDGET:-420}
start=$(date +%s)
elapsed() { echo $(($(date +%s) - start)); }

command -v apt-get >/dev/null || { echo "vm-test: FAIL: no apt-get, cannot fetch Debian kernels" >&2; exit 1; }
scripts/install-deps.sh
[ -x build/pktloss_integration_tests ] && [ -x build/pktloss_unit_tests ] || scripts/build.sh

# The VM set: the tests that skip on a kernel without the feature, the tracer's, the unit tests.
tests=('integration:Vm*:Trace.*' 'unit:*')
summary=()
rc=0
run_kernel() {  # run_kernel SERIES TIMEOUT
  local t0=$(date +%s) r=0
  tests/vm/run.sh --timeout "$2" "$1" "${tests[@]}" || r=$?
  local took=$(($(date +%s) - t0))
  summary+=("kernel $1: exit $r in ${took}s")
  [ $r -eq 0 ] || rc=$r
  last_took=$took
}

# Fetch both first when asked for both (a cold cache: ~1 minute), so the 6.1 run's time is a
# fair estimate of the 6.12 run's.
kernels=${PKTLOSS_VM_KERNELS:-auto}
run_kernel 6.1 $((budget - $(elapsed)))
if [ "$kernels" = auto ]; then
  if [ $(($(elapsed) + last_took + 30)) -le "$budget" ]; then
    run_kernel 6.12 $((budget - $(elapsed)))
  else
    summary+=("kernel 6.12: not run (6.1 took ${last_took}s; ${budget}s budget; PKTLOSS_VM_KERNELS='6.1 6.12' runs it)")
  fi
else
  for k in $kernels; do [ "$k" = 6.1 ] || run_kernel "$k" $((budget - $(elapsed) > 60 ? budget - $(elapsed) : 60)); done
fi
for s in "${summary[@]}"; do echo "vm-test: $s"; done
echo "vm-test: stage took $(elapsed)s (budget ${budget}s), exit $rc"
exit $rc
