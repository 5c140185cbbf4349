#!/usr/bin/env bash
# Installs the package into a clean Debian 12 root and checks it works there:
#   apt-get install ./pktloss_*.deb (dependencies from ${shlibs:Depends}, nothing else present),
#   pktloss --version, pktloss check (exit 0 or 1), man -w for every page, bash `complete -p`
#   and the completion of subcommands, options and netns names; then the systemd unit, if any:
#   verified, run with its privileges, and started by a real systemd booted in the root.
#   scripts/package-test.sh [DEB]     # as root; builds the package first when DEB is not given
# The root is debootstrap --variant=minbase bookworm from the mirror apt uses here, cached under
# $PKTLOSS_ROOT_CACHE (default /var/cache/pktloss-test-root), one per day; each run works on an
# overlay (or a copy) of it, so the cached root stays clean.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "package-test: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
started=$SECONDS
out=${PKTLOSS_BUILD_DIR:-build}
arch=$(dpkg --print-architecture)
deb=${1:-}
if [ -z "$deb" ]; then
  scripts/package.sh
  version=$(sed -n 's/^project(pktloss VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
  deb=$out/pktloss_${version}_${arch}.deb
fi
[ -f "$deb" ] || { echo "package-test: no package $deb" >&2; exit 2; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
command -v debootstrap >/dev/null || { echo "package-test: debootstrap missing (scripts/install-deps.sh)" >&2; exit 2; }

# The Debian mirror apt uses on this machine (deb822 .sources or one-line lists).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
  awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ && uri { print uri; exit }')
[ -n "$mirror" ] || mirror=$(grep -hsE '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+ +bookworm +' \
  /etc/apt/sources.list /etc/apt/sources.list.d/*.list | head -1 | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{ print $1 }')
[ -n "$mirror" ] || { echo "package-test: no bookworm mirror in /etc/apt/sources.list*" >&2; exit 2; }

cache=${PKTLOSS_ROOT_CACHE:-/var/cache/pktloss-test-root}
key=bookworm-minbase-$(date -u +%Y%m%d)
base=$cache/$key
mkdir -p "$cache"
if [ ! -f "$base/.complete" ]; then
  echo "package-test: debootstrap bookworm from $mirror into $base (cached for today)" >&2
  rm -rf "$base" "$base.tmp"
  # man-db and bash-completion: what the checks use; everything else comes from the package.
  timeout 420 debootstrap --variant=minbase --include=man-db,bash-completion bookworm \
    "$base.tmp" "$mirror" >"$cache/$key.log" 2>&1 ||
    { tail -n 20 "$cache/$key.log" >&2; echo "package-test: debootstrap failed" >&2; exit 1; }
  rm -rf "$base.tmp"/var/cache/apt/archives/*.deb
  mv "$base.tmp" "$base"
  touch "$base/.complete"
  # Older days' roots are dead weight.
  find "$cache" -mindepth 1 -maxdepth 1 -name 'bookworm-minbase-*' ! -name "$key*" -exec rm -rf {} +
fi

work=$(mktemp -d "$cache/run.XXXXXX")
root=$work/root
mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -R -l "${mounts[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$root" "$work/upper" "$work/ovl"
if mount -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovl" "$root" 2>/dev/null; then
  mounts+=("$root")
else
  cp -a "$base/." "$root/"
fi
for fs in proc sys dev; do
  mkdir -p "$root/$fs"
  mount --rbind "/$fs" "$root/$fs"
  mount --make-rslave "$root/$fs"
  mounts+=("$root/$fs")
done
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

fail=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "  ok    $what"; else echo "  FAIL  $what" >&2; fail=1; fi
}
echo "package-test: installing $(basename "$deb") into a clean Debian 12 root" >&2
timeout 240 chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" \
  >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; echo "package-test: apt-get install failed" >&2; exit 1; }

check "pktloss in /usr/sbin" test -x "$root/usr/sbin/pktloss"
check "pktloss --version names the kernel features" \
  sh -c "chroot '$root' /usr/sbin/pktloss --version | tee '$work/version' | grep -q 'BTF' && grep -q 'eBPF tracer' '$work/version'"
sed 's/^/        /' "$work/version"
rc=0
timeout 60 chroot "$root" /usr/sbin/pktloss check --no-trace >"$work/check.out" 2>&1 || rc=$?
check "pktloss check exits 0 or 1 (was $rc)" test "$rc" -le 1
head -n 3 "$work/check.out" | sed 's/^/        /'
# serve's HTTP server is a plugin (LIBDIR/pktloss/pktloss-http.so): the installed binary finds it.
check "pktloss serve loads its HTTP plugin and listens" \
  sh -c "timeout 5 chroot '$root' /usr/sbin/pktloss serve --listen 127.0.0.1:0 --no-trace 2>&1 | grep -q 'listening on'"
for page in $(cd "$root/usr/share/man/man8" && ls pktloss*.8* | sed 's/\.8.*//'); do
  check "man -w $page" in_root sh -c "man -w $page >/dev/null"
done
check "man pages: one per subcommand" sh -c "[ \$(ls '$root'/usr/share/man/man8/pktloss-*.8* | wc -l) -ge 5 ]"
# The completion as an interactive bash loads it (bash-completion's loader), then a few Tabs.
mkdir -p "$root/run/netns" && : >"$root/run/netns/pkgtest-ns"
completion='source /usr/share/bash-completion/bash_completion
  _completion_loader pktloss
  complete -p pktloss || exit 1
  tab() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _pktloss; echo "${COMPREPLY[*]}"; }
  [ "$(tab pktloss ch)" = check ] || { echo "subcommand: $(tab pktloss ch)"; exit 1; }
  tab pktloss check --no- | grep -q -- --no-trace || { echo "options: $(tab pktloss check --no-)"; exit 1; }
  [ "$(tab pktloss check -n pkgtest)" = pkgtest-ns ] || { echo "netns: $(tab pktloss check -n pkgtest)"; exit 1; }
  tab pktloss capture -i l | grep -qw lo || { echo "interfaces: $(tab pktloss capture -i l)"; exit 1; }'
check "bash completion: complete -p, subcommands, options, netns and interface names" \
  in_root bash -c "$completion"
check "zsh completion installed" test -f "$root/usr/share/zsh/vendor-completions/_pktloss"
check "dpkg -L lists the examples or there are none in contrib/" \
  sh -c "[ ! -d contrib ] || chroot '$root' dpkg -L pktloss | grep -q /usr/share/doc/pktloss/examples/"

# The systemd unit `pktloss serve` runs under, when the tree has one.
unit=$root/usr/share/doc/pktloss/examples/systemd/pktloss.service
[ -f "$unit" ] || unit=contrib/systemd/pktloss.service
if [ ! -f "$unit" ]; then
  echo "  skip  systemd unit: no contrib/systemd/pktloss.service (arrives with pktloss serve)"
elif ! in_root /usr/sbin/pktloss --help | grep -qE '^ +serve +'; then
  echo "  skip  systemd unit: the packaged pktloss has no serve subcommand"
else
  check "systemd unit: verify, then its ExecStart with only its privileges answers /metrics" \
    tests/package/systemd_unit.sh "$unit" "$root/usr/sbin/pktloss"
  # Last, because it boots the root: a real systemd as PID 1 (systemd-nspawn -b) starts the
  # unit, which answers and stops. nspawn mounts its own /proc, /sys and /dev.
  for fs in dev sys proc; do umount -R -l "$root/$fs" 2>/dev/null || true; done
  check "systemd unit: a real systemd (PID 1 in systemd-nspawn -b) starts it, it answers, it stops" \
    tests/package/systemd_boot.sh "$root"
fi
echo "package-test: $([ $fail -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s" >&2
exit $fail
