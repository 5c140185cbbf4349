#!/usr/bin/env bash
# Fetches a Debian kernel for the VM lab into a cache directory and prints that directory.
#   tests/vm/kernel.sh SERIES        SERIES: 6.1 (Debian 12's own kernel) or 6.12 (the newest
#                                    bookworm offers), or an exact version like 6.1.0-57-amd64
# The newest matching linux-image-*-amd64-unsigned package is downloaded with apt-get download and
# unpacked with dpkg -x under $PKTLOSS_VM_CACHE (default /var/cache/pktloss-vm/<version>/): the
# host's /boot and /lib/modules are never touched. Then depmod (the .deb ships no modules.dep; the
# guest's modprobe needs it) and the uncompressed vmlinux for the PVH boot. Idempotent: a complete
# cache directory is reused (marked by its .ready file). Without apt, or when the package cannot
# be found or downloaded, it fails loudly: the CI stage must not pretend to have run.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "$0")" && pwd)
cache=${PKTLOSS_VM_CACHE:-/var/cache/pktloss-vm}
series=${1:?usage: kernel.sh SERIES (6.1, 6.12 or an exact version)}

die() { echo "vm-kernel: $*" >&2; exit 1; }
command -v apt-cache >/dev/null || die "apt-cache not found: cannot fetch Debian kernel $series"

case $series in
  *-amd64) pattern="^linux-image-${series//./\\.}-unsigned\$" ;;
  6.1) pattern='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
  *) pattern="^linux-image-${series//./\\.}\\.[0-9]+\\+deb[0-9]+-amd64-unsigned\$" ;;
esac
pkg=$(apt-cache search --names-only "$pattern" | awk '{print $1}' | sort -V | tail -n 1)
[ -n "$pkg" ] || die "no package matches $pattern (apt-get update? bookworm-security in sources?)"
ver=${pkg#linux-image-}
ver=${ver%-unsigned}
dir=$cache/$ver
if [ ! -e "$dir/.ready" ]; then
  echo "vm-kernel: fetching $pkg" >&2
  rm -rf "$dir"
  mkdir -p "$dir/deb"
  # apt's sandbox user cannot write into a root-only cache; the download is verified by apt anyway.
  (cd "$dir/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
    die "apt-get download $pkg failed"
  dpkg -x "$dir"/deb/*.deb "$dir/root"
  rm -rf "$dir/deb"
  depmod -b "$dir/root" "$ver"
  "$here/extract-vmlinux.py" "$dir/root/boot/vmlinuz-$ver" "$dir/vmlinux"
  echo "$pkg" >"$dir/.ready"
fi
echo "$dir"
