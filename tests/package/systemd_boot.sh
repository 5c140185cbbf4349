#!/usr/bin/env bash
# Starts the packaged unit under a real systemd: boots ROOT (a Debian 12 root with the package
# installed) as a container with systemd as PID 1 (systemd-nspawn -b, its own network
# namespace), installs the unit from the package's examples with ExecStart=/usr/sbin/pktloss,
# `systemctl start`s it, then checks that
#   - systemd reports it active (not restarting),
#   - the exporter answers GET /metrics inside the container's namespace,
#   - the service runs as a transient (DynamicUser) uid with exactly the unit's capabilities,
#   - `systemctl stop` ends it cleanly.
# Complements systemd_unit.sh (verify + setpriv on the host, where PID 1 is not systemd).
#   systemd_boot.sh ROOT
set -euo pipefail
root=$1
started=$SECONDS
machine=pktloss-unit-$$
nspawn_pid=
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$nspawn_pid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
}
trap cleanup EXIT
say() { echo "systemd-boot: $*"; }
command -v systemd-nspawn >/dev/null || { say "systemd-nspawn missing (systemd-container)" >&2; exit 1; }

# systemd itself, in the root (a minbase root has none); ~20 s from the mirror.
if [ ! -x "$root/lib/systemd/systemd" ]; then
  mount --bind /proc "$root/proc"
  rc=0
  timeout 240 chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get install -y -qq --no-install-recommends systemd systemd-sysv dbus' \
    >"$root/tmp/systemd-apt.log" 2>&1 || rc=$?
  umount "$root/proc"
  [ $rc -eq 0 ] || { tail -n 20 "$root/tmp/systemd-apt.log" >&2; say "apt-get install systemd failed" >&2; exit 1; }
fi
example=$root/usr/share/doc/pktloss/examples/systemd/pktloss.service
[ -f "$example" ] || { say "the package ships no examples/systemd/pktloss.service" >&2; exit 1; }
sed 's|^ExecStart=[-@:+!]*[^ ]*|ExecStart=/usr/sbin/pktloss|' "$example" \
  >"$root/etc/systemd/system/pktloss.service"

# The capabilities the unit grants must exist in the container for systemd to pass them on.
caps=$(sed -n 's/^AmbientCapabilities=//p' "$example" | tail -n 1 | tr ' ' ',')
systemd-nspawn -q --register=no --keep-unit --private-network -M "$machine" \
  ${caps:+--capability="$caps"} -D "$root" -b --console=pipe >"$root/tmp/boot.log" 2>&1 &
nspawn_pid=$!
# The container's PID 1 is nspawn's child.
init=
for _ in $(seq 1 100); do
  init=$(pgrep -P "$nspawn_pid" | head -n 1 || true)
  [ -n "$init" ] && break
  sleep 0.1
done
[ -n "$init" ] || { cat "$root/tmp/boot.log" >&2; say "container did not start" >&2; exit 1; }
inside() { nsenter -t "$init" -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
state=
for _ in $(seq 1 150); do
  state=$(inside systemctl is-system-running 2>/dev/null || true)
  case $state in running | degraded) break ;; esac
  sleep 0.2
done
say "container booted ($state) in $((SECONDS - started)) s; systemd $(inside systemctl --version | head -n 1 | awk '{ print $2 }') is PID 1"
[ "$(inside cat /proc/1/comm)" = systemd ] || { say "PID 1 in the container is not systemd" >&2; exit 1; }

inside systemctl start pktloss.service || { inside systemctl status --no-pager pktloss.service >&2 || true; exit 1; }
port=$(sed -n 's/^ExecStart=.*--listen [^ ]*:\([0-9]*\).*/\1/p' "$example")
port=${port:-9469}
ok=0
for _ in $(seq 1 100); do
  if nsenter -t "$init" -n curl -fsS -m 2 "http://127.0.0.1:$port/metrics" >"$root/tmp/metrics" 2>/dev/null; then
    ok=1
    break
  fi
  sleep 0.2
done
if [ $ok -ne 1 ]; then
  inside systemctl status --no-pager pktloss.service >&2 || true
  inside journalctl --no-pager -u pktloss.service -n 30 >&2 || true
  say "the exporter did not answer on 127.0.0.1:$port" >&2
  exit 1
fi
say "exporter answered with $(grep -c '^pktloss_' "$root/tmp/metrics") pktloss_ samples"
active=$(inside systemctl show -p ActiveState --value pktloss.service)
restarts=$(inside systemctl show -p NRestarts --value pktloss.service)
[ "$active" = active ] && [ "${restarts:-0}" = 0 ] ||
  { say "unit is $active after $restarts restarts" >&2; exit 1; }

# The process as systemd started it: a transient uid, no new privileges, the unit's caps only.
main=$(inside systemctl show -p MainPID --value pktloss.service)
status=$(inside cat "/proc/$main/status")
uid=$(awk '/^Uid:/ { print $2 }' <<<"$status")
[ "$uid" != 0 ] || { say "runs as root despite DynamicUser=yes" >&2; exit 1; }
eff=$(awk '/^CapEff:/ { print $2 }' <<<"$status")
want=$(sed -n 's/^CapabilityBoundingSet=//p' "$example" | tail -n 1)
got=$(capsh --decode="$eff" | sed 's/.*=//' | tr ',' '\n' | sort | tr '\n' ' ')
want=$(tr ' ' '\n' <<<"$want" | tr 'A-Z' 'a-z' | grep . | sort | tr '\n' ' ')
say "MainPID $main uid $uid NoNewPrivs $(awk '/^NoNewPrivs:/ { print $2 }' <<<"$status") caps: $got"
[ "$got" = "$want" ] || { say "effective capabilities differ from the unit's: want $want" >&2; exit 1; }
inside systemctl stop pktloss.service
[ "$(inside systemctl show -p ActiveState --value pktloss.service)" = inactive ] ||
  { say "unit did not stop cleanly" >&2; exit 1; }
inside systemctl poweroff --no-block >/dev/null 2>&1 || true
for _ in $(seq 1 100); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
say "started, answered and stopped under systemd in $((SECONDS - started)) s"
