#!/usr/bin/env bash
# Boots a Debian kernel under qemu with this host's root file system, runs tests inside as root,
# streams their output (serial console) and exits with their exit status.
#
#   tests/vm/run.sh [--timeout S] [--accel auto|kvm|tcg] [--nics MODEL[,MODEL...]] SERIES [TEST...]
#     SERIES   6.1, 6.12 or an exact version (tests/vm/kernel.sh fetches it once, cached)
#     --nics   (or PKTLOSS_VM_NICS) per qemu NIC model (e1000e, virtio-net-pci, vmxnet3, e1000,
#              see qemu-system-x86_64 -device help), two such NICs wired only to each other (a
#              qemu hub of their own, no host network): the guest sees them as ethN, their real
#              driver loaded, all in its root namespace for a test to move into namespaces
#     TEST     integration:FILTER  build/pktloss_integration_tests --gtest_filter=FILTER
#              unit:FILTER         build/pktloss_unit_tests --gtest_filter=FILTER
#              sh:COMMAND          any shell command (run from the repository)
#              default: integration:Vm*
#
# The guest: 2 vCPUs, 2 GiB, no network device unless --nics (tests make their own namespaces);
# the host's / shared read-only over virtio-9p under a tmpfs overlay, so the build in this
# checkout and every installed tool are there; the kernel's own modules bound over
# /lib/modules/<ver>, so netem, veth, nf_tables, act_*, drop_monitor autoload (Debian builds no
# netdevsim: --nics gives real drivers instead).
# KVM when it runs a stock kernel here (probed once per host and kernel, cached), TCG otherwise;
# the choice is printed. A hard timeout (default 600 s) bounds the whole run. A guest kernel panic
# or oops is named in the error (a warning when the tests still finished).
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PKTLOSS_VM_CACHE:-/var/cache/pktloss-vm}
timeout_s=600
accel=${PKTLOSS_VM_ACCEL:-auto}
nics=${PKTLOSS_VM_NICS:-}
while [ $# -gt 0 ]; do
  case $1 in
    --timeout) timeout_s=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --nics) nics=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
series=${1:?usage: tests/vm/run.sh [--timeout S] [--accel auto|kvm|tcg] [--nics MODEL,...] SERIES [TEST...]}
shift
[ $# -gt 0 ] || set -- 'integration:Vm*'

die() { echo "vm: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (9p passthrough of /, tests run as root)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (scripts/install-deps.sh)"
command -v busybox >/dev/null || die "busybox missing (scripts/install-deps.sh: busybox-static)"
# The initramfs has no libc: a dynamic busybox (Debian's "busybox" package) cannot run there.
ldd "$(command -v busybox)" >/dev/null 2>&1 && die "busybox is dynamically linked: apt-get install busybox-static"

# The NIC pairs: model i's two NICs are the only ports of qemu hub i, so a frame one sends reaches
# the other and nothing else (hubport netdevs have no backend to the host; qemu says so once per
# hub, "hub N is not connected to host network": that is the point). MACs say the pair, and the
# NIC tests touch only NICs with these MACs (52:54:00:9e:HUB:END).
nic_args=()
nic_cmdline=
if [ -n "$nics" ]; then
  models=$(qemu-system-x86_64 -device help 2>/dev/null)
  hub=0
  IFS=, read -r -a nic_models <<<"$nics"
  for m in "${nic_models[@]}"; do
    grep -q "^name \"$m\", bus PCI" <<<"$models" || die "qemu has no PCI NIC model '$m' (qemu-system-x86_64 -device help)"
    for end in 0 1; do
      nic_args+=(-netdev "hubport,id=nic${hub}p$end,hubid=$hub"
        -device "$m,netdev=nic${hub}p$end,mac=52:54:00:9e:$(printf %02x "$hub"):0$end")
    done
    hub=$((hub + 1))
  done
  nic_cmdline=" pktloss.nics=$nics"
fi

kdir=$("$here/kernel.sh" "$series") || die "no kernel $series"
kver=$(ls "$kdir/root/lib/modules")

# The initramfs: static busybox, stage 1, and the modules needed to reach the 9p root, in
# dependency order as modprobe resolves them; rebuilt when stage 1 changes.
initrd=$kdir/initramfs.cpio.gz
stamp=$(sha1sum "$here/initramfs-init" "$(command -v busybox)" | sha1sum | cut -c1-12)
if [ ! -e "$initrd" ] || [ "$(cat "$kdir/initramfs.stamp" 2>/dev/null)" != "$stamp" ]; then
  work=$(mktemp -d)
  mkdir -p "$work"/{bin,mods,proc,sys,dev}
  cp "$(command -v busybox)" "$work/bin/busybox"
  cp "$here/initramfs-init" "$work/init"
  : >"$work/modules.list"
  for m in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -d "$kdir/root" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
  done | awk '!seen[$0]++' | while read -r ko; do
    base=$(basename "$ko")
    case $base in
      *.ko.xz) xz -dc "$ko" >"$work/mods/${base%.xz}"; base=${base%.xz} ;;
      *.ko.zst) zstd -dcq "$ko" >"$work/mods/${base%.zst}"; base=${base%.zst} ;;
      *) cp "$ko" "$work/mods/$base" ;;
    esac
    echo "$base" >>"$work/modules.list"
  done
  (cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
  echo "$stamp" >"$kdir/initramfs.stamp"
  rm -rf "$work"
fi

# One results directory per run, shared read-write: the job in, the log and status out.
mkdir -p "$cache/runs"
run=$(mktemp -d "$cache/runs/run.XXXXXX")
trap 'rm -rf "$run"' EXIT

boot() {  # boot ACCEL TIMEOUT [QEMU ARGS...]: runs $run/job.sh in the guest; qemu's status
  local a=$1 t=$2 accel_args
  shift 2
  if [ "$a" = kvm ]; then accel_args=(-accel kvm -cpu host); else
    accel_args=(-accel tcg,thread=multi -cpu max); fi
  rm -f "$run/status" "$run/log"
  timeout -k 5 "$t" qemu-system-x86_64 -machine q35 "${accel_args[@]}" -smp 2 -m 2048 \
    -nodefaults -no-user-config -display none -serial stdio -no-reboot \
    -kernel "$kdir/vmlinux" -initrd "$initrd" \
    -append "console=ttyS0 quiet loglevel=4 panic=-1 no_timer_check mitigations=off random.trust_cpu=on pktloss.init=$here/guest-init pktloss.kdir=$kdir pktloss.kver=$kver pktloss.accel=$a$nic_cmdline" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$run,mount_tag=results,security_model=none" \
    -device virtio-rng-pci "$@" </dev/null
}

if [ "$accel" = auto ]; then
  accel=tcg
  if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    verdict=$cache/kvm-probe-$(uname -r)-$kver
    if [ ! -e "$verdict" ]; then
      # A nested, paravirtual /dev/kvm can kill a stock kernel (emulation failure on cmpxchg16b
      # or xrstor); one short boot decides, and its verdict is kept.
      echo 'echo kvm-probe-ok' >"$run/job.sh"
      boot kvm 15 -pidfile "$run/probe.pid" >"$run/probe.out" 2>&1 &
      probe=$!
      # A good boot writes its status within seconds; a failing one says so on qemu's stderr
      # and then sits paused, so stop it right away instead of waiting for the timeout.
      for _ in $(seq 120); do
        sleep 0.25
        [ -e "$run/status" ] && break
        grep -qE 'KVM internal error|emulation failure' "$run/probe.out" && break
        kill -0 "$probe" 2>/dev/null || break
      done
      [ -e "$run/status" ] || { [ -s "$run/probe.pid" ] && kill "$(cat "$run/probe.pid")" 2>/dev/null; }
      wait "$probe" 2>/dev/null || true
      if [ "$(cat "$run/status" 2>/dev/null)" = 0 ]; then
        echo kvm >"$verdict"
      else
        { echo tcg; grep -m1 -E 'KVM internal error|emulation failure|error' "$run/probe.out" ||
          echo "no status within 15 s"; } >"$verdict"
      fi
    fi
    accel=$(head -n 1 "$verdict")
    [ "$accel" = kvm ] || echo "vm: /dev/kvm cannot run this kernel ($(sed -n 2p "$verdict")): TCG"
  fi
fi

# The job: each test, timed, its status line carrying kernel and accelerator.
{
  echo "cd $(printf %q "$repo")"
  echo 'rc=0'
  for t in "$@"; do
    case $t in
      integration:*) cmd="build/pktloss_integration_tests --gtest_filter=$(printf %q "${t#*:}")" ;;
      unit:*) cmd="build/pktloss_unit_tests --gtest_filter=$(printf %q "${t#*:}")" ;;
      sh:*) cmd=${t#*:} ;;
      *) die "unknown test '$t' (integration:FILTER, unit:FILTER or sh:COMMAND)" ;;
    esac
    echo "t0=\$(date +%s.%N); ( $cmd ); r=\$?; [ \$r -eq 0 ] || rc=\$r"
    echo "echo \"vm-result kernel=$kver accel=$accel test=$(printf %q "$t") rc=\$r time=\$(echo \"\$(date +%s.%N) - \$t0\" | bc | xargs printf %.1f)s\""
  done
  echo 'exit $rc'
} >"$run/job.sh"

echo "vm: kernel $kver ($(cat "$kdir/.ready")), accel $accel, timeout ${timeout_s}s${nics:+, NIC pairs $nics}"
start=$(date +%s.%N)
set +e
boot "$accel" "$timeout_s" "${nic_args[@]}" | tee "$run/console"
qrc=${PIPESTATUS[0]}
set -e
elapsed=$(printf %.1f "$(echo "$(date +%s.%N) - $start" | bc)")
# What the guest kernel said when it broke (panic=-1 powers off at once, so a panic ends the
# run without a status): the first such console line, for the error or a warning.
kernel_fault=$(grep -a -m1 -E 'Kernel panic|Oops:|BUG: |general protection fault|invalid opcode:' \
  "$run/console" | tr -d '\r' || true)
if [ ! -e "$run/status" ]; then
  [ -n "$kernel_fault" ] && die "kernel $kver: the guest kernel failed after ${elapsed}s: $kernel_fault"
  [ $qrc -eq 124 ] && die "kernel $kver: timed out after ${timeout_s}s (no status)"
  die "kernel $kver: guest ended without a status (qemu exit $qrc) after ${elapsed}s"
fi
# A fault the tests survived is reported, not hidden; their status still decides.
[ -n "$kernel_fault" ] && echo "vm: warning: the guest kernel logged a fault during the run: $kernel_fault"
status=$(cat "$run/status")
echo "vm: kernel $kver accel $accel: exit $status in ${elapsed}s (boot and power-off included)"
exit "$status"
