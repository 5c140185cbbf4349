#!/usr/bin/env bash
# Installs every Debian 12 package pktloss needs to build, test and benchmark.
# Idempotent and quiet: when everything is present it prints nothing and touches nothing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang llvm bpftool
  # libraries
  libnftables-dev libnftnl-dev libmnl-dev libiptc-dev libxtables-dev
  libbpf-dev libelf-dev zlib1g-dev libzstd-dev libpcap-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libtinyxml2-dev libcpp-httplib-dev
  # packaging (scripts/package.sh, scripts/package-test.sh): .deb, lint, clean Debian 12 root
  debhelper lintian debootstrap bash-completion man-db git
  # the packaged unit started by a real systemd (systemd-nspawn -b); zsh for its completion test
  systemd-container libcap2-bin zsh
  # integration tests and benchmarks: real servers, fault injection, the classic tools to compare with
  iproute2 iptables nftables nginx-light conntrack tcpdump procps curl bpftrace tshark python3 time
  iputils-ping hping3
  gnuplot-nox
  # pktloss serve / watch: a real Prometheus (and promtool), node_exporter to compare with, tmux
  prometheus prometheus-node-exporter tmux
  # containers by name (-c): real Docker and Podman daemons, a busybox root for the test image
  docker.io podman busybox-static
  # the HTML report's browser test (headless screenshots)
  chromium
  # the VM lab (tests/vm): Debian kernels under qemu, a busybox initramfs, depmod/modprobe
  qemu-system-x86 busybox-static cpio kmod xz-utils zstd bc
  # the VM lab's NIC tests inject ring sizes with ethtool (pktloss reads them over SIOCETHTOOL)
  ethtool
  # the drop monitor comparison in the VM lab (NET_DM, the classic peer of the eBPF tracer)
  dropwatch
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 2
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx's package starts a server on :80 in the host namespace where init allows it; tests start
# their own nginx inside their namespaces, so never leave a host-wide one running.
pkill -x nginx 2>/dev/null || true
# docker.io's package starts dockerd where init allows it, and a dockerd left to itself rewrites
# the host's iptables (FORWARD policy DROP) under every other test. Tests start their own daemon
# (--iptables=false, own socket and bridge), so stop the one just installed.
if [[ " ${missing[*]} " == *" docker.io "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now docker.service docker.socket >/dev/null 2>&1 || true
fi
