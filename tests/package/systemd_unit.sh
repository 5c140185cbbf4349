#!/usr/bin/env bash
# Checks a systemd unit for `pktloss serve` without a running systemd (PID 1 here is not systemd,
# so systemd-run is impossible):
#   1. systemd-analyze verify (unit syntax, ExecStart resolvable), on a copy pointing at BINARY;
#   2. systemd-analyze security --offline: the exposure score, printed;
#   3. runs ExecStart the way the unit would: the unit's user (nobody for DynamicUser=), only the
#      unit's AmbientCapabilities / CapabilityBoundingSet, no new privileges -- and asks the
#      exporter for /metrics. This proves the capabilities the unit grants are enough.
#   systemd_unit.sh UNIT BINARY
set -euo pipefail
unit=$1 bin=$2
work=$(mktemp -d /tmp/pktloss-unit.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

value() { sed -n "s/^[[:space:]]*$1=//p" "$unit" | tail -n 1; }
exec_start=$(value ExecStart)
[ -n "$exec_start" ] || { echo "systemd-unit: no ExecStart= in $unit" >&2; exit 1; }
exec_start=${exec_start#[-@:+!]}  # systemd's prefixes
read -r -a argv <<<"$exec_start"
argv[0]=$bin

# 1. Syntax, on a copy whose ExecStart is the binary under test.
sed "s|^ExecStart=[-@:+!]*[^ ]*|ExecStart=$bin|" "$unit" >"$work/pktloss.service"
if command -v systemd-analyze >/dev/null 2>&1; then
  systemd-analyze verify --man=no "$work/pktloss.service"
  systemd-analyze security --offline=yes "$work/pktloss.service" 2>/dev/null | tail -n 1 || true
else
  echo "systemd-unit: systemd-analyze missing; unit syntax not verified" >&2
fi

# 3. Run it as the unit would, on a free loopback port (the unit's own --listen is replaced).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
args=()
skip=0
for a in "${argv[@]}"; do
  if [ $skip -eq 1 ]; then skip=0; continue; fi
  case $a in
    --listen) skip=1 ;;
    --listen=*) ;;
    *) args+=("$a") ;;
  esac
done
args+=(--listen "127.0.0.1:$port")

caps() {  # AmbientCapabilities=CAP_NET_ADMIN CAP_BPF -> +net_admin,+bpf
  local c out=
  for c in $(value "$1"); do
    c=${c#\~}
    c=$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')
    out+=${out:+,}+$c
  done
  echo "$out"
}
ambient=$(caps AmbientCapabilities)
bounding=$(caps CapabilityBoundingSet)
user=$(value User)
[ "$(value DynamicUser)" = yes ] && user=${user:-nobody}
setpriv_args=(--no-new-privs)
if [ -n "$user" ]; then
  setpriv_args+=(--reuid="$(id -u "$user" 2>/dev/null || id -u nobody)" --regid=65534 --clear-groups)
  [ -n "$ambient" ] && setpriv_args+=(--inh-caps="$ambient" --ambient-caps="$ambient")
fi
[ -n "$bounding" ] && setpriv_args+=(--bounding-set="-all,$bounding")
# The unpacked package is not at /: serve finds its HTTP plugin where the package put it.
plugin=$(find "$(dirname "$bin")/.." -name pktloss-http.so -print -quit 2>/dev/null || true)
[ -n "$plugin" ] && export PKTLOSS_PLUGIN_DIR="${plugin%/*}"
echo "systemd-unit: setpriv ${setpriv_args[*]} ${args[*]}"
setpriv "${setpriv_args[@]}" "${args[@]}" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
  if curl -fsS -m 2 "http://127.0.0.1:$port/metrics" >"$work/metrics" 2>/dev/null; then
    lines=$(grep -c '^pktloss_' "$work/metrics" || true)
    echo "systemd-unit: exporter answered with $lines pktloss_ samples"
    [ "$lines" -gt 0 ]
    exit
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
echo "systemd-unit: the exporter did not answer on 127.0.0.1:$port" >&2
tail -n 20 "$work/serve.log" >&2
exit 1
